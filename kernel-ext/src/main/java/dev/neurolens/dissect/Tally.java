package dev.neurolens.dissect;


/**
 * The arithmetic of a dissection, apart from any network: per-unit activation quantiles (pass 1) and
 * unit-mask/concept intersections and unions summed over samples (pass 2). Feed it activation batches
 * {@code N x U x h x w} (row-major floats) and label maps at image size {@code H x W}.
 *
 * <p>Quantiles come from one {@link QuantileSketch} per unit: exact when the values above the quantile fit in
 * {@code capacity} (1% of them for q = 0.99), else from a uniform sample of {@code capacity} values. Every part
 * of the state merges ({@link #merge}), so tallies of disjoint samples add up to the tally of all of them.
 *
 * <p>Pass 2 skips work that cannot count: bilinear upsampling never exceeds the larger of a pixel's source rows,
 * so an output row whose two source rows stay at or below the threshold has no mask pixel, and is not computed.
 * At the usual top-1% threshold most rows of most maps are skipped.
 */
final class Tally implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int units;
    private final int concepts;
    private final int h;
    private final int w;
    private final int imgH;
    private final int imgW;
    private final QuantileSketch[] sketches;
    private final long[][] intersection;
    private final long[] unitPixels;
    private final long[] conceptPixels;
    private final double[] activeSum;
    private final long[] activeCount;
    private final Upsampler up;
    private final double q;
    private final long maxValues;
    private final int capacity;
    private final long seed;

    /**
     * @param q         the quantile that {@link #thresholds()} gives, e.g. 0.99
     * @param maxValues the most values one unit will see: samples x h x w, over all tallies that will merge
     * @param capacity  the most values kept per unit
     */
    Tally(int units, int concepts, int h, int w, int imgH, int imgW, double q, long maxValues, int capacity,
          long seed) {
        this(units, concepts, h, w, imgH, imgW, q, maxValues, capacity, seed, true);
    }

    /** With {@code sketches} false, a tally of pass 2's counts only, which never sees values. */
    private Tally(int units, int concepts, int h, int w, int imgH, int imgW, double q, long maxValues, int capacity,
                  long seed, boolean sketches) {
        this.units = units;
        this.concepts = concepts;
        this.h = h;
        this.w = w;
        this.imgH = imgH;
        this.imgW = imgW;
        this.sketches = sketches ? new QuantileSketch[units] : null;
        for (int u = 0; sketches && u < units; u++) {
            this.sketches[u] = new QuantileSketch(q, maxValues, capacity, seed * 1_000_003L + u);
        }
        this.intersection = new long[units][concepts];
        this.unitPixels = new long[units];
        this.conceptPixels = new long[concepts];
        this.activeSum = new double[units];
        this.activeCount = new long[units];
        this.up = new Upsampler(h, w, imgH, imgW);
        this.q = q;
        this.maxValues = maxValues;
        this.capacity = capacity;
        this.seed = seed;
    }

    /** A tally of counts with the same settings that has seen nothing: where pass 2 of some samples starts. */
    Tally countsLike() {
        return shape().counts();
    }

    /** The settings alone, small enough to send with every task. */
    Shape shape() {
        return new Shape(units, concepts, h, w, imgH, imgW, q, maxValues, capacity, seed);
    }

    record Shape(int units, int concepts, int h, int w, int imgH, int imgW, double q, long maxValues, int capacity,
                 long seed) implements java.io.Serializable {
        /** An empty tally of pass 2's counts, without the sketches that only pass 1 fills. */
        Tally counts() {
            return new Tally(units, concepts, h, w, imgH, imgW, q, maxValues, capacity, seed, false);
        }
    }

    /** Pass 1: the values of {@code n} samples' activations {@code n x U x h x w}, sample ids from {@code first}. */
    void addValues(float[] acts, int n, long first) {
        sketches();
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            for (int u = 0; u < units; u++) {
                sketches[u].offer(acts, (i * units + u) * plane, plane, (first + i) * plane);
            }
        }
    }

    /** Whether the thresholds are exact quantiles (not from a sample). */
    boolean exact() {
        for (QuantileSketch s : sketches()) {
            if (!s.exact()) {
                return false;
            }
        }
        return true;
    }

    /** Per-unit quantile of the values seen. */
    float[] thresholds() {
        sketches();
        float[] t = new float[units];
        for (int u = 0; u < units; u++) {
            if (sketches[u].count() == 0) {
                throw new IllegalStateException("no activations seen for unit " + u);
            }
            t[u] = sketches[u].quantile();
        }
        return t;
    }

    private QuantileSketch[] sketches() {
        if (sketches == null) {
            throw new IllegalStateException("a tally of pass 2's counts has no values");
        }
        return sketches;
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
        float[] rowMax = new float[h];
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
                boolean any = false;
                for (int y = 0; y < h; y++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int x = 0, p = base + y * w; x < w; x++, p++) {
                        float v = acts[p];
                        m = Math.max(m, v);
                        if (v > t) {
                            activeSum[u] += v;
                            activeCount[u]++;
                        }
                    }
                    rowMax[y] = m;
                    any |= m > t;
                }
                if (any) {
                    unitPixels[u] += up.countAbove(acts, base, rowMax, t, lab, intersection[u]);
                }
            }
        }
    }

    /** Adds the counts and sketches of {@code other}, a tally of other samples with the same settings. */
    void merge(Tally other) {
        if (other.units != units || other.concepts != concepts || other.h != h || other.w != w
                || other.imgH != imgH || other.imgW != imgW) {
            throw new IllegalArgumentException("tallies of different layers or images cannot merge");
        }
        if ((sketches == null) != (other.sketches == null)) {
            throw new IllegalArgumentException("a tally of values and a tally of counts cannot merge");
        }
        for (int u = 0; u < units; u++) {
            if (sketches != null) {
                sketches[u].merge(other.sketches[u]);
            }
            for (int c = 0; c < concepts; c++) {
                intersection[u][c] += other.intersection[u][c];
            }
            unitPixels[u] += other.unitPixels[u];
            activeSum[u] += other.activeSum[u];
            activeCount[u] += other.activeCount[u];
        }
        for (int c = 0; c < concepts; c++) {
            conceptPixels[c] += other.conceptPixels[c];
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

    int mapH() {
        return h;
    }

    int mapW() {
        return w;
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
    static final class Upsampler implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
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

        /**
         * Counts the upsampled map's pixels above {@code t} and adds each one's concept ({@code labels}, negative
         * for none) to {@code inter}. Output rows whose two source rows peak at or below {@code t} are skipped;
         * each needed source row is interpolated along x once. Same arithmetic, in the same order, as {@link
         * #apply}.
         */
        long countAbove(float[] src, int offset, float[] rowMax, float t, int[] labels, long[] inter) {
            int outW = x0.length;
            int h = rowMax.length;
            if (rows == null || rows.length != h) {
                rows = new float[h][outW];
                ready = new int[h];
            }
            stamp++;
            long count = 0;
            for (int y = 0; y < y0.length; y++) {
                int a = y0[y];
                int b = y1[y];
                if (!(rowMax[a] > t) && !(rowMax[b] > t)) {
                    continue;
                }
                float[] top = row(src, offset, a);
                float[] bottom = row(src, offset, b);
                float fy = wy[y];
                int base = y * outW;
                for (int x = 0; x < outW; x++) {
                    if (top[x] * (1 - fy) + bottom[x] * fy > t) {
                        count++;
                        int l = labels[base + x];
                        if (l >= 0) {
                            inter[l]++;
                        }
                    }
                }
            }
            return count;
        }

        private transient float[][] rows;
        private transient int[] ready;
        private transient int stamp;

        private float[] row(float[] src, int offset, int r) {
            float[] out = rows[r];
            if (ready[r] != stamp) {
                int s = offset + r * w;
                for (int x = 0; x < out.length; x++) {
                    float fx = wx[x];
                    out[x] = src[s + x0[x]] * (1 - fx) + src[s + x1[x]] * fx;
                }
                ready[r] = stamp;
            }
            return out;
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
