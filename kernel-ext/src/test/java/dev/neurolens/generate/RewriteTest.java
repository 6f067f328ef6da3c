package dev.neurolens.generate;

import dev.neurolens.model.Architecture;
import dev.neurolens.model.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rank-one rewrite against its defining properties and an independent constrained least-squares solve. */
class RewriteTest {

    private static DMatrixRMaj random(int rows, int cols, Random r) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.set(i, r.nextGaussian());
        }
        return m;
    }

    /**
     * The closed form against the KKT system of min sum_keys |(W' - W) k|^2 s.t. W' k* = v*, solved directly over
     * all m*n entries of W' - W (Kronecker form), without the rank-one shortcut.
     */
    @Test
    void closedFormEqualsDirectConstrainedLeastSquares() {
        Random r = new Random(3);
        int m = 5;
        int n = 4;
        DMatrixRMaj w = random(m, n, r);
        DMatrixRMaj keys = random(n, 40, r);
        DMatrixRMaj c = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(keys, keys, c);
        CommonOps_DDRM.divide(c, 40);
        DMatrixRMaj kStar = random(n, 1, r);
        DMatrixRMaj vStar = random(m, 1, r);
        DMatrixRMaj d = new DMatrixRMaj(n, 1);
        DMatrixRMaj edited = Rewrite.rankOneUpdate(w, c, kStar, vStar, d);

        // unknowns: delta (row-major m x n), then m multipliers; objective sum_rows delta_r^T C delta_r
        int u = m * n;
        DMatrixRMaj a = new DMatrixRMaj(u + m, u + m);
        DMatrixRMaj b = new DMatrixRMaj(u + m, 1);
        DMatrixRMaj wk = new DMatrixRMaj(m, 1);
        CommonOps_DDRM.mult(w, kStar, wk);
        for (int row = 0; row < m; row++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a.set(row * n + i, row * n + j, 2 * c.get(i, j));
                }
                a.set(row * n + i, u + row, kStar.get(i));
                a.set(u + row, row * n + i, kStar.get(i));
            }
            b.set(u + row, vStar.get(row) - wk.get(row));
        }
        DMatrixRMaj x = new DMatrixRMaj(u + m, 1);
        assertTrue(CommonOps_DDRM.solve(a, b, x));
        for (int row = 0; row < m; row++) {
            for (int i = 0; i < n; i++) {
                assertEquals(w.get(row, i) + x.get(row * n + i), edited.get(row, i), 1e-10, "entry " + row + "," + i);
            }
        }
        DMatrixRMaj check = new DMatrixRMaj(m, 1);
        CommonOps_DDRM.mult(edited, kStar, check);
        for (int row = 0; row < m; row++) {
            assertEquals(vStar.get(row), check.get(row), 1e-10);
        }
    }

    private static double[] times(float[] weight, int n, int m, float[] k) {
        double[] out = new double[m];
        for (int i = 0; i < n; i++) {
            for (int row = 0; row < m; row++) {
                out[row] += weight[i * m + row] * (double) k[i];
            }
        }
        return out;
    }

    private static double relative(double[] a, double[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void editedLayerWritesTheTargetForTheContextAndKeepsOrthogonalKeys() {
        try (Generator g = Generator.of(Architecture.dcganGenerator(16, 8, 3, 32).randomInit(5), 16)) {
            float[] before = g.network().parameters().get("main.3.weight").toFloatArray();
            Tensor imagesBefore = g.generate(g.sampleZ(2, 9));
            Tensor z = g.sampleZ(2, 7);
            float[] context = new float[2 * 32 * 32];
            float[] source = new float[2 * 32 * 32];
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    context[y * 32 + x] = y < 12 && x < 12 ? 1 : 0;           // top left of sample 0
                    source[1024 + y * 32 + x] = y >= 16 && x >= 16 ? 1 : 0;   // bottom right of sample 1
                }
            }
            Rewrite rewrite = Rewrite.of(g, "main.3").keys(64, 1).context(z, Tensor.of(context, 2, 32, 32))
                    .copy(z, Tensor.of(source, 2, 32, 32)).preview(4, 2);
            assertEquals("main.2", rewrite.keyLayer(), "keys are the ReLU output feeding main.3");
            RewriteResult r = rewrite.apply();
            try (Generator edited = r.edited()) {
                float[] after = edited.network().parameters().get("main.3.weight").toFloatArray();
                int n = 32;
                int m = 16 * 16;
                float[] k = r.contextKey();
                double err = relative(times(after, n, m, k), toDouble(r.targetValue()));
                assertTrue(err < 1e-4, "W' k* = v* within " + err);
                // v* is the copy: W k_src, which differs from W k* (else the edit would be a no-op)
                assertTrue(relative(times(before, n, m, k), toDouble(r.targetValue())) > 0.05);

                float[] d = r.direction();
                Random rnd = new Random(1);
                for (int trial = 0; trial < 5; trial++) {
                    float[] key = new float[n];
                    double dk = 0;
                    double dd = 0;
                    for (int i = 0; i < n; i++) {
                        key[i] = (float) Math.abs(rnd.nextGaussian());
                    }
                    for (int i = 0; i < n; i++) {
                        dk += d[i] * (double) key[i];
                        dd += d[i] * (double) d[i];
                    }
                    for (int i = 0; i < n; i++) {
                        key[i] -= (float) (dk / dd * d[i]);
                    }
                    double e = relative(times(after, n, m, key), times(before, n, m, key));
                    assertTrue(e < 1e-5, "a key with d^T k = 0 changed by " + e);
                }
                assertTrue(r.meanChange() > 0, "the edit shows in the samples");
                assertEquals(4, r.before().dim(0));
            }
            assertArrayEquals(before, g.network().parameters().get("main.3.weight").toFloatArray(), "original untouched");
            assertArrayEquals(imagesBefore.toFloatArray(), g.generate(g.sampleZ(2, 9)).toFloatArray());
        }
    }

    @Test
    void firstLayerKeysAreTheCodesAndWrongLayersSaySo() {
        try (Generator g = Generator.of(Architecture.dcganGenerator(16, 8, 3, 32).randomInit(5), 16)) {
            Rewrite first = Rewrite.of(g, "main.0");
            assertEquals(null, first.keyLayer());
            Tensor z = g.sampleZ(1, 3);
            float[] v = new float[32 * 16];
            v[0] = 1;
            RewriteResult r = first.context(z, Tensor.of(new float[] {1}, 1, 1, 1)).target(v).apply();
            r.edited().close();
            assertArrayEquals(z.toFloatArray(), r.contextKey(), 1e-6f, "k* of one code with a full mask is the code");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rewrite.of(g, "main.1"));
            assertTrue(e.getMessage().contains("main.0, main.3, main.6, main.9"), e.getMessage());
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
