package dev.neurolens.dissect;

import dev.neurolens.model.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Labels every pixel of a batch of images with a concept, so that units can be compared with concepts (IoU).
 * Pluggable: {@link ExactSceneMasks} (ground truth of rendered scenes), {@link SceneSegmenter} (a small trained
 * network for images drawn by the scenes GAN), {@link ColorSegmenter} (colour names in any image) and
 * {@link TorchScriptSegmenter} (a user's TorchScript model).
 */
public interface Segmenter {
    /** Label of pixels that belong to no concept. */
    int NONE = -1;

    /** Concept names; a label is an index into this list. */
    List<String> concepts();

    /**
     * One label map per image: {@code result[i][y * W + x]} is a concept index or {@link #NONE}.
     *
     * @param images {@code N x 3 x H x W} in [0, 1]
     */
    int[][] segment(Tensor images);

    /** Per-image masks of one concept, {@code result[i][y * W + x]}. */
    default boolean[][] masks(Tensor images, String concept) {
        int c = concept(concept);
        int[][] labels = segment(images);
        boolean[][] m = new boolean[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            m[i] = new boolean[labels[i].length];
            for (int p = 0; p < m[i].length; p++) {
                m[i][p] = labels[i][p] == c;
            }
        }
        return m;
    }

    /** The index of a concept by name; the error lists the known ones. */
    default int concept(String name) {
        int i = concepts().indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown concept '" + name + "'; " + this + " knows: "
                    + String.join(", ", concepts()));
        }
        return i;
    }

    /** Number of pixels of concept {@code c} in each label map. */
    static long count(int[][] labels, int c) {
        long n = 0;
        for (int[] l : labels) {
            for (int v : l) {
                if (v == c) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Checks the batch shape every segmenter expects and returns {N, H, W}. */
    static int[] checkImages(Tensor images) {
        long[] s = images.shape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("segmenters take RGB batches N x 3 x H x W in [0, 1], got "
                    + Arrays.toString(s) + (s.length == 3 ? "; add the batch axis with reshape(1, ...)" : ""));
        }
        return new int[] {(int) s[0], (int) s[2], (int) s[3]};
    }
}
