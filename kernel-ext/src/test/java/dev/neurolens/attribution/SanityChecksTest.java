package dev.neurolens.attribution;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Similarity measures against hand values, and the cascading randomization on the built-in model. */
class SanityChecksTest {

    @Test
    void spearmanAndSsimByHand() {
        float[][] a = {{1, 2, 3}, {4, 5, 6}};
        float[][] squared = {{1, 4, 9}, {16, 25, 36}};
        float[][] reversed = {{6, 5, 4}, {3, 2, 1}};
        assertEquals(1, Similarity.spearman(a, squared), 1e-12, "a monotone transform keeps the ranks");
        assertEquals(-1, Similarity.spearman(a, reversed), 1e-12);
        // ranks with ties: [1, 2.5, 2.5, 4] vs [1, 2, 3, 4] -> pearson = 0.9486833
        assertEquals(0.9486833, Similarity.spearman(new float[][] {{1, 2, 2, 3}}, new float[][] {{1, 2, 3, 4}}), 1e-6);
        float[][] img = new float[16][16];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img[y][x] = (float) Math.sin(x * 0.7) * y;
            }
        }
        assertEquals(1, Similarity.ssim(img, img), 1e-9);
        float[][] scaled = new float[16][16];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                scaled[y][x] = 3 * img[y][x] + 1;
            }
        }
        assertEquals(1, Similarity.ssim(img, scaled), 1e-6, "maps are min-max scaled first");
        assertTrue(Similarity.ssim(img, reversedCopy(img)) < 0.5);
    }

    private static float[][] reversedCopy(float[][] m) {
        float[][] r = new float[m.length][m[0].length];
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                r[y][x] = -m[y][x];
            }
        }
        return r;
    }

    @Test
    void cascadingRandomizationDestroysGradientMaps() {
        try (Network net = Models.defaultModel()) {
            Tensor x = AttributionTest.testImagesFor(net, 2);
            SanityReport r = SanityChecks.cascading(net, x, Target.predicted(), GradientSaliency.create(),
                    GradCam.create());
            assertEquals(List.of("trained", "classifier.3", "classifier.0", "features.6", "features.3", "features.0"),
                    r.steps());
            assertEquals(1.0, r.spearman("gradient", 0), 1e-9);
            assertEquals(1.0, r.ssim("grad-cam", 0), 1e-9);
            System.out.print(r.table());
            assertTrue(r.finalSpearman("gradient") < 0.6, "gradient maps of a random model should differ");
            assertTrue(r.mimeBundle().pngBytes().length > 1000);
            assertTrue(r.maps().size() == 12);
        }
    }

    @Test
    void labelRandomizationComparesWithAModelTrainedOnShuffledLabels() throws Exception {
        dev.neurolens.data.FashionMnist train;
        try {
            train = dev.neurolens.data.FashionMnist.train();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "Fashion-MNIST not installed: " + e.getMessage());
            return;
        }
        try (Network net = Models.defaultModel();
             Network shuffled = SanityChecks.trainOnShuffledLabels(train, 20, 3)) {
            Tensor x = AttributionTest.testImagesFor(net, 2);
            SanityReport r = SanityChecks.labelRandomization(net, shuffled, x, Target.predicted(),
                    GradientSaliency.create());
            assertEquals(List.of("trained", "shuffled labels"), r.steps());
            assertTrue(r.finalSpearman("gradient") < 0.9, r.table());
        }
    }
}
