package dev.neurolens.dissect;

import dev.neurolens.data.Scenes;
import dev.neurolens.model.AdversarialTraining;
import dev.neurolens.model.Architecture;
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
 * A small CNN that tells what dominates a {@link Scenes} picture: mountains, road, trees or buildings (the
 * object class covering the most pixels; a building counts with its roof, door and windows). Network Dissection
 * (Bau et al., CVPR 2017) needs a classifier whose inputs come with concept masks; ImageNet and Broden are not on
 * these machines, so this one is trained here on rendered scenes, whose masks are exact
 * ({@code dissect.internal.TrainSceneClassifier}).
 *
 * <pre>{@code
 * try (Network net = SceneClassifier.builtin()) {
 *     SceneClassifier.LabelledScenes test = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 500);
 *     NetworkDissection d = NetworkDissection.builder(net, "conv4").images(test.images())
 *             .segmenter(test.masks()).run();
 * }
 * }</pre>
 */
public final class SceneClassifier {
    /** The committed weights, next to this class in the jar. */
    public static final String WEIGHTS = "scene_classifier.safetensors";
    /** The adversarially trained weights, next to them. */
    public static final String ROBUST_WEIGHTS = "scene_classifier_robust.safetensors";
    /** Class names, index = logit. */
    public static final List<String> CLASSES = List.of("mountain", "road", "tree", "building");
    /** First seed of held-out scenes: training uses seeds from 0, evaluation from here. */
    public static final long HELD_OUT = 2_000_000_000L;
    private static final int[][] CLASS_CONCEPTS = {{Scenes.MOUNTAIN}, {Scenes.ROAD}, {Scenes.TREE},
        {Scenes.BUILDING, Scenes.ROOF, Scenes.DOOR, Scenes.WINDOW}};

    private SceneClassifier() {
    }

    /**
     * Four 3x3 convolutions with ReLU (16, 32, 64, 64 channels; 2x2 max pooling after the first three, so conv4
     * sees 8 x 8 maps of a 64 px picture), global average pooling and a linear layer to the four classes.
     */
    public static Architecture architecture() {
        List<Layer> l = new ArrayList<>();
        int[] widths = {16, 32, 64, 64};
        int in = 3;
        for (int i = 0; i < widths.length; i++) {
            l.add(StandardLayers.conv2d("conv" + (i + 1), in, widths[i], 3, 1, 1, true));
            l.add(StandardLayers.relu("relu" + (i + 1)));
            if (i < 3) {
                l.add(StandardLayers.maxPool2d("pool" + (i + 1), 2, 2, 0, false));
            }
            in = widths[i];
        }
        l.add(StandardLayers.adaptiveAvgPool2d("avgpool", 1, 1));
        l.add(StandardLayers.flatten("flatten"));
        l.add(StandardLayers.dense("fc", in, CLASSES.size()));
        ModelInfo info = new ModelInfo("scene_classifier", 3, Scenes.DEFAULT_SIZE, Scenes.DEFAULT_SIZE,
                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, CLASSES);
        return Architecture.custom("scene_classifier", l, info).rebuiltBy(SceneClassifier::architecture);
    }

    /** The classifier trained on rendered scenes, from the jar; close it when done. */
    public static Network builtin() {
        return fromJar(WEIGHTS, "");
    }

    /**
     * The same classifier adversarially trained ({@code TrainSceneClassifier}'s 3rd argument): its input gradients
     * follow the scenes' shapes, so dreams, class pictures and inversions of it show roofs, windows and trees. Titles
     * call it "scene_classifier (adversarially trained)".
     */
    public static Network robust() {
        return fromJar(ROBUST_WEIGHTS, AdversarialTraining.NOTE);
    }

    private static Network fromJar(String resource, String note) {
        try (InputStream in = SceneClassifier.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new WeightsException(resource + " is missing from the jar; train it with "
                        + "dev.neurolens.dissect.internal.TrainSceneClassifier");
            }
            return architecture().load(in, "built-in " + resource + note);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class of a scene from its exact label map: the object class covering the most pixels (ties: lower index). */
    public static int sceneClass(int[] labels) {
        int[] count = new int[Scenes.CONCEPTS.size()];
        for (int l : labels) {
            count[l]++;
        }
        int best = 0;
        int bestCount = -1;
        for (int c = 0; c < CLASS_CONCEPTS.length; c++) {
            int n = 0;
            for (int concept : CLASS_CONCEPTS[c]) {
                n += count[concept];
            }
            if (n > bestCount) {
                best = c;
                bestCount = n;
            }
        }
        return best;
    }

    /**
     * Scenes {@code firstSeed .. firstSeed + n - 1} at 64 px with their class and exact concept masks.
     *
     * @param images {@code n x 3 x 64 x 64} in [0, 1]
     * @param classes class index per scene ({@link #CLASSES})
     * @param masks exact concept masks of these images
     */
    public record LabelledScenes(Tensor images, int[] classes, ExactSceneMasks masks) {
        public LabelledScenes {
            classes = classes.clone();
        }

        @Override
        public int[] classes() {
            return classes.clone();
        }

        public int size() {
            return classes.length;
        }
    }

    public static LabelledScenes scenes(long firstSeed, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("need at least one scene, got " + n);
        }
        ExactSceneMasks masks = new ExactSceneMasks();
        Tensor images = masks.render(firstSeed, n, Scenes.DEFAULT_SIZE);
        int[][] labels = masks.segment(images);
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = sceneClass(labels[i]);
        }
        return new LabelledScenes(images, classes, masks);
    }
}
