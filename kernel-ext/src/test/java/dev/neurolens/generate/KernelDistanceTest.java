package dev.neurolens.generate;

import dev.neurolens.dissect.SceneClassifier;
import dev.neurolens.model.LayerNotFoundException;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KID: the estimator against a hand computation and against its definition written out another way, and on the
 * procedural scenes with the scene classifier's features, the figures the closing note and notebook 06 quote.
 */
class KernelDistanceTest {

    @Test
    void theEstimatorMatchesAHandComputation() {
        // d = 1, k(a, b) = (ab + 1)^3. Within x: k(1, 2) twice = 54, over 2 pairs = 27; within y: k(0, 0) = 1;
        // across: four pairs of k(., 0) = 1, times 2 / 4 = 2. 27 + 1 - 2 = 26.
        double[][] x = {{1}, {2}};
        double[][] y = {{0}, {0}};
        assertEquals(26.0, KernelDistance.mmd2(x, y), 1e-12);
        assertEquals(0.0, KernelDistance.mmd2(y, y), 1e-12);
    }

    @Test
    void theEstimatorMatchesTheUStatisticOfGrettonEtAl() {
        // The same quantity as a U-statistic over pairs of pairs, h(i, j) = k(xi, xj) + k(yi, yj) - k(xi, yj)
        // - k(xj, yi) for i != j, plus the i = j cross terms the MMD-GAN papers' estimator keeps (weight 1/m^2).
        Random r = new Random(5);
        int m = 12;
        int d = 4;
        double[][] x = new double[m][d];
        double[][] y = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian();
                y[i][j] = 0.5 + 2 * r.nextGaussian();
            }
        }
        double within = 0;
        double cross = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                cross += k(x[i], y[j]);
                if (i != j) {
                    within += k(x[i], x[j]) + k(y[i], y[j]);
                }
            }
        }
        double expected = within / (m * (m - 1.0)) - 2 * cross / (m * m);
        assertEquals(expected, KernelDistance.mmd2(x, y), 1e-9 * Math.abs(expected));
        assertTrue(expected > 0.1, "different distributions: " + expected);
    }

    private static double k(double[] a, double[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return Math.pow(dot / a.length + 1, 3);
    }

    /**
     * Two sets of real scenes are about 0 apart; the built-in generator is far from them; its figure stays where the
     * closing note reports it (fixed seeds: scenes, codes and subsets).
     */
    @Test
    void onScenesRealIsCloseToRealAndTheBuiltInGeneratorIsFar() {
        try (Network net = SceneClassifier.builtin(); Generator g = Generator.builtin("scenes")) {
            Tensor real = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 1000).images();
            Tensor other = SceneClassifier.scenes(SceneClassifier.HELD_OUT + 50_000, 1000).images();
            KernelDistance floor = KernelDistance.builder(net, LAYERS).real(real).generated(other).subsetSize(500).run();
            KernelDistance gan = KernelDistance.builder(net, LAYERS).real(real).generated(g, 1000).subsetSize(500).run();
            System.out.println("[kid] real vs real: " + floor);
            System.out.println("[kid] built-in generator: " + gan);
            assertTrue(Math.abs(floor.value()) < FLOOR, floor.toString());
            assertTrue(gan.value() > GAN_MIN && gan.value() < GAN_MAX, gan.toString());
        }
    }

    @Test
    void badInputSaysWhatToDo() {
        try (Network net = SceneClassifier.builtin()) {
            assertThrows(LayerNotFoundException.class, () -> KernelDistance.builder(net, "relu9"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KernelDistance.builder(net, "relu4").real(Tensor.zeros(4, 3, 32, 32)));
            assertEquals("the real pictures must be N x 3 x 64 x 64 (N >= 2, scene_classifier's input), got "
                    + "[4, 3, 32, 32]", e.getMessage());
            IllegalStateException s = assertThrows(IllegalStateException.class,
                    () -> KernelDistance.builder(net, "relu4").real(Tensor.zeros(4, 3, 64, 64)).run());
            assertEquals("give the generated pictures: .generated(images) or .generated(generator, n)", s.getMessage());
        }
    }

    static final String[] LAYERS = {"relu1", "relu2", "relu3", "relu4"};
    // measured (subsets of 500): real vs real 0.014 ± 0.016; the built-in generator 0.169 ± 0.012, where the one
    // before it (last-step weights, no label smoothing) had 0.485 ± 0.034
    private static final double FLOOR = 0.05;
    private static final double GAN_MIN = 0.1;
    private static final double GAN_MAX = 0.25;
}
