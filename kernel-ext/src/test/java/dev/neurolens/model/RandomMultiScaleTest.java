package dev.neurolens.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The random multi-scale texture network: its pyramid step against a plain-Java binomial blur with reflected
 * borders, its filters (zero mean, unit norm), its receptive fields, and finite gradients over many passes (a
 * blur made of overlapping slices gave libtorch 2.7.1 an occasional NaN gradient; the pooled one must not).
 */
class RandomMultiScaleTest {
    private static Network net;

    @BeforeAll
    static void load() {
        net = Models.random(Architecture.RANDOM_MULTISCALE, 0);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    /** Reflect-padded [1 4 6 4 1]/16 blur in both axes, every second pixel from the first: the pyramid step. */
    static float[] blurDown(float[] x, int c, int h, int w) {
        float[] k = {1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f};
        int oh = (h + 1) / 2;
        int ow = (w + 1) / 2;
        float[] out = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    for (int dy = -2; dy <= 2; dy++) {
                        for (int dx = -2; dx <= 2; dx++) {
                            int y = reflect(2 * oy + dy, h);
                            int xx = reflect(2 * ox + dx, w);
                            s += k[dy + 2] * k[dx + 2] * x[(ch * h + y) * w + xx];
                        }
                    }
                    out[(ch * oh + oy) * ow + ox] = (float) s;
                }
            }
        }
        return out;
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }

    @Test
    void thePyramidStepIsABinomialBlurWithReflectedBordersThenEverySecondPixel() {
        Random r = new Random(3);
        for (int[] hw : new int[][] {{17, 24}, {8, 9}, {3, 5}}) {
            float[] v = new float[3 * hw[0] * hw[1]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            Tensor x = Tensor.of(v, 1, 3, hw[0], hw[1]);
            Tensor down = net.run(x, "down2").get("down2");
            assertArrayEquals(new long[] {1, 3, (hw[0] + 1) / 2, (hw[1] + 1) / 2}, down.shape());
            assertArrayEquals(blurDown(v, 3, hw[0], hw[1]), down.toFloatArray(), 1e-5f, hw[0] + "x" + hw[1]);
        }
    }

    @Test
    void filtersHaveZeroMeanAndUnitNormAndTheFieldsDoubleWithEachLevel() {
        Map<String, NDArray> w = net.parameters();
        for (String level : new String[] {"scale1", "scale2", "scale4", "scale8"}) {
            Tensor f = Tensor.from(w.get(level + ".conv.weight"));
            assertArrayEquals(new long[] {128, 3, 5, 5}, f.shape());
            float[] v = f.toFloatArray();
            for (int o = 0; o < 128; o++) {
                double sum = 0;
                double sq = 0;
                for (int i = o * 75; i < (o + 1) * 75; i++) {
                    sum += v[i];
                    sq += v[i] * (double) v[i];
                }
                assertEquals(0, sum, 1e-4, level + " filter " + o);
                assertEquals(1, sq, 1e-4, level + " filter " + o);
            }
        }
        assertEquals(5, net.receptiveField("scale1").size());
        assertEquals(13, net.receptiveField("scale2").size());
        assertEquals(29, net.receptiveField("scale4").size());
        assertEquals(61, net.receptiveField("scale8").size());
        assertTrue(net.randomWeights());
    }

    @Test
    void gradientsStayFiniteOverManyPasses() {
        String[] levels = {"scale1", "scale2", "scale4", "scale8"};
        for (int it = 0; it < 300; it++) {
            try (NDManager m = net.newScope()) {
                NDArray x = m.randomNormal(new Shape(1, 3, 85, 128));
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    Map<String, NDArray> out = net.forward(x, Forward.capture(levels));
                    NDArray loss = null;
                    for (String l : levels) {
                        NDArray e = out.get(l).square().mean();
                        loss = loss == null ? e : loss.add(e);
                    }
                    gc.backward(loss);
                }
                NDArray g = x.getGradient();
                assertFalse(g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean(), "pass " + it);
            }
        }
    }
}
