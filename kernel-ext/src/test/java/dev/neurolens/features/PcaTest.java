package dev.neurolens.features;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PcaTest {
    @Test
    void recoversKnownAxesAndVariances() {
        // x = 3 a e1' + 1 b e2' + 0.1 noise, with e1', e2' rotated by 30 degrees in the (0, 1) plane
        Random r = new Random(7);
        int n = 20000;
        double[][] rows = new double[n][4];
        double c = Math.cos(Math.PI / 6);
        double s = Math.sin(Math.PI / 6);
        for (double[] row : rows) {
            double a = 3 * r.nextGaussian();
            double b = r.nextGaussian();
            row[0] = 5 + a * c - b * s;
            row[1] = -2 + a * s + b * c;
            row[2] = 0.1 * r.nextGaussian();
            row[3] = 0.1 * r.nextGaussian();
        }
        Pca p = Pca.fit(FeatureMatrix.of(rows, "test"), 2);
        double[] v = p.explainedVariance();
        assertEquals(9, v[0], 0.25);
        assertEquals(1, v[1], 0.05);
        double[] e1 = p.component(0);
        assertEquals(c, e1[0], 0.01);
        assertEquals(s, e1[1], 0.01);
        assertEquals(5, p.mean()[0], 0.05);
        double[] ratio = p.explainedVarianceRatio();
        assertEquals(9 / 10.02, ratio[0], 0.01);
        FeatureMatrix t = p.transform(FeatureMatrix.of(new double[][] {{5 + c, -2 + s, 0, 0}}, "q"));
        assertEquals(1, t.get(0, 0), 0.05);
        assertEquals(0, t.get(0, 1), 0.05);
    }
}
