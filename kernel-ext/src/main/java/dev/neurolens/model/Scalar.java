package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** A scalar read from a layer's output, the thing whose gradient is taken. Summed or averaged over the batch. */
@FunctionalInterface
public interface Scalar {

    NDArray of(NDArray activation);

    /** Mean of one channel (or one logit/class for a 2-d output) over batch and space. */
    static Scalar channelMean(int channel) {
        return a -> a.get(new NDIndex(":, {}", channel)).mean();
    }

    /** Sum over the batch of one logit or class score. */
    static Scalar logit(int index) {
        return a -> a.get(new NDIndex(":, {}", index)).sum();
    }

    /** Sum over the batch of one unit: channel {@code c} at spatial position (y, x). */
    static Scalar unit(int channel, int y, int x) {
        return a -> a.get(new NDIndex(":, {}, {}, {}", channel, y, x)).sum();
    }

    /** Sum of the whole output. */
    static Scalar sum() {
        return NDArray::sum;
    }

    /** Mean of squares of the whole output (DeepDream-style). */
    static Scalar meanSquare() {
        return a -> a.square().mean();
    }
}
