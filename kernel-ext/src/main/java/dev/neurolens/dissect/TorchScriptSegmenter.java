package dev.neurolens.dissect;

import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Models;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchScriptModel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A user's segmentation network saved as TorchScript: {@code forward} maps images {@code N x 3 x H x W}
 * (normalized with the given mean and std) to logits {@code N x K x h x w}, one channel per concept. Logits at a
 * lower resolution are upsampled (bilinear) to the image before the arg-max.
 *
 * <pre>{@code
 * try (TorchScriptSegmenter seg = TorchScriptSegmenter.load(Path.of("seg.pt"), List.of("sky", "tree", ...))) {
 *     Dissection.builder(g, "layer3").segmenter(seg).run();
 * }
 * }</pre>
 */
public final class TorchScriptSegmenter implements Segmenter, AutoCloseable {
    private static final int BATCH = 32;
    private final TorchScriptModel model;
    private final List<String> concepts;
    private final float[] mean;
    private final float[] std;

    private TorchScriptSegmenter(TorchScriptModel model, List<String> concepts, float[] mean, float[] std) {
        this.model = model;
        this.concepts = List.copyOf(concepts);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** A model that takes images in [0, 1] as they are. */
    public static TorchScriptSegmenter load(Path file, List<String> concepts) {
        return load(file, concepts, new float[] {0, 0, 0}, new float[] {1, 1, 1});
    }

    /** A model that takes {@code (image - mean) / std} per RGB channel. */
    public static TorchScriptSegmenter load(Path file, List<String> concepts, float[] mean, float[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need one value per RGB channel, got " + mean.length
                    + " and " + std.length);
        }
        ModelInfo info = new ModelInfo(file.getFileName().toString(), 3, 0, 0, mean, std, concepts);
        return new TorchScriptSegmenter(Models.torchScript(file, info), concepts, mean, std);
    }

    @Override
    public List<String> concepts() {
        return concepts;
    }

    @Override
    public int[][] segment(Tensor images) {
        int[] nhw = Segmenter.checkImages(images);
        int h = nhw[1];
        int w = nhw[2];
        int plane = h * w;
        float[] all = images.toFloatArray();
        int[][] out = new int[nhw[0]][];
        for (int b = 0; b < nhw[0]; b += BATCH) {
            int n = Math.min(BATCH, nhw[0] - b);
            float[] x = Arrays.copyOfRange(all, b * 3 * plane, (b + n) * 3 * plane);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    int off = (i * 3 + c) * plane;
                    for (int p = 0; p < plane; p++) {
                        x[off + p] = (x[off + p] - mean[c]) / std[c];
                    }
                }
            }
            Tensor logits = model.logits(Tensor.of(x, n, 3, h, w));
            long[] s = logits.shape();
            if (s.length != 4 || s[0] != n || s[1] != concepts.size()) {
                throw new IllegalArgumentException("the model gives " + Arrays.toString(s) + " for " + n
                        + " images; a segmenter must give N x " + concepts.size() + " x h x w logits (one channel per "
                        + "concept: " + String.join(", ", concepts) + ")");
            }
            int lh = (int) s[2];
            int lw = (int) s[3];
            float[] v = logits.toFloatArray();
            Tally.Upsampler up = lh == h && lw == w ? null : new Tally.Upsampler(lh, lw, h, w);
            int k = concepts.size();
            float[] big = new float[plane];
            for (int i = 0; i < n; i++) {
                int[] labels = new int[plane];
                float[] best = new float[plane];
                Arrays.fill(best, Float.NEGATIVE_INFINITY);
                for (int c = 0; c < k; c++) {
                    int off = (i * k + c) * lh * lw;
                    if (up == null) {
                        System.arraycopy(v, off, big, 0, plane);
                    } else {
                        up.apply(v, off, big);
                    }
                    for (int p = 0; p < plane; p++) {
                        if (big[p] > best[p]) {
                            best[p] = big[p];
                            labels[p] = c;
                        }
                    }
                }
                out[b + i] = labels;
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "TorchScriptSegmenter[" + model.info().name() + ", " + concepts.size() + " concepts]";
    }
}
