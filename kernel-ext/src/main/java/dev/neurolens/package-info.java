/**
 * The front door: {@link dev.neurolens.Neurolens} ({@code Neurolens.model("squeezenet1_1")},
 * {@code Neurolens.defaultModel()}, {@code Neurolens.install()}, which registers the renderers, the magics and the
 * homework checks).
 *
 * <p>Imports: anything in Neurolens except {@code kernel} (the kernel calls this, not the other way) and any
 * {@code internal} package.
 *
 * <p>The layers of the whole library, each importing only from those below it: {@code kernel}; {@code magics} and this
 * front door; {@code homework}; the techniques ({@code attribution}, {@code optimize}, {@code features}, {@code
 * generate}, {@code dissect}, which may use each other's public types); {@code display}; {@code model}; DJL, whose
 * PyTorch engine only {@code model} touches. {@code train} sits above {@code model} and {@code data} and nothing
 * imports it. {@code data} and {@code run} stand apart: they import nothing from Neurolens and anything may import
 * them. A package named {@code internal} is imported only from its parent package.
 */
package dev.neurolens;
