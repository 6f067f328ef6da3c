package dev.neurolens.attribution;

import java.util.Arrays;

/**
 * How alike two maps are, the measures of Adebayo et al. (2018): Spearman rank correlation (of absolute
 * values, and signed) and SSIM of the maps scaled to [0, 1].
 */
public final class Similarity {
    private Similarity() {
    }

    /** Spearman rank correlation of |a| and |b| (ties get their mean rank). */
    public static double spearmanAbs(float[][] a, float[][] b) {
        return pearson(ranks(flatten(a, true)), ranks(flatten(b, true)));
    }

    public static double spearman(float[][] a, float[][] b) {
        return pearson(ranks(flatten(a, false)), ranks(flatten(b, false)));
    }

    /**
     * Structural similarity with 7x7 uniform windows (as skimage's default), constants for a [0, 1] range,
     * each map min-max scaled first; the mean over all windows.
     */
    public static double ssim(float[][] a, float[][] b) {
        int h = a.length;
        int w = a[0].length;
        if (b.length != h || b[0].length != w) {
            throw new IllegalArgumentException("maps differ in size: " + h + "x" + w + " vs " + b.length + "x"
                    + b[0].length);
        }
        double[][] x = scaled(a);
        double[][] y = scaled(b);
        int win = Math.min(7, Math.min(h, w));
        double c1 = 0.01 * 0.01;
        double c2 = 0.03 * 0.03;
        double total = 0;
        int windows = 0;
        double np = win * win;
        for (int i = 0; i + win <= h; i++) {
            for (int j = 0; j + win <= w; j++) {
                double mx = 0;
                double my = 0;
                for (int u = i; u < i + win; u++) {
                    for (int v = j; v < j + win; v++) {
                        mx += x[u][v];
                        my += y[u][v];
                    }
                }
                mx /= np;
                my /= np;
                double vx = 0;
                double vy = 0;
                double cxy = 0;
                for (int u = i; u < i + win; u++) {
                    for (int v = j; v < j + win; v++) {
                        double dx = x[u][v] - mx;
                        double dy = y[u][v] - my;
                        vx += dx * dx;
                        vy += dy * dy;
                        cxy += dx * dy;
                    }
                }
                // sample covariance, as skimage
                vx /= np - 1;
                vy /= np - 1;
                cxy /= np - 1;
                total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                windows++;
            }
        }
        return total / windows;
    }

    static double[][] scaled(float[][] m) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float[] row : m) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double range = hi - lo;
        double[][] out = new double[m.length][m[0].length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                out[i][j] = range > 0 ? (m[i][j] - lo) / range : 0;
            }
        }
        return out;
    }

    private static double[] flatten(float[][] m, boolean abs) {
        double[] v = new double[m.length * m[0].length];
        int k = 0;
        for (float[] row : m) {
            for (float f : row) {
                v[k++] = abs ? Math.abs(f) : f;
            }
        }
        return v;
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (p, q) -> Double.compare(v[p], v[q]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = mean;
            }
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] a, double[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        // a constant map (all ties) carries no ranking: no similarity
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }
}
