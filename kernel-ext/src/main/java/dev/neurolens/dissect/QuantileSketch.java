package dev.neurolens.dissect;

import java.util.Arrays;

/**
 * One unit's {@code q}-quantile over a stream of at most {@code maxCount} values, exact where memory allows and
 * mergeable either way, so that partitions of a data set (threads, Spark tasks) reduce to the single-machine answer.
 *
 * <p>Exact mode: a high quantile only needs the values above it. The {@code q}-quantile of {@code n} values
 * interpolates between the order statistics at {@code floor(q (n - 1))} and the next, so keeping the largest
 * {@code maxCount - floor(q (maxCount - 1))} values (the "tail", 1% of them for q = 0.99) gives it exactly for any
 * {@code n <= maxCount}. Two tails merge into the tail of the union. Sampled mode, when the tail would exceed
 * {@code capacity}: a bottom-k sample, the {@code capacity} values whose position hash is smallest. The hash
 * depends only on where a value sits (sample id, position), so any split of the samples keeps the same sample.
 *
 * <p>Both modes buffer candidates beyond the current cut and compact now and then (sort, keep the best), so most
 * values cost one comparison.
 */
final class QuantileSketch implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double q;
    private final int keep;
    private final boolean exactTail;
    private final long seed;
    /** Exact mode: candidate values; sampled mode: keys (31-bit position hash << 32 | value bits). */
    private float[] values;
    private long[] packed;
    private int size;
    private float cutValue = Float.NEGATIVE_INFINITY;
    private long cut = Long.MAX_VALUE;
    private long count;

    /**
     * @param maxCount the most values this sketch (with all it will be merged with) will see
     * @param capacity the most values kept in memory; beyond it the quantile comes from a uniform sample
     */
    QuantileSketch(double q, long maxCount, int capacity, long seed) {
        this.q = q;
        this.seed = seed;
        long tail = maxCount - (long) Math.floor(q * (maxCount - 1));
        this.exactTail = tail <= capacity;
        this.keep = (int) (exactTail ? Math.max(1, tail) : capacity);
        int buffer = keep + Math.max(256, keep / 4);
        if (exactTail) {
            values = new float[Math.min(buffer, 1024)];
        } else {
            packed = new long[Math.min(buffer, 1024)];
        }
    }

    /** Offers {@code len} values from {@code src[offset]}, the {@code position}-th value of the stream first. */
    void offer(float[] src, int offset, int len, long position) {
        count += len;
        if (exactTail) {
            addTail(src, offset, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            long key = hash(position + i) << 32 | (Float.floatToRawIntBits(src[offset + i]) & 0xFFFFFFFFL);
            if (key < cut) {
                addSampled(key);
            }
        }
    }

    /** Adds everything {@code other} saw (same settings), as if this sketch had seen it too. */
    void merge(QuantileSketch other) {
        if (other.exactTail != exactTail || other.keep != keep || other.q != q || other.seed != seed) {
            throw new IllegalArgumentException("sketches with different settings cannot merge");
        }
        count += other.count;
        if (exactTail) {
            addTail(other.values, 0, other.size);
            return;
        }
        for (int i = 0; i < other.size; i++) {
            if (other.packed[i] < cut) {
                addSampled(other.packed[i]);
            }
        }
    }

    long count() {
        return count;
    }

    /** Whether {@link #quantile()} is exact: the tail is kept, or every value fit. */
    boolean exact() {
        return exactTail || count <= keep;
    }

    /** The {@code q}-quantile, linear between order statistics as {@code numpy.quantile}. */
    float quantile() {
        if (count == 0) {
            throw new IllegalStateException("no values seen");
        }
        if (exactTail) {
            float[] v = Arrays.copyOf(values, size);
            Arrays.sort(v);
            long lo = (long) Math.floor(q * (count - 1));
            // ranks from the top (0 = largest); the buffer holds at least the top min(count, keep)
            long rLo = count - 1 - lo;
            long rHi = Math.max(0, rLo - 1);
            if (rLo >= v.length) {
                throw new IllegalStateException("the sketch saw " + count + " values, more than it was sized for");
            }
            float a = v[(int) (v.length - 1 - rLo)];
            float b = v[(int) (v.length - 1 - rHi)];
            return (float) (a + (q * (count - 1) - lo) * (b - a));
        }
        long[] p = Arrays.copyOf(packed, size);
        Arrays.sort(p);
        float[] v = new float[Math.min(size, keep)];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat((int) p[i]);
        }
        Arrays.sort(v);
        return Tally.quantile(v, q);
    }

    /**
     * Candidates above the cut go to the buffer; a full buffer is sorted down to the top {@code keep}, whose least
     * becomes the cut. A value at or below the cut has at least {@code keep} values at or above it, so it can
     * never be among the top {@code keep}.
     */
    private void addTail(float[] src, int offset, int len) {
        float c = cutValue;
        for (int i = 0; i < len; i++) {
            float v = src[offset + i];
            if (v > c) {
                if (size == values.length) {
                    if (size > keep) {
                        Arrays.sort(values, 0, size);
                        System.arraycopy(values, size - keep, values, 0, keep);
                        size = keep;
                        c = cutValue = values[0];
                    }
                    if (size == values.length) {
                        values = Arrays.copyOf(values, keep + Math.max(256, keep / 4));
                    }
                    if (!(v > c)) {
                        continue;
                    }
                }
                values[size++] = v;
            }
        }
    }

    /** The same for the sample: the {@code keep} least keys (hash, then value bits) win, whatever the order. */
    private void addSampled(long key) {
        if (size == packed.length) {
            if (size > keep) {
                Arrays.sort(packed, 0, size);
                size = keep;
                cut = packed[keep - 1];
            }
            if (size == packed.length) {
                packed = Arrays.copyOf(packed, keep + Math.max(256, keep / 4));
            }
            if (key >= cut) {
                return;
            }
        }
        packed[size++] = key;
    }

    /** 31 well-mixed bits of a position (SplitMix64's finalizer), so the packed key stays non-negative. */
    private long hash(long position) {
        long z = position * 0x9E3779B97F4A7C15L + seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) >>> 33;
    }
}
