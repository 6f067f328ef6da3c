package dev.neurolens.optimize;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.Preprocessing;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The affine jitter and the spectral parameterization against hand computations. */
class LucidPiecesTest {
    private static final int N = 7;

    private static float[] ramp(int c) {
        float[] v = new float[c * N * N];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.7) + i * 0.01f;
        }
        return v;
    }

    @Test
    void quarterTurnIsAPermutationAndShiftRepeatsTheBorder() {
        float[] v = ramp(2);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(v, new Shape(1, 2, N, N));
            float[] same = Transform.warp(x, 0, 1, 0, 0).toFloatArray();
            float[] turned = Transform.warp(x, Math.PI / 2, 1, 0, 0).toFloatArray();
            float[] shifted = Transform.warp(x, 0, 1, 2, -1).toFloatArray();
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < N; y++) {
                    for (int xx = 0; xx < N; xx++) {
                        int o = (c * N + y) * N + xx;
                        assertEquals(v[o], same[o], 1e-6);
                        // output (y, x) reads source row cos*oy - sin*ox + c = c - ox, column sin*oy + c = y
                        int sy = N - 1 - xx;
                        assertEquals(v[(c * N + sy) * N + y], turned[o], 1e-5, "quarter turn at " + y + "," + xx);
                        int ry = Math.max(0, Math.min(N - 1, y - 2));
                        int rx = Math.max(0, Math.min(N - 1, xx + 1));
                        assertEquals(v[(c * N + ry) * N + rx], shifted[o], 1e-6, "shift at " + y + "," + xx);
                    }
                }
            }
        }
    }

    @Test
    void warpGradientIsTheTransposeOfItsSampling() {
        // half a pixel of shift in a scaled copy: each output reads four inputs; d(sum out)/d(in) sums the weights
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(ramp(1), new Shape(1, 1, N, N));
            x.setRequiresGradient(true);
            float[] grad;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = Transform.warp(x, 0.3, 1.2, 1, 0);
                gc.backward(y.sum());
            }
            grad = x.getGradient().toFloatArray();
            double total = 0;
            for (float g : grad) {
                total += g;
                assertTrue(g >= 0, "weights are non-negative");
            }
            // bilinear weights of each output sum to 1
            assertEquals(N * N, total, 1e-3);
        }
    }

    @Test
    void affineRefusesNegativeRanges() {
        assertThrows(IllegalArgumentException.class, () -> Transform.affine(-1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Transform.affine(5, 1.1, 0.9, 0));
    }

    @Test
    void cosineBasisIsOrthonormalAndSpectralImagesAreCosines() {
        int n = 9;
        float[] b = Parameterization.cosineBasis(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += (double) b[i * n + k] * b[j * n + k];
                }
                assertEquals(i == j ? 1 : 0, dot, 1e-5);
            }
        }
        float[] scale = Parameterization.frequencyScale(n, n, 1.5);
        double sq = 0;
        for (float s : scale) {
            sq += s * s;
            assertTrue(s <= scale[0] + 1e-6, "the lowest frequency has the largest scale");
        }
        assertEquals(1.0, Math.sqrt(sq / scale.length), 1e-5);

        Preprocessing grey = new Preprocessing(1, n, n, new float[] {0.25f}, new float[] {0.5f});
        Parameterization p = Parameterization.spectral(grey, 1.5, 0.2);
        int ky = 2;
        int kx = 3;
        float a = 0.4f;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] zero = p.toImage(m.zeros(new Shape(1, 1, n, n))).toFloatArray();
            for (float z : zero) {
                assertEquals((0.2 - 0.25) / 0.5, z, 1e-5, "no coefficients: the start grey everywhere");
            }
            float[] coef = new float[n * n];
            coef[ky * n + kx] = a;
            float[] img = p.toImage(m.create(coef, new Shape(1, 1, n, n))).toFloatArray();
            double offset = Math.log(0.2 / 0.8);
            double s = scale[ky * n + kx];
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double wave = Math.sqrt(2.0 / n) * Math.cos(Math.PI * (y + 0.5) * ky / n)
                            * Math.sqrt(2.0 / n) * Math.cos(Math.PI * (x + 0.5) * kx / n);
                    double px = 1 / (1 + Math.exp(-(offset + a * s * wave)));
                    assertEquals((px - 0.25) / 0.5, img[y * n + x], 1e-5, "pixel " + y + "," + x);
                }
            }
            NDArray start = p.init(m, new long[] {1, 1, n, n}, new Random(1));
            assertTrue(start.abs().max().getFloat() < 0.06f, "the start is small noise");
        }
        assertThrows(IllegalArgumentException.class, () -> Parameterization.spectral(grey, 1, 1.5));
    }
}
