/**
 * Units labelled by the concepts they detect, and cut to see what changes:
 * {@link dev.neurolens.dissect.NetworkDissection} (classifiers, IoU with concept masks),
 * {@link dev.neurolens.dissect.Dissection} (a generator's units), {@link dev.neurolens.dissect.Intervention},
 * {@link dev.neurolens.dissect.GanPaint}, {@link dev.neurolens.dissect.ClassAblation}, segmenters
 * ({@link dev.neurolens.dissect.Segmenter}, {@link dev.neurolens.dissect.SceneSegmenter}),
 * {@link dev.neurolens.dissect.BrodenFolder}.
 *
 * <p>Imports: {@code model}, {@code display}, {@code data}, DJL (not its PyTorch engine), and other techniques'
 * public types ({@code generate.Generator}, {@code features.ImageSet}). Not {@code model.internal} or
 * {@code ai.djl.pytorch}, nor magics or kernel.
 */
package dev.neurolens.dissect;
