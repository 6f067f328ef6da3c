package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Devices;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Exact k-nearest-neighbour search (Euclidean) over a {@link FeatureMatrix}. Candidates come from one
 * matrix product per block of queries on the compute device ({@code |q|^2 - 2 q.x + |x|^2}, then top-k),
 * and are re-ranked with distances computed in double precision on the heap, so float32 cancellation in
 * the product cannot reorder near ties. The result equals a brute-force search.
 */
public final class NearestNeighbors {
    /** Extra candidates kept from the float32 pass before the exact re-ranking. */
    private static final int MARGIN = 8;
    private static final int BLOCK = 1024;

    private final FeatureMatrix base;

    private NearestNeighbors(FeatureMatrix base) {
        this.base = base;
    }

    public static NearestNeighbors of(FeatureMatrix base) {
        return new NearestNeighbors(base);
    }

    public FeatureMatrix base() {
        return base;
    }

    /** The {@code k} nearest base rows of each query row, nearest first (ties by lower id). */
    public Neighbors query(FeatureMatrix queries, int k) {
        return search(queries, k, null);
    }

    /** The {@code k} nearest other rows of each base row (a row is not its own neighbour). */
    public Neighbors selfQuery(int k) {
        int[] self = new int[base.rows()];
        for (int i = 0; i < self.length; i++) {
            self[i] = i;
        }
        return search(base, k, self);
    }

    /** The {@code k} nearest other rows of the given base rows (e.g. query images taken from the set itself). */
    public Neighbors queryRows(int[] ids, int k) {
        float[] q = new float[ids.length * base.dims()];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(base.raw(), ids[i] * base.dims(), q, i * base.dims(), base.dims());
        }
        return search(FeatureMatrix.wrap(q, ids.length, base.dims(), "rows"), k, ids.clone());
    }

    /** exclude[i]: a base row that query i must not return (itself), or null for none. */
    private Neighbors search(FeatureMatrix queries, int k, int[] exclude) {
        boolean self = exclude != null;
        if (queries.dims() != base.dims()) {
            throw new IllegalArgumentException("queries have " + queries.dims() + " dims, the base " + base.dims());
        }
        int n = base.rows();
        int want = Math.min(n - (self ? 1 : 0), k);
        if (want < 1) {
            throw new IllegalArgumentException("need at least one candidate: k=" + k + ", base of " + n);
        }
        int candidates = Math.min(n, want + MARGIN + (self ? 1 : 0));
        int m = queries.rows();
        int d = base.dims();
        int[][] idx = new int[m][];
        double[][] dist = new double[m][];
        try (NDManager manager = NDManager.newBaseManager(Devices.current(), "PyTorch")) {
            NDArray x = manager.create(base.raw(), new Shape(n, d));
            NDArray xx = x.square().sum(new int[] {1}).reshape(1, n);
            for (int from = 0; from < m; from += BLOCK) {
                int to = Math.min(m, from + BLOCK);
                int[] cand;
                try (NDManager scope = manager.newSubManager()) {
                    float[] qs = Arrays.copyOfRange(queries.raw(), from * d, to * d);
                    NDArray q = scope.create(qs, new Shape(to - from, d));
                    NDArray dd = q.square().sum(new int[] {1}).reshape(to - from, 1).add(xx)
                            .sub(q.matMul(x.transpose()).mul(2f));
                    NDList top = dd.topK(candidates, 1, false, true);
                    cand = top.get(1).toType(DataType.INT32, false).toIntArray();
                }
                int f = from;
                IntStream.range(from, to).parallel().forEach(i -> {
                    int[] c = Arrays.copyOfRange(cand, (i - f) * candidates, (i - f + 1) * candidates);
                    rerank(queries, i, c, want, exclude == null ? -1 : exclude[i], idx, dist);
                });
            }
        }
        return new Neighbors(idx, dist);
    }

    private void rerank(FeatureMatrix queries, int i, int[] cand, int want, int skip, int[][] idx,
            double[][] dist) {
        boolean self = skip >= 0;
        float[] q = queries.raw();
        float[] x = base.raw();
        int d = base.dims();
        Integer[] order = new Integer[cand.length];
        double[] dd = new double[cand.length];
        int count = 0;
        for (int c : cand) {
            if (c == skip) {
                continue;
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
                double t = (double) q[i * d + j] - x[c * d + j];
                s += t * t;
            }
            dd[count] = s;
            order[count] = c;
            count++;
        }
        int[] kept = new int[count];
        for (int t = 0; t < count; t++) {
            kept[t] = order[t];
        }
        double[] sortedD = Arrays.copyOf(dd, count);
        Arrays.sort(sortedD);
        if (cand.length < base.rows() && sortedD[count - 1] <= sortedD[want - 1] * (1 + 1e-6) + 1e-12) {
            // the last candidate ties with the k-th: tied rows may lie outside the candidates, so scan them all
            kept = new int[base.rows() - (self ? 1 : 0)];
            dd = new double[kept.length];
            int m = 0;
            for (int c = 0; c < base.rows(); c++) {
                if (c == skip) {
                    continue;
                }
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double t = (double) q[i * d + j] - x[c * d + j];
                    s += t * t;
                }
                kept[m] = c;
                dd[m++] = s;
            }
            count = m;
        }
        Integer[] o = new Integer[count];
        for (int t = 0; t < count; t++) {
            o[t] = kept[t];
        }
        double[] ds = Arrays.copyOf(dd, count);
        java.util.Map<Integer, Double> byId = new java.util.HashMap<>();
        for (int t = 0; t < count; t++) {
            byId.put(o[t], ds[t]);
        }
        Arrays.sort(o, (a, b) -> {
            int cmp = Double.compare(byId.get(a), byId.get(b));
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int[] ids = new int[want];
        double[] dist2 = new double[want];
        for (int t = 0; t < want; t++) {
            ids[t] = o[t];
            dist2[t] = Math.sqrt(byId.get(o[t]));
        }
        idx[i] = ids;
        dist[i] = dist2;
    }

    /** Neighbour ids and Euclidean distances per query, nearest first. Immutable. */
    public static final class Neighbors {
        private final int[][] indices;
        private final double[][] distances;

        Neighbors(int[][] indices, double[][] distances) {
            this.indices = indices;
            this.distances = distances;
        }

        public int queries() {
            return indices.length;
        }

        public int k() {
            return indices.length == 0 ? 0 : indices[0].length;
        }

        public int[] indices(int query) {
            return indices[query].clone();
        }

        public double[] distances(int query) {
            return distances[query].clone();
        }

        int[][] rawIndices() {
            return indices;
        }

        double[][] rawDistances() {
            return distances;
        }
    }
}
