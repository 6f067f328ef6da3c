/**
 * Which input pixels a prediction depends on, one call for every method:
 * {@link dev.neurolens.attribution.AttributionMethod#attribute}, the registry by name
 * {@link dev.neurolens.attribution.Attributions} ({@code method("grad-cam")}, {@code compare}), the result
 * {@link dev.neurolens.attribution.Attribution}, {@link dev.neurolens.attribution.Target}; methods such as
 * {@link dev.neurolens.attribution.GradCam}, {@link dev.neurolens.attribution.Occlusion},
 * {@link dev.neurolens.attribution.SmoothGrad}; {@link dev.neurolens.attribution.SanityChecks}.
 *
 * <p>Imports: {@code model}, {@code display} (results render themselves), {@code data}, DJL (not its PyTorch
 * engine). Not {@code model.internal} or {@code ai.djl.pytorch} (reach them through {@code model}), nor magics or
 * kernel.
 */
package dev.neurolens.attribution;
