/**
 * The trainers of {@code dissect}'s built-in networks: {@code TrainSceneClassifier} and {@code TrainSceneSegmenter}
 * (run by hand, from the command line, to rebuild the weights in the jar).
 *
 * <p>Imports: {@code dissect}, {@code model}, {@code data}, DJL (not its PyTorch engine). Internal: nobody outside
 * {@code dev.neurolens.dissect} may import it.
 */
package dev.neurolens.dissect.internal;
