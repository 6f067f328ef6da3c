package dev.neurolens.dissect;

import java.util.Arrays;
import java.util.Random;

/**
 * The arithmetic of a dissection, apart from any network: per-unit activation quantiles (pass 1) and
 * unit-mask/concept intersections and unions summed over samples (pass 2). Feed it activation batches
 * {@code N x U x h x w} (row-major floats) and label maps at image size {@code H x W}.
 *
 * <p>Quantiles: every value of a unit (all samples, all feature-map positions) is kept until {@code capacity}
 * values have been seen; after that a uniform reservoir sample of {@code capacity} values stands in for them.
 * The threshold interpolates linearly between order statistics, as {@code numpy.quantile} does.
 */
final class Tally {
    private final int units;
    private final int concepts;
    private final int h;
    private final int w;
    private final int imgH;
    private final int imgW;
    private final int capacity;
    private final float[][] reservoir;
    private final long[] seen;
    private final Random random;
    private final long[][] intersection;
    private final long[] unitPixels;
    private final long[] conceptPixels;
    private final double[] activeSum;
    private final long[] activeCount;
    private final Upsampler up;

    Tally(int units, int concepts, int h, int w, int imgH, int imgW, int capacity, long seed) {
        this.units = units;
        this.concepts = concepts;
        this.h = h;
        this.w = w;
        this.imgH = imgH;
        this.imgW = imgW;
        this.capacity = capacity;
        this.reservoir = new float[units][];
        this.seen = new long[units];
        this.random = new Random(seed);
        this.intersection = new long[units][concepts];
        this.unitPixels = new long[units];
        this.conceptPixels = new long[concepts];
        this.activeSum = new double[units];
        this.activeCount = new long[units];
        this.up = new Upsampler(h, w, imgH, imgW);
    }

    /** Pass 1: the values of {@code n} samples' activations {@code n x U x h x w}. */
    void addValues(float[] acts, int n) {
        int plane = h * w;
        for (int u = 0; u < units; u++) {
            if (reservoir[u] == null) {
                reservoir[u] = new float[Math.min(capacity, 1024)];
            }
            for (int i = 0; i < n; i++) {
                int base = (i * units + u) * plane;
                for (int p = 0; p < plane; p++) {
                    offer(u, acts[base + p]);
                }
            }
        }
    }

    private void offer(int u, float v) {
        long k = seen[u]++;
        if (k < capacity) {
            if (k >= reservoir[u].length) {
                reservoir[u] = Arrays.copyOf(reservoir[u], (int) Math.min(capacity, 2L * reservoir[u].length));
            }
            reservoir[u][(int) k] = v;
        } else {
            long j = (long) (random.nextDouble() * (k + 1));
            if (j < capacity) {
                reservoir[u][(int) j] = v;
            }
        }
    }

    /** Whether every value seen so far is kept (thresholds are then exact quantiles). */
    boolean exact() {
        for (long s : seen) {
            if (s > capacity) {
                return false;
            }
        }
        return true;
    }

    /** Per-unit {@code q}-quantile of the values seen. */
    float[] thresholds(double q) {
        float[] t = new float[units];
        for (int u = 0; u < units; u++) {
            int n = (int) Math.min(seen[u], capacity);
            if (n == 0) {
                throw new IllegalStateException("no activations seen for unit " + u);
            }
            float[] v = Arrays.copyOf(reservoir[u], n);
            Arrays.sort(v);
            t[u] = quantile(v, q);
        }
        return t;
    }

