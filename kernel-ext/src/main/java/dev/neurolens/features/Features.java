package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;

/**
 * A layer's outputs for a whole {@link ImageSet}, one row per image, streamed in batches with one native
 * scope per batch. Convolutional outputs {@code [C, H, W]} are flattened, or averaged over space with
 * {@link #pooled}, which keeps one value per channel (what a unit "says" about the image as a whole).
 */
public final class Features {
    public static final int DEFAULT_BATCH = 256;

    private Features() {
    }

    /** Flattened outputs of {@code layer} ("input" for the preprocessed pixels). */
    public static FeatureMatrix of(Network net, String layer, ImageSet data) {
        return extract(net, layer, data, false, DEFAULT_BATCH, false);
    }

    /** Outputs of {@code layer} averaged over space: one value per channel. */
    public static FeatureMatrix pooled(Network net, String layer, ImageSet data) {
        return extract(net, layer, data, true, DEFAULT_BATCH, false);
    }

    /** The general form; {@code progress} shows a bar (images/s, ETA) while streaming. */
    public static FeatureMatrix extract(Network net, String layer, ImageSet data, boolean pool, int batch,
            boolean progress) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("the image set is empty");
        }
        try (Progress bar = progress ? Progress.builder().total(n).label("features of " + layer).start() : null) {
            return extract(net, layer, data, pool, batch, 0, n, bar);
        }
    }

    /**
     * The rows of pictures {@code [from, to)} only, in batches that start at {@code from}: a cluster's task computes
     * its range with it, and ranges that start at multiples of {@code batch} give the rows one machine gives.
     */
    public static FeatureMatrix extract(Network net, String layer, ImageSet data, boolean pool, int batch, int from,
                                        int to, Progress bar) {
        Preprocessing p = net.preprocessing();
        int n = to - from;
        float[] out = null;
        int d = -1;
        for (int at = from; at < to; at += batch) {
            int end = Math.min(to, at + batch);
            try (NDManager scope = net.newScope()) {
                NDArray x = data.batch(at, end, p).toNDArray(scope);
                NDArray y = "input".equals(layer) ? x : net.forward(x, Forward.capture(layer)).get(layer);
                if (pool && y.getShape().dimension() == 4) { // libtorch's mean here takes one axis
                    y = y.reshape(end - at, y.getShape().get(1), -1).mean(new int[] {2});
                }
                y = y.reshape(end - at, -1);
                float[] v = y.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                if (out == null) {
                    d = v.length / (end - at);
                    out = new float[Math.multiplyExact(n, d)];
                }
                System.arraycopy(v, 0, out, (at - from) * d, v.length);
            }
            if (bar != null) {
                bar.step(end - at);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("no pictures in [" + from + ", " + to + ")");
        }
        return FeatureMatrix.wrap(out, n, d, net.name() + " " + layer + (pool ? " (spatial mean)" : "") + " on "
                + data.name());
    }
}
