package dev.neurolens.dissect;

import dev.neurolens.data.Scenes;
import dev.neurolens.model.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ground truth of {@link Scenes}: exact labels for the scenes this object rendered. It recognises an image
 * by its pixels, so it answers only for images it rendered itself (not for generated ones: use
 * {@link SceneSegmenter} there). The reference against which the other segmenters are scored.
 *
 * <pre>{@code
 * ExactSceneMasks truth = new ExactSceneMasks();
 * Tensor images = truth.render(1000, 50, 64);    // 50 x 3 x 64 x 64 in [0, 1]
 * int[][] labels = truth.segment(images);
 * }</pre>
 */
public final class ExactSceneMasks implements Segmenter, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<Integer, byte[]> labelsByHash = new HashMap<>();

    @Override
    public List<String> concepts() {
        return Scenes.CONCEPTS;
    }

    /** Renders scenes {@code firstSeed .. firstSeed + n - 1} as {@code n x 3 x size x size} in [0, 1] and remembers their labels. */
    public synchronized Tensor render(long firstSeed, int n, int size) {
        int per = 3 * size * size;
        float[] out = new float[n * per];
        for (int i = 0; i < n; i++) {
            Scenes.Scene s = Scenes.render(firstSeed + i, size);
            float[] rgb = s.rgb();
            System.arraycopy(rgb, 0, out, i * per, per);
            int[] l = s.labels();
            byte[] b = new byte[l.length];
            for (int p = 0; p < l.length; p++) {
                b[p] = (byte) l[p];
            }
            labelsByHash.put(Arrays.hashCode(rgb), b);
        }
        return Tensor.of(out, n, 3, size, size);
    }

    @Override
    public synchronized int[][] segment(Tensor images) {
        int[] nhw = Segmenter.checkImages(images);
        int per = 3 * nhw[1] * nhw[2];
        float[] all = images.toFloatArray();
        int[][] out = new int[nhw[0]][];
        for (int i = 0; i < nhw[0]; i++) {
            byte[] b = labelsByHash.get(Arrays.hashCode(Arrays.copyOfRange(all, i * per, (i + 1) * per)));
            if (b == null) {
                throw new IllegalArgumentException("image " + i + " was not rendered by this ExactSceneMasks ("
                        + labelsByHash.size() + " known); render scenes with render(seed, n, size), or segment "
                        + "generated images with SceneSegmenter.builtin()");
            }
            out[i] = new int[b.length];
            for (int p = 0; p < b.length; p++) {
                out[i][p] = b[p];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ExactSceneMasks[" + labelsByHash.size() + " scenes]";
    }
}
