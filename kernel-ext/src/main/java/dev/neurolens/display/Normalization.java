package dev.neurolens.display;

/**
 * How a map's values are put onto a colour scale: which value is the bottom of the scale and which the top.
 * Signed attributions want {@link #symmetric()} so that 0 sits on a diverging map's neutral middle; fixed ranges
 * keep several maps comparable.
 */
public final class Normalization {
    private enum Kind { AUTO, MIN_MAX, SYMMETRIC, FIXED }

    private static final Normalization AUTO_INSTANCE = new Normalization(Kind.AUTO, 0, 0);
    private static final Normalization MIN_MAX_INSTANCE = new Normalization(Kind.MIN_MAX, 0, 0);
    private static final Normalization SYMMETRIC_INSTANCE = new Normalization(Kind.SYMMETRIC, 0, 0);

    private final Kind kind;
    private final double lo;
    private final double hi;

    private Normalization(Kind kind, double lo, double hi) {
        this.kind = kind;
        this.lo = lo;
        this.hi = hi;
    }

    /** Symmetric when the map has both signs, min-max otherwise. */
    public static Normalization auto() {
        return AUTO_INSTANCE;
    }

    public static Normalization minMax() {
        return MIN_MAX_INSTANCE;
    }

    /** [-m, m] with m the largest magnitude, so 0 maps to the middle of the scale. */
    public static Normalization symmetric() {
        return SYMMETRIC_INSTANCE;
    }

    public static Normalization fixed(double lo, double hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("fixed range needs lo < hi, got [" + lo + ", " + hi + "]");
        }
        return new Normalization(Kind.FIXED, lo, hi);
    }

    /** The value range {lo, hi} this normalization gives for map (NaNs ignored). */
    public double[] range(float[][] map) {
        if (kind == Kind.FIXED) {
            return new double[] {lo, hi};
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float[] row : map) {
            for (float v : row) {
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        boolean sym = kind == Kind.SYMMETRIC || (kind == Kind.AUTO && min < 0 && max > 0);
        if (sym) {
            double m = Math.max(Math.abs(min), Math.abs(max));
            // An all-zero map still needs a non-empty range; it shows as the neutral middle.
            return m > 0 ? new double[] {-m, m} : new double[] {-1, 1};
        }
        // A constant map shows as the bottom of the scale.
        return max > min ? new double[] {min, max} : new double[] {min, min + 1};
    }

    /** Whether this normalization, applied to map, centres 0 on the scale (picks a diverging default colormap). */
    boolean isSigned(float[][] map) {
        if (kind == Kind.FIXED) {
            return lo < 0 && hi > 0 && Math.abs(lo + hi) < 1e-9 * (hi - lo);
        }
        double[] r = range(map);
        return r[0] < 0 && r[0] == -r[1];
    }

    /** Position of v on the scale [lo, hi]: 0 at lo, 1 at hi, unclamped. */
    static double position(double v, double[] range) {
        return (v - range[0]) / (range[1] - range[0]);
    }

    @Override
    public String toString() {
        return kind == Kind.FIXED ? "fixed[" + lo + ", " + hi + "]" : kind.name().toLowerCase();
    }
}
