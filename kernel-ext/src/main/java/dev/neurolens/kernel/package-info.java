/**
 * The Jupyter kernel: {@link dev.neurolens.kernel.Main} (start, install the kernelspec),
 * {@link dev.neurolens.kernel.NeurolensKernel} (JShell in this JVM, errors, completion), {@code MagicTranslator}
 * (magic lines into calls), {@link dev.neurolens.kernel.Notebook} ({@code display}, {@code updateDisplay}),
 * {@link dev.neurolens.kernel.KernelComms}, and {@link dev.neurolens.kernel.IJavaBridge} for a stock IJava kernel.
 *
 * <p>Imports: anything in Neurolens (it is the top), usually through the front door, {@code magics} and
 * {@code display}; {@code kernel.internal}. Nothing imports the kernel.
 */
package dev.neurolens.kernel;
