package dev.neurolens.model;

/** Kernel geometry of a convolution or pooling along one axis (square kernels), for windowed execution. */
public record WindowKernel(int k, int s, int p, int d) {

    /** Input positions one output reads: {@code d * (k - 1) + 1}. */
    public int span() {
        return d * (k - 1) + 1;
    }

    /** Outputs whose inputs meet {@code [a0, a1)}, clamped to {@code [0, len)}. */
    public void affected(int[] a0, int[] a1, int len, int[] o0, int[] o1) {
        for (int r = 0; r < a0.length; r++) {
            if (a1[r] <= a0[r]) {
                o0[r] = 0;
                o1[r] = 0;
                continue;
            }
            int lo = Math.max(0, Math.floorDiv(a0[r] + p - d * (k - 1) + s - 1, s));
            int hi = Math.min(len, Math.floorDiv(a1[r] - 1 + p, s) + 1);
            o0[r] = lo;
            o1[r] = Math.max(lo, hi);
        }
    }

    /** Output length for an input of {@code len} (torch's rule, with ceil mode for pooling). */
    public int outLen(int len, boolean ceil) {
        int num = len + 2 * p - span();
        if (num < 0) {
            return 0;
        }
        int out = (ceil ? Math.floorDiv(num + s - 1, s) : num / s) + 1;
        if (ceil && (out - 1) * s >= len + p) {
            out--;
        }
        return out;
    }
}
