package dev.neurolens.dissect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.data.Scenes;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Network;
import dev.neurolens.model.StandardLayers;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small fully convolutional network that labels the concepts of {@link Scenes} pixel by pixel. GAN
 * Dissection segments generated images, which have no ground truth, with a segmentation network; this one is
 * trained on rendered scenes, whose masks are exact ({@code dissect.internal.TrainSceneSegmenter}). Dilated
 * 3x3 convolutions (dilation 1, 2, 4, 8) give each pixel 31 px of context, enough to tell a window from the
 * sky; a fourth input channel holds the row position, since sky is up and grass is down.
 *
 * <pre>{@code
 * try (SceneSegmenter seg = SceneSegmenter.builtin()) {
 *     int[][] labels = seg.segment(generator.generate(z));
 * }
 * }</pre>
 */
public final class SceneSegmenter implements Segmenter, AutoCloseable, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The committed weights, next to this class in the jar. */
    public static final String WEIGHTS = "scene_segmenter.safetensors";
    static final int WIDTH = 32;
    static final int[] DILATIONS = {1, 2, 4, 8};
    private static final int BATCH = 64;

    private final transient Network network;
    private final boolean builtin;

    private SceneSegmenter(Network network, boolean builtin) {
        this.network = network;
        this.builtin = builtin;
    }

    /** The built-in segmenter travels as its name (a cluster's executors read it from their own jar); others not. */
    private Object writeReplace() throws java.io.ObjectStreamException {
        if (!builtin) {
            throw new java.io.NotSerializableException("only SceneSegmenter.builtin() can travel to other JVMs");
        }
        return new Builtin();
    }

    /** Stands for the built-in segmenter in a stream; one per JVM on the other side. */
    private record Builtin() implements java.io.Serializable {
        private static final SceneSegmenter[] ONE = new SceneSegmenter[1];

        private Object readResolve() {
            synchronized (ONE) {
                if (ONE[0] == null) {
                    ONE[0] = builtin();
                }
                return ONE[0];
            }
        }
    }

    /** The architecture: 3x3 convolutions with dilation 1, 2, 4, 8 and ReLU, then a 1x1 convolution to the concepts. */
    public static Architecture architecture() {
        List<Layer> l = new ArrayList<>();
        int in = 4;
        for (int i = 0; i < DILATIONS.length; i++) {
            int d = DILATIONS[i];
            l.add(StandardLayers.conv2d("conv" + (i + 1), in, WIDTH, 3, 1, d, d, 1, true));
            l.add(StandardLayers.relu("relu" + (i + 1)));
            in = WIDTH;
        }
        l.add(StandardLayers.conv2d("classifier", WIDTH, Scenes.CONCEPTS.size(), 1, 1, 0, true));
        ModelInfo info = new ModelInfo("scene_segmenter", 4, Scenes.DEFAULT_SIZE, Scenes.DEFAULT_SIZE,
                new float[] {0.5f, 0.5f, 0.5f, 0f}, new float[] {0.25f, 0.25f, 0.25f, 1f}, Scenes.CONCEPTS);
        return Architecture.custom("scene_segmenter", l, info);
    }

    /** The segmenter trained on rendered scenes, from the jar. */
    public static SceneSegmenter builtin() {
        try (InputStream in = SceneSegmenter.class.getResourceAsStream(WEIGHTS)) {
            if (in == null) {
                throw new WeightsException(WEIGHTS + " is missing from the jar; train it with "
                        + "dev.neurolens.dissect.internal.TrainSceneSegmenter");
            }
            return new SceneSegmenter(architecture().load(in, "built-in " + WEIGHTS), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wraps a network of {@link #architecture()} (e.g. one being trained); the segmenter owns it from now on. */
    public static SceneSegmenter of(Network network) {
        return new SceneSegmenter(network, false);
    }

    public Network network() {
        return network;
    }

    @Override
    public List<String> concepts() {
        return Scenes.CONCEPTS;
    }

    /**
     * The network's input for images in [0, 1]: normalized RGB plus the row position in [-1, 1], {@code N x 4 x H x W}.
     */
    public static NDArray input(NDArray images) {
        NDManager m = images.getManager();
        long n = images.getShape().get(0);
        long h = images.getShape().get(2);
        long w = images.getShape().get(3);
        NDArray rgb = images.sub(0.5f).div(0.25f);
        NDArray rows = m.arange(0f, (float) h).div(Math.max(1f, h - 1f) / 2f).sub(1f)
                .reshape(1, 1, h, 1).broadcast(n, 1, h, w);
        return rgb.concat(rows, 1);
    }

    /** Logits {@code N x K x H x W} for images in [0, 1] on {@code images}' manager. */
    public NDArray logits(NDArray images) {
        return network.forward(input(images), Forward.plain()).get(Network.OUTPUT);
    }

    @Override
    public int[][] segment(Tensor images) {
        int[] nhw = Segmenter.checkImages(images);
        int plane = nhw[1] * nhw[2];
        int[][] out = new int[nhw[0]][];
        float[] all = images.toFloatArray();
        for (int b = 0; b < nhw[0]; b += BATCH) {
            int k = Math.min(BATCH, nhw[0] - b);
            float[] chunk = java.util.Arrays.copyOfRange(all, b * 3 * plane, (b + k) * 3 * plane);
            try (NDManager scope = network.newScope()) {
                NDArray x = Tensor.of(chunk, k, 3, nhw[1], nhw[2]).toNDArray(scope);
                int[] arg = logits(x).argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
                for (int i = 0; i < k; i++) {
                    out[b + i] = java.util.Arrays.copyOfRange(arg, i * plane, (i + 1) * plane);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return "SceneSegmenter[" + network.source() + "]";
    }
}
