package dev.neurolens.homework;

import dev.neurolens.model.Network;
import dev.neurolens.model.Scalar;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference solutions of homework 1 (the same code as notebooks/solutions/homework-1-saliency.ipynb),
 * written only with the layer API, pass every check; stubs report "not implemented yet"; a wrong answer fails.
 */
class SaliencyHomeworkTest {

    @BeforeAll
    static void register() {
        SaliencyHomework.register();
    }

    static float[][] saliency(Network model, Tensor image, int c) {
        Tensor g = model.gradient(image, "output", Scalar.logit(c)).gradient();
        int channels = (int) g.dim(1);
        int h = (int) g.dim(2);
        int w = (int) g.dim(3);
        float[][] map = new float[h][w];
        for (int k = 0; k < channels; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    map[y][x] = Math.max(map[y][x], Math.abs(g.get(0, k, y, x)));
                }
            }
        }
        return map;
    }

    static float[][] occlusion(Network model, Tensor image, int c, int patch, int stride) {
        int channels = (int) image.dim(1);
        int h = (int) image.dim(2);
        int w = (int) image.dim(3);
        float base = model.logits(image).get(0, c);
        float[] pixels = image.toFloatArray();
        float[][] sum = new float[h][w];
        int[][] count = new int[h][w];
        for (int y0 = 0; y0 + patch <= h; y0 += stride) {
            for (int x0 = 0; x0 + patch <= w; x0 += stride) {
                float[] v = pixels.clone();
                for (int k = 0; k < channels; k++) {
                    for (int y = y0; y < y0 + patch; y++) {
                        for (int x = x0; x < x0 + patch; x++) {
                            v[(k * h + y) * w + x] = 0;
                        }
                    }
                }
                float drop = base - model.logits(Tensor.of(v, 1, channels, h, w)).get(0, c);
                for (int y = y0; y < y0 + patch; y++) {
                    for (int x = x0; x < x0 + patch; x++) {
                        sum[y][x] += drop;
                        count[y][x]++;
                    }
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                sum[y][x] /= Math.max(1, count[y][x]);
            }
        }
        return sum;
    }

    static float[][] gradCam(Network model, Tensor image, int c, String layer) {
        Tensor a = model.run(image, layer).get(layer);
        Tensor g = model.gradient(image, "output", Scalar.logit(c), layer).gradient();
        int k = (int) a.dim(1);
        int h = (int) a.dim(2);
        int w = (int) a.dim(3);
        float[][] cam = new float[h][w];
        for (int ch = 0; ch < k; ch++) {
            double alpha = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    alpha += g.get(0, ch, y, x);
                }
            }
            alpha /= h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    cam[y][x] += (float) (alpha * a.get(0, ch, y, x));
                }
            }
        }
        for (float[] row : cam) {
            for (int x = 0; x < w; x++) {
                row[x] = Math.max(0, row[x]);
            }
        }
        return cam;
    }

    static float[][] smoothGrad(Network model, Tensor image, int c, Tensor noise, float level) {
        float[] x = image.toFloatArray();
        float sigma = level * (image.max() - image.min());
        int n = (int) noise.dim(0);
        float[][] mean = null;
        for (int i = 0; i < n; i++) {
            float[] e = noise.slice(i).toFloatArray();
            float[] noisy = new float[x.length];
            for (int p = 0; p < x.length; p++) {
                noisy[p] = x[p] + sigma * e[p];
            }
            float[][] m = saliency(model, Tensor.of(noisy, image.shape()), c);
            if (mean == null) {
                mean = new float[m.length][m[0].length];
            }
            for (int y = 0; y < m.length; y++) {
                for (int xx = 0; xx < m[0].length; xx++) {
                    mean[y][xx] += m[y][xx] / n;
                }
            }
        }
        return mean;
    }

    @Test
    void referenceSolutionsPass() {
        SaliencyHomework.saliency(SaliencyHomeworkTest::saliency);
        SaliencyHomework.occlusion(SaliencyHomeworkTest::occlusion);
        SaliencyHomework.gradCam(SaliencyHomeworkTest::gradCam);
        SaliencyHomework.smoothGrad(SaliencyHomeworkTest::smoothGrad);
        // the registry is shared with other homeworks (style transfer), so check this homework's parts by name
        for (String part : java.util.List.of("saliency", "occlusion", "gradcam", "smoothgrad")) {
            CheckResult r = Homework.check(part);
            System.out.println(r.line());
            assertTrue(r.passed(), r.line());
        }
    }

    @Test
    void stubsAndWrongAnswersAreReportedNotThrown() {
        SaliencyHomework.saliency((m, x, c) -> null);
        assertEquals(CheckResult.Status.NOT_IMPLEMENTED, Homework.check("saliency").status());
        SaliencyHomework.saliency((m, x, c) -> {
            throw new UnsupportedOperationException("not implemented yet");
        });
        assertEquals(CheckResult.Status.NOT_IMPLEMENTED, Homework.check("saliency").status());
        // the signed gradient instead of its absolute value
        SaliencyHomework.saliency((m, x, c) -> {
            Tensor g = m.gradient(x, "output", Scalar.logit(c)).gradient();
            return SaliencyHomework.toMap(g.slice(0).slice(0));
        });
        CheckResult wrong = Homework.check("saliency");
        assertEquals(CheckResult.Status.FAIL, wrong.status(), wrong.line());
        assertTrue(wrong.relativeError() > 0.1);
        SaliencyHomework.saliency((m, x, c) -> new float[3][3]);
        assertTrue(Homework.check("saliency").note().contains("expected a 28x28 map"));
        assertThrows(IllegalArgumentException.class, () -> Homework.check("salency"));
        assertTrue(Homework.check("saliency").mimeBundle().has("text/html"));
    }
}
