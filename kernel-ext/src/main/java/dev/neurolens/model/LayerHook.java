package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Changes a layer's output during the forward pass (ablation, insertion, scaling). Runs before the
 * output is captured and before the next layer sees it; must build new arrays from the output's manager.
 */
@FunctionalInterface
public interface LayerHook {

    NDArray apply(NDArray output);

    /** Sets the given channels (units) to zero. */
    static LayerHook zero(int... channels) {
        return scale(0f, channels);
    }

    /** Multiplies the given channels by {@code factor}; other channels pass through. */
    static LayerHook scale(float factor, int... channels) {
        return out -> out.mul(channelMask(out, channels, factor, 1f));
    }

    /** Keeps only the given channels, zeroing all others. */
    static LayerHook keepOnly(int... channels) {
        return out -> out.mul(channelMask(out, channels, 1f, 0f));
    }

    /** Replaces the whole output by {@code value} (broadcast to the output's shape). */
    static LayerHook replace(Tensor value) {
        return out -> {
            NDArray v = value.toNDArray(out.getManager());
            return v.broadcast(out.getShape());
        };
    }

    /** Adds {@code value} to the output (broadcast), e.g. to insert a pattern. */
    static LayerHook add(Tensor value) {
        return out -> out.add(value.toNDArray(out.getManager()));
    }

    /** Runs this hook, then {@code next}. */
    default LayerHook andThen(LayerHook next) {
        return out -> next.apply(apply(out));
    }

    private static NDArray channelMask(NDArray out, int[] channels, float inside, float outside) {
        long c = out.getShape().get(1);
        float[] mask = new float[(int) c];
        java.util.Arrays.fill(mask, outside);
        for (int ch : channels) {
            if (ch < 0 || ch >= c) {
                throw new IllegalArgumentException("channel " + ch + " out of range: the layer has " + c);
            }
            mask[ch] = inside;
        }
        long[] shape = new long[out.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = c;
        return out.getManager().create(mask, new Shape(shape)).toType(DataType.FLOAT32, false);
    }
}
