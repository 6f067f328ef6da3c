/**
 * Generators and what they can be made to draw: {@link dev.neurolens.generate.Generator} ({@code load},
 * {@code builtin}, {@code pretrained}), {@link dev.neurolens.generate.GanTrainer},
 * {@link dev.neurolens.generate.Inversion}, {@link dev.neurolens.generate.GeneratorPrior} and
 * {@link dev.neurolens.generate.PlugAndPlay}, {@link dev.neurolens.generate.Rewrite}.
 *
 * <p>Imports: {@code model}, {@code display}, {@code data}, DJL (not its PyTorch engine), and other techniques'
 * public types ({@code optimize}'s objectives, {@code features.ImageSet}). Not {@code model.internal} or
 * {@code ai.djl.pytorch} (reach them through {@code model}), nor magics or kernel.
 */
package dev.neurolens.generate;
