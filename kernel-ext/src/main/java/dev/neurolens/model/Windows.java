package dev.neurolens.model;

/**
 * The windows of one layer output that a batch of local input changes (occluding patches) reach: per change
 * the changed region {@code [ay0, ay1) x [ax0, ax1)} and the window {@code h x w} at {@code (y0, x0)} computed
 * for it. All windows of a batch have one size, so a layer runs once on {@code [N, C, h, w]}; a window that would
 * cover most of its map ({@link #FULL_SHARE}) becomes the whole map.
 */
public record Windows(int mapH, int mapW, int h, int w, int[] y0, int[] x0, int[] ay0, int[] ay1, int[] ax0,
                      int[] ax1) {
    /** A window covering more than this share of its map is computed as the whole map. */
    public static final double FULL_SHARE = 0.7;

    /** Square patches of side {@code size} at {@code (py[i], px[i])} of an {@code h x w} input. */
    public static Windows patches(int h, int w, int[] py, int[] px, int size) {
        int n = py.length;
        int[] y1 = new int[n];
        int[] x1 = new int[n];
        for (int r = 0; r < n; r++) {
            y1[r] = py[r] + size;
            x1[r] = px[r] + size;
        }
        return new Windows(h, w, size, size, py.clone(), px.clone(), py.clone(), y1, px.clone(), x1);
    }

    /** Number of changes (patches) in the batch. */
    public int n() {
        return y0.length;
    }

    /** True when the windows are whole maps. */
    public boolean full() {
        return h == mapH && w == mapW;
    }

    /** The changed regions as {@code {ay0, ay1, ax0, ax1}}. */
    public int[][] changed() {
        return new int[][] {ay0, ay1, ax0, ax1};
    }

    /** One window size for all changes, each window shifted inside the map to cover its changed region. */
    public static Windows place(int mapH, int mapW, int[] ay0, int[] ay1, int[] ax0, int[] ax1) {
        int n = ay0.length;
        int h = 1;
        int w = 1;
        for (int r = 0; r < n; r++) {
            h = Math.max(h, ay1[r] - ay0[r]);
            w = Math.max(w, ax1[r] - ax0[r]);
        }
        int[] hw = windowSize(mapH, mapW, h, w);
        h = hw[0];
        w = hw[1];
        int[] y0 = new int[n];
        int[] x0 = new int[n];
        for (int r = 0; r < n; r++) {
            y0[r] = Math.max(0, Math.min(ay0[r], mapH - h));
            x0[r] = Math.max(0, Math.min(ax0[r], mapW - w));
        }
        return new Windows(mapH, mapW, h, w, y0, x0, ay0, ay1, ax0, ax1);
    }

    /** The window for changed regions of at most {@code h x w}: whole maps once it covers most of the map. */
    public static int[] windowSize(int mapH, int mapW, int h, int w) {
        h = Math.max(1, Math.min(h, mapH));
        w = Math.max(1, Math.min(w, mapW));
        if ((double) h * w > FULL_SHARE * mapH * mapW) {
            return new int[] {mapH, mapW};
        }
        return new int[] {h, w};
    }

    /** The changed regions {@code {ay0, ay1, ax0, ax1}} of the output of kernel {@code k} applied to these. */
    public int[][] affected(WindowKernel k, int outH, int outW) {
        int n = n();
        int[][] a = new int[4][n];
        k.affected(ay0, ay1, outH, a[0], a[1]);
        k.affected(ax0, ax1, outW, a[2], a[3]);
        return a;
    }

    /** Bounding box of two changed regions (the branches of a Fire module or a residual block). */
    public static int[][] union(int[][] a, int[][] b) {
        int n = a[0].length;
        int[][] u = new int[4][n];
        for (int r = 0; r < n; r++) {
            boolean ea = a[1][r] <= a[0][r] || a[3][r] <= a[2][r];
            boolean eb = b[1][r] <= b[0][r] || b[3][r] <= b[2][r];
            int[][] only = ea ? b : eb ? a : null;
            for (int i = 0; i < 4; i++) {
                u[i][r] = only != null ? only[i][r] : i % 2 == 0 ? Math.min(a[i][r], b[i][r])
                        : Math.max(a[i][r], b[i][r]);
            }
        }
        return u;
    }
}
