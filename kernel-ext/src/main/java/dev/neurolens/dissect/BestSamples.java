package dev.neurolens.dissect;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Each unit's {@code k} samples with the highest maximum activation, ties to the lower sample id: small, and
 * mergeable, so ranges of samples reduce to the best of all of them.
 */
final class BestSamples implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int k;
    private final float[][] value;
    private final int[][] id;
    private final int[] size;

    BestSamples(int units, int k) {
        this.k = k;
        value = new float[units][k];
        id = new int[units][k];
        size = new int[units];
    }

    void offer(int unit, int sample, float v) {
        float[] val = value[unit];
        int[] ids = id[unit];
        int s = size[unit];
        int at = s;
        while (at > 0 && better(v, sample, val[at - 1], ids[at - 1])) {
            at--;
        }
        if (at >= k) {
            return;
        }
        int last = Math.min(s, k - 1);
        System.arraycopy(val, at, val, at + 1, last - at);
        System.arraycopy(ids, at, ids, at + 1, last - at);
        val[at] = v;
        ids[at] = sample;
        size[unit] = Math.min(s + 1, k);
    }

    /** (va, a) ranks above (vb, b): a larger value, or the same and a lower id; NaN ranks last. */
    private static boolean better(float va, int a, float vb, int b) {
        if (Float.isNaN(vb)) {
            return !Float.isNaN(va) || a < b;
        }
        return va > vb || (va == vb && a < b);
    }

    BestSamples merge(BestSamples other) {
        for (int u = 0; u < size.length; u++) {
            for (int i = 0; i < other.size[u]; i++) {
                offer(u, other.id[u][i], other.value[u][i]);
            }
        }
        return this;
    }

    /** The ids of each unit's best samples, best first. */
    int[][] ids() {
        int[][] out = new int[size.length][];
        for (int u = 0; u < size.length; u++) {
            out[u] = Arrays.copyOf(id[u], size[u]);
        }
        return out;
    }
}
