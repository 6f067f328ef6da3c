/**
 * Pictures made by gradient descent on the input: objectives that compose
 * ({@link dev.neurolens.optimize.Objective}), {@link dev.neurolens.optimize.Parameterization},
 * {@link dev.neurolens.optimize.Transform}, {@link dev.neurolens.optimize.Optimizer}, the render loop
 * ({@link dev.neurolens.optimize.Render}, {@link dev.neurolens.optimize.RenderResult}) and recipes:
 * {@link dev.neurolens.optimize.ClassVisualization}, {@link dev.neurolens.optimize.DeepDream},
 * {@link dev.neurolens.optimize.StyleTransfer}, {@link dev.neurolens.optimize.FastStyle},
 * {@link dev.neurolens.optimize.FeatureInversion}, {@link dev.neurolens.optimize.FoolingImage} (within a
 * {@link dev.neurolens.optimize.Budget}). Also the classical texture baselines with no network, which copy a sample's
 * pixels instead: {@link dev.neurolens.optimize.Quilting} and {@link dev.neurolens.optimize.EfrosLeung}, both giving a
 * {@link dev.neurolens.optimize.SynthesizedTexture}.
 *
 * <p>Imports: {@code model}, {@code display}, {@code data}, DJL (not its PyTorch engine). Not {@code model.internal}
 * or {@code ai.djl.pytorch} (reach them through {@code model}), nor magics or kernel.
 */
package dev.neurolens.optimize;