    /** Linear interpolation between order statistics of sorted {@code v}, as numpy's default. */
    static float quantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double f = pos - lo;
        return (float) (sorted[lo] + f * (sorted[hi] - sorted[lo]));
    }

    /**
     * Pass 2: for each sample and unit, the unit's map upsampled to the image and thresholded is the unit's
     * mask; counts its overlap with each concept's pixels in {@code labels} (one map of {@code H*W} per sample).
     */
    void addMasks(float[] acts, int n, int[][] labels, float[] thresholds) {
        int plane = h * w;
        float[] big = new float[imgH * imgW];
        for (int i = 0; i < n; i++) {
            int[] lab = labels[i];
            if (lab.length != imgH * imgW) {
                throw new IllegalArgumentException("label map has " + lab.length + " pixels, expected " + imgH + "x"
                        + imgW);
            }
            for (int l : lab) {
                if (l >= 0) {
                    conceptPixels[l]++;
                }
            }
            for (int u = 0; u < units; u++) {
                int base = (i * units + u) * plane;
                float t = thresholds[u];
                for (int p = 0; p < plane; p++) {
                    if (acts[base + p] > t) {
                        activeSum[u] += acts[base + p];
                        activeCount[u]++;
                    }
                }
                up.apply(acts, base, big);
                long[] inter = intersection[u];
                long a = 0;
                for (int p = 0; p < big.length; p++) {
                    if (big[p] > t) {
                        a++;
                        int l = lab[p];
                        if (l >= 0) {
                            inter[l]++;
                        }
                    }
                }
                unitPixels[u] += a;
            }
        }
    }

    /** IoU of every unit with every concept over the samples of pass 2: {@code [unit][concept]}. */
    double[][] iou() {
        double[][] r = new double[units][concepts];
        for (int u = 0; u < units; u++) {
            for (int c = 0; c < concepts; c++) {
                long i = intersection[u][c];
                long uni = unitPixels[u] + conceptPixels[c] - i;
                r[u][c] = uni == 0 ? 0 : i / (double) uni;
            }
        }
        return r;
    }

    /** Mean raw activation of each unit where it exceeds its threshold (the threshold where it never does). */
    float[] activeMeans(float[] thresholds) {
        float[] m = new float[units];
        for (int u = 0; u < units; u++) {
            m[u] = activeCount[u] == 0 ? thresholds[u] : (float) (activeSum[u] / activeCount[u]);
        }
        return m;
    }

    long[] conceptPixels() {
        return conceptPixels.clone();
    }

    long[] unitPixels() {
        return unitPixels.clone();
    }

    /**
     * Bilinear upsampling of an {@code h x w} map to {@code H x W} with half-pixel centres, as torch's
     * {@code interpolate(mode="bilinear", align_corners=False)}; the source indices and weights are computed once.
     */
    static final class Upsampler {
        private final int w;
        private final int[] y0;
        private final int[] y1;
        private final float[] wy;
        private final int[] x0;
        private final int[] x1;
        private final float[] wx;

        Upsampler(int h, int w, int outH, int outW) {
            this.w = w;
            y0 = new int[outH];
            y1 = new int[outH];
            wy = new float[outH];
            x0 = new int[outW];
            x1 = new int[outW];
            wx = new float[outW];
            axis(h, outH, y0, y1, wy);
            axis(w, outW, x0, x1, wx);
        }

        private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
            double scale = in / (double) out;
            for (int o = 0; o < out; o++) {
                double src = Math.max(0, (o + 0.5) * scale - 0.5);
                int lo = Math.min((int) Math.floor(src), in - 1);
                i0[o] = lo;
                i1[o] = Math.min(lo + 1, in - 1);
                frac[o] = (float) (src - lo);
            }
        }

        /** Upsamples the map starting at {@code src[offset]} into {@code dst} ({@code H * W}). */
        void apply(float[] src, int offset, float[] dst) {
            int outW = x0.length;
            for (int y = 0; y < y0.length; y++) {
                int r0 = offset + y0[y] * w;
                int r1 = offset + y1[y] * w;
                float fy = wy[y];
                int row = y * outW;
                for (int x = 0; x < outW; x++) {
                    float fx = wx[x];
                    float top = src[r0 + x0[x]] * (1 - fx) + src[r0 + x1[x]] * fx;
                    float bottom = src[r1 + x0[x]] * (1 - fx) + src[r1 + x1[x]] * fx;
                    dst[row + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }

        float[] apply(float[] map) {
            float[] out = new float[y0.length * x0.length];
            apply(map, 0, out);
            return out;
        }
    }
}
