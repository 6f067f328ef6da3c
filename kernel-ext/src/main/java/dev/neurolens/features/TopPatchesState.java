package dev.neurolens.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Per unit a bounded min-heap of the best k (worst at the root); the streaming state, resumable, and mergeable:
 * the ranking (value, then lower image id) is total, so states of disjoint ranges merge to the state of their union.
 */
final class TopPatchesState implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final int[] units;
    final int k;
    final int[] size;
    final int[][] image;
    final float[][] value;
    final int[][] cellY;
    final int[][] cellX;
    final float[][] maxima;
    /** Pictures that could not be read (id to reason): skipped, counted and reported, not fatal. */
    final TreeMap<Integer, String> unreadable = new TreeMap<>();
    int next;
    /** Merged from ranges (a cluster run): {@code next} counts pictures, and an interrupted state has gaps. */
    boolean fromRanges;

    TopPatchesState(int[] units, int k, int recordN) {
        this(units, k, recordN, null);
    }

    private TopPatchesState(int[] units, int k, int recordN, float[][] sharedMaxima) {
        this.units = units;
        this.k = k;
        int u = units.length;
        size = new int[u];
        image = new int[u][k];
        value = new float[u][k];
        cellY = new int[u][k];
        cellX = new int[u][k];
        maxima = sharedMaxima != null ? sharedMaxima : recordN > 0 ? new float[u][recordN] : null;
    }

    /** A copy of the heaps; the per-image maxima are shared (only entries below {@code next} count). */
    TopPatchesState copy() {
        TopPatchesState c = new TopPatchesState(units.clone(), k, 0, maxima);
        System.arraycopy(size, 0, c.size, 0, size.length);
        for (int u = 0; u < units.length; u++) {
            System.arraycopy(image[u], 0, c.image[u], 0, k);
            System.arraycopy(value[u], 0, c.value[u], 0, k);
            System.arraycopy(cellY[u], 0, c.cellY[u], 0, k);
            System.arraycopy(cellX[u], 0, c.cellX[u], 0, k);
        }
        c.next = next;
        c.unreadable.putAll(unreadable);
        c.fromRanges = fromRanges;
        return c;
    }

    /** The state of this one's images and {@code other}'s (disjoint ones, same units and k); {@code next} adds up. */
    TopPatchesState merge(TopPatchesState other) {
        if (other.units.length == 0 && units.length > 0 || units.length == 0 && other.units.length > 0) {
            // a range with no readable picture never learned the units: it adds only its count and its failures
            TopPatchesState full = copy();
            TopPatchesState empty = other;
            if (units.length == 0) {
                full = other.copy();
                empty = this;
            }
            full.next += empty.next;
            full.unreadable.putAll(empty.unreadable);
            return full;
        }
        if (!Arrays.equals(units, other.units) || k != other.k) {
            throw new IllegalArgumentException("cannot merge top-k states of different units or k");
        }
        TopPatchesState m = copy();
        for (int u = 0; u < units.length; u++) {
            for (int i = 0; i < other.size[u]; i++) {
                m.offer(u, other.image[u][i], other.value[u][i], other.cellY[u][i], other.cellX[u][i]);
            }
        }
        m.next = next + other.next;
        m.unreadable.putAll(other.unreadable);
        return m;
    }

    /** a ranks below b: smaller value, or equal value and larger image id. */
    private boolean worse(int u, int a, int bIdx) {
        float va = value[u][a];
        float vb = value[u][bIdx];
        return va < vb || (va == vb && image[u][a] > image[u][bIdx]);
    }

    void offer(int u, int img, float v, int y, int x) {
        if (Float.isNaN(v)) {
            return;
        }
        int s = size[u];
        if (s < k) {
            set(u, s, img, v, y, x);
            size[u] = s + 1;
            siftUp(u, s);
        } else if (v > value[u][0] || (v == value[u][0] && img < image[u][0])) {
            set(u, 0, img, v, y, x);
            siftDown(u, 0);
        }
    }

    private void set(int u, int i, int img, float v, int y, int x) {
        image[u][i] = img;
        value[u][i] = v;
        cellY[u][i] = y;
        cellX[u][i] = x;
    }

    private void swap(int u, int i, int j) {
        int ti = image[u][i];
        image[u][i] = image[u][j];
        image[u][j] = ti;
        float tv = value[u][i];
        value[u][i] = value[u][j];
        value[u][j] = tv;
        int ty = cellY[u][i];
        cellY[u][i] = cellY[u][j];
        cellY[u][j] = ty;
        int tx = cellX[u][i];
        cellX[u][i] = cellX[u][j];
        cellX[u][j] = tx;
    }

    private void siftUp(int u, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (worse(u, i, parent)) {
                swap(u, i, parent);
                i = parent;
            } else {
                return;
            }
        }
    }

    private void siftDown(int u, int i) {
        int s = size[u];
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < s && worse(u, l, worst)) {
                worst = l;
            }
            if (r < s && worse(u, r, worst)) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            swap(u, i, worst);
            i = worst;
        }
    }

    List<TopPatchesResult.Hit> sorted(int u) {
        List<TopPatchesResult.Hit> out = new ArrayList<>();
        for (int i = 0; i < size[u]; i++) {
            out.add(new TopPatchesResult.Hit(image[u][i], value[u][i], cellY[u][i], cellX[u][i]));
        }
        out.sort((a, b) -> a.value() != b.value() ? Float.compare(b.value(), a.value())
                : Integer.compare(a.image(), b.image()));
        return out;
    }

    void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(units.length);
            out.writeInt(k);
            out.writeInt(maxima == null || maxima.length == 0 ? 0 : maxima[0].length);
            out.writeInt(next);
            for (int u = 0; u < units.length; u++) {
                out.writeInt(units[u]);
                out.writeInt(size[u]);
                for (int i = 0; i < size[u]; i++) {
                    out.writeInt(image[u][i]);
                    out.writeFloat(value[u][i]);
                    out.writeInt(cellY[u][i]);
                    out.writeInt(cellX[u][i]);
                }
                if (maxima != null) {
                    for (float v : maxima[u]) {
                        out.writeFloat(v);
                    }
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static TopPatchesState load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int nu = in.readInt();
            int k = in.readInt();
            int recordN = in.readInt();
            int next = in.readInt();
            int[] units = new int[nu];
            // read into a temporary then build: the units must be known before the state
            List<Object[]> rows = new ArrayList<>();
            for (int u = 0; u < nu; u++) {
                units[u] = in.readInt();
                int size = in.readInt();
                Object[] row = new Object[5];
                int[] img = new int[size];
                float[] val = new float[size];
                int[] ys = new int[size];
                int[] xs = new int[size];
                for (int i = 0; i < size; i++) {
                    img[i] = in.readInt();
                    val[i] = in.readFloat();
                    ys[i] = in.readInt();
                    xs[i] = in.readInt();
                }
                float[] mx = null;
                if (recordN > 0) {
                    mx = new float[recordN];
                    for (int i = 0; i < recordN; i++) {
                        mx[i] = in.readFloat();
                    }
                }
                rows.add(new Object[] {img, val, ys, xs, mx});
            }
            TopPatchesState s = new TopPatchesState(units, k, recordN);
            for (int u = 0; u < nu; u++) {
                Object[] r = rows.get(u);
                int[] img = (int[]) r[0];
                s.size[u] = img.length;
                System.arraycopy(img, 0, s.image[u], 0, img.length);
                System.arraycopy((float[]) r[1], 0, s.value[u], 0, img.length);
                System.arraycopy((int[]) r[2], 0, s.cellY[u], 0, img.length);
                System.arraycopy((int[]) r[3], 0, s.cellX[u], 0, img.length);
                if (recordN > 0) {
                    System.arraycopy((float[]) r[4], 0, s.maxima[u], 0, recordN);
                }
            }
            s.next = next;
            return s;
        }
    }
}
