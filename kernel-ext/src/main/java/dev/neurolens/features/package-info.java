/**
 * What units respond to over a data set: {@link dev.neurolens.features.ActivationMaps},
 * {@link dev.neurolens.features.Filters}, {@link dev.neurolens.features.TopPatches} (top-k patches, streamed),
 * {@link dev.neurolens.features.Features} and {@link dev.neurolens.features.FeatureMatrix},
 * {@link dev.neurolens.features.ImageSet}, embeddings ({@link dev.neurolens.features.Tsne},
 * {@link dev.neurolens.features.Pca}, {@link dev.neurolens.features.EmbeddingMap}) and neighbours
 * ({@link dev.neurolens.features.NearestNeighbors}, {@link dev.neurolens.features.NeighborComparison}).
 *
 * <p>Imports: {@code model}, {@code display}, {@code data}, DJL (not its PyTorch engine). Not {@code model.internal}
 * or {@code ai.djl.pytorch}, nor magics or kernel.
 */
package dev.neurolens.features;
