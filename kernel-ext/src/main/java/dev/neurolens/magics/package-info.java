/**
 * The {@code %name} commands: {@link dev.neurolens.magics.Magic} (one class per magic, each with its
 * {@link dev.neurolens.magics.ArgSchema}), {@link dev.neurolens.magics.MagicRegistry} (routing, {@code --help}),
 * {@link dev.neurolens.magics.MagicArgumentException}; models and pictures resolve in one place, {@code MagicInputs}
 * ({@code --model NAME|FILE|VARIABLE}, {@code --random}), notebook variables through
 * {@link dev.neurolens.magics.NotebookVariables}.
 *
 * <p>Imports: techniques, {@code display}, {@code model}, {@code data}, {@code homework}, and DJL's core types where
 * {@code %device} reports them. Not {@code kernel} (the kernel installs what magics need, e.g. the variable lookup),
 * nor any {@code internal} package, nor DJL's PyTorch engine.
 */
package dev.neurolens.magics;
