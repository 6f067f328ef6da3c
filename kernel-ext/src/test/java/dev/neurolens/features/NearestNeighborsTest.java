package dev.neurolens.features;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NearestNeighborsTest {

    static FeatureMatrix random(int n, int d, long seed, boolean quantized) {
        Random r = new Random(seed);
        double[][] rows = new double[n][d];
        for (double[] row : rows) {
            for (int j = 0; j < d; j++) {
                // quantized values make exact distance ties, which must go to the lower id
                row[j] = quantized ? r.nextInt(3) : 100 + r.nextGaussian();
            }
        }
        return FeatureMatrix.of(rows, "random");
    }

    static int[] brute(FeatureMatrix base, FeatureMatrix q, int i, int k, boolean self) {
        double[] d = new double[base.rows()];
        for (int b = 0; b < base.rows(); b++) {
            double s = 0;
            for (int j = 0; j < base.dims(); j++) {
                double t = (double) q.get(i, j) - base.get(b, j);
                s += t * t;
            }
            d[b] = s;
        }
        return IntStream.range(0, base.rows()).boxed().filter(b -> !(self && b == i))
                .sorted(Comparator.<Integer>comparingDouble(b -> d[b]).thenComparing(b -> b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void queryEqualsBruteForce() {
        // a large offset (100) makes the float32 |q|^2 - 2qx + |x|^2 shortcut lose digits: the exact re-ranking must fix that
        FeatureMatrix base = random(3000, 24, 1, false);
        FeatureMatrix q = random(40, 24, 2, false);
        NearestNeighbors.Neighbors nn = NearestNeighbors.of(base).query(q, 10);
        for (int i = 0; i < q.rows(); i++) {
            assertArrayEquals(brute(base, q, i, 10, false), nn.indices(i), "query " + i);
            double[] d = nn.distances(i);
            for (int t = 1; t < d.length; t++) {
                assertTrue(d[t] >= d[t - 1]);
            }
        }
    }

    @Test
    void selfQueryExcludesTheRowAndBreaksTiesByLowerId() {
        FeatureMatrix base = random(400, 3, 3, true);
        NearestNeighbors.Neighbors nn = NearestNeighbors.of(base).selfQuery(5);
        for (int i = 0; i < base.rows(); i++) {
            int[] want = brute(base, base, i, 5, true);
            int[] got = nn.indices(i);
            assertEquals(5, got.length);
            for (int g : got) {
                assertTrue(g != i);
            }
            double[] dd = nn.distances(i);
            for (int t = 0; t < 5; t++) {
                double s = 0;
                for (int j = 0; j < 3; j++) {
                    double v = base.get(i, j) - base.get(want[t], j);
                    s += v * v;
                }
                assertEquals(Math.sqrt(s), dd[t], 1e-9);
            }
            assertArrayEquals(want, got, "row " + i);
        }
    }
}
