package dev.neurolens.features;

import dev.neurolens.display.Progress;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;
import dev.neurolens.run.RunOptions;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * t-SNE (van der Maaten and Hinton 2008) to 2-D. Affinities come from the exact {@code 3 x perplexity}
 * nearest neighbours ({@link NearestNeighbors}) after a PCA to 50 dimensions; the repulsion is computed by
 * Barnes-Hut (van der Maaten 2014) on a quadtree rebuilt every iteration, or exactly in O(n^2) for small
 * sets, where affinities also use all points. Optimization follows the reference implementation and
 * scikit-learn: PCA initialization scaled to std 1e-4, early exaggeration 12 for 250 iterations, momentum
 * 0.5 then 0.8, per-coordinate gains, learning rate {@code max(n / 48, 50)} for the gradient with its factor 4
 * (that is n / exaggeration in the unscaled convention of Belkina et al. 2019). Deterministic for a seed.
 *
 * <pre>{@code Embedding e = Tsne.builder().perplexity(30).run(features);}</pre>
 */
public final class Tsne {
    /** Below this many points the exact O(n^2) gradient and dense affinities are used by default. */
    public static final int EXACT_MAX = 1000;

    private final double perplexity;
    private final int iterations;
    private final int exaggerationIterations;
    private final double exaggeration;
    private final double learningRate;
    private final double theta;
    private final int pcaDims;
    private final long seed;
    private final Method method;
    private final RunOptions options;

    /** How the gradient's repulsive part is computed. */
    public enum Method { AUTO, EXACT, BARNES_HUT }

    private Tsne(Builder b) {
        this.perplexity = b.perplexity;
        this.iterations = b.steps();
        this.exaggerationIterations = b.exaggerationIterations;
        this.exaggeration = b.exaggeration;
        this.learningRate = b.learningRate;
        this.theta = b.theta;
        this.pcaDims = b.pcaDims;
        this.seed = b.seed();
        this.method = b.method;
        this.options = b.options();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Quick path with the defaults. */
    public static Embedding of(FeatureMatrix x) {
        return builder().run(x);
    }

    /**
     * Embeds the rows of {@code x} in 2-D. An interrupt ends the descent at the next iteration; the embedding so far
     * says so in its {@link Embedding#method()} and is kept in {@link LastResults}.
     */
    public Embedding fit(FeatureMatrix x) {
        long t0 = System.nanoTime();
        int n = x.rows();
        if (n < 4) {
            throw new IllegalArgumentException("t-SNE needs at least 4 points, got " + n);
        }
        double perp = Math.min(perplexity, (n - 1) / 3.0);
        boolean exact = method == Method.EXACT || (method == Method.AUTO && n <= EXACT_MAX);
        FeatureMatrix reduced = x.dims() > pcaDims ? Pca.project(x, pcaDims) : x;
        int k = exact ? n - 1 : Math.min(n - 1, (int) Math.ceil(3 * perp));
        NearestNeighbors.Neighbors nn = NearestNeighbors.of(reduced).selfQuery(k);
        SparseAffinities p = affinities(nn, perp);
        double[] y = initialize(reduced);
        int done = optimize(p, y, exact);
        double kl = klDivergence(p, y, exact);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String how = String.format(Locale.ROOT, "t-SNE (%s, perplexity %.0f, %d iterations%s)",
                exact ? "exact" : "Barnes-Hut theta " + theta, perp, iterations,
                done < iterations ? ", " + Embedding.INTERRUPTED + " at " + done : "");
        return LastResults.keep(Embedding.of(y, how, kl, seconds));
    }

    /** Conditional Gaussians calibrated to the perplexity by bisection on the precision, then symmetrized. */
    static SparseAffinities affinities(NearestNeighbors.Neighbors nn, double perp) {
        int n = nn.queries();
        int k = nn.k();
        int[][] ids = nn.rawIndices();
        double[][] dist = nn.rawDistances();
        double[][] cond = new double[n][];
        double target = Math.log(perp);
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] d2 = new double[k];
            for (int j = 0; j < k; j++) {
                d2[j] = dist[i][j] * dist[i][j];
            }
            cond[i] = conditional(d2, target);
        });
        // P = (P_cond + P_cond^T) / 2n as CSR: gather both directions per row, then merge duplicates
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            count[i] += k;
            for (int j = 0; j < k; j++) {
                count[ids[i][j]]++;
            }
        }
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) {
            start[i + 1] = start[i] + count[i];
        }
        int[] col = new int[start[n]];
        double[] val = new double[start[n]];
        int[] fill = Arrays.copyOf(start, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int c = ids[i][j];
                double v = cond[i][j] / (2.0 * n);
                col[fill[i]] = c;
                val[fill[i]++] = v;
                col[fill[c]] = i;
                val[fill[c]++] = v;
            }
        }
        int[] rowStart = new int[n + 1];
        int[][] rowCols = new int[n][];
        double[][] rowVals = new double[n][];
        IntStream.range(0, n).parallel().forEach(i -> {
            int len = start[i + 1] - start[i];
            long[] keyed = new long[len];
            for (int t = 0; t < len; t++) {
                keyed[t] = ((long) col[start[i] + t] << 32) | t;
            }
            Arrays.sort(keyed);
            int[] cs = new int[len];
            double[] vs = new double[len];
            int m = 0;
            for (int t = 0; t < len; t++) {
                int c = (int) (keyed[t] >>> 32);
                double v = val[start[i] + (int) (keyed[t] & 0xffffffffL)];
                if (m > 0 && cs[m - 1] == c) {
                    vs[m - 1] += v;
                } else {
                    cs[m] = c;
                    vs[m++] = v;
                }
            }
            rowCols[i] = Arrays.copyOf(cs, m);
            rowVals[i] = Arrays.copyOf(vs, m);
        });
        for (int i = 0; i < n; i++) {
            rowStart[i + 1] = rowStart[i] + rowCols[i].length;
        }
        int[] cols = new int[rowStart[n]];
        double[] vals = new double[rowStart[n]];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rowCols[i], 0, cols, rowStart[i], rowCols[i].length);
            System.arraycopy(rowVals[i], 0, vals, rowStart[i], rowVals[i].length);
        }
        return new SparseAffinities(n, rowStart, cols, vals);
    }

    /** p_{j|i} over the given squared distances with entropy {@code target} (natural log). */
    static double[] conditional(double[] d2, double target) {
        int k = d2.length;
        double[] p = new double[k];
        double beta = 1;
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double v : d2) {
            min = Math.min(min, v);
        }
        for (int iter = 0; iter < 200; iter++) {
            double sum = 0;
            double weighted = 0;
            for (int j = 0; j < k; j++) {
                // shift by the smallest distance so exp never underflows to all zeros
                p[j] = Math.exp(-beta * (d2[j] - min));
                sum += p[j];
                weighted += p[j] * (d2[j] - min);
            }
            double entropy = Math.log(sum) + beta * weighted / sum;
            for (int j = 0; j < k; j++) {
                p[j] /= sum;
            }
            double diff = entropy - target;
            if (Math.abs(diff) < 1e-5) {
                break;
            }
            if (diff > 0) {
                lo = beta;
                beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
        return p;
    }

    /** First two principal components, scaled so the first has standard deviation 1e-4. */
    private double[] initialize(FeatureMatrix reduced) {
        int n = reduced.rows();
        double[] y = new double[2 * n];
        FeatureMatrix two = Pca.project(reduced, 2);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) two.get(i, 0) * two.get(i, 0);
        }
        double std = Math.sqrt(s / n);
        if (!(std > 0)) {
            Random r = new Random(seed);
            for (int i = 0; i < 2 * n; i++) {
                y[i] = 1e-4 * r.nextGaussian();
            }
            return y;
        }
        for (int i = 0; i < n; i++) {
            y[2 * i] = two.get(i, 0) / std * 1e-4;
            y[2 * i + 1] = (two.dims() > 1 ? two.get(i, 1) : 0) / std * 1e-4;
        }
        return y;
    }

    /** Gradient descent on {@code y} in place; returns the iterations done (fewer when interrupted). */
    private int optimize(SparseAffinities p, double[] y, boolean exact) {
        int n = p.n();
        double lr = learningRate > 0 ? learningRate : Math.max(n / exaggeration / 4.0, 50.0);
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        Arrays.fill(gains, 1.0);
        double[] grad = new double[2 * n];
        Progress bar = options.live() ? Progress.builder().total(iterations).label("t-SNE of " + n + " points").start()
                : null;
        try {
            for (int it = 0; it < iterations; it++) {
                if (Thread.currentThread().isInterrupted()) {
                    return it;
                }
                boolean early = it < exaggerationIterations;
                double exag = early ? exaggeration : 1.0;
                double momentum = early ? 0.5 : 0.8;
                gradient(p, y, exag, exact, grad);
                for (int i = 0; i < 2 * n; i++) {
                    boolean sameSign = (grad[i] > 0) == (update[i] > 0);
                    gains[i] = Math.max(0.01, sameSign ? gains[i] * 0.8 : gains[i] + 0.2);
                    update[i] = momentum * update[i] - lr * gains[i] * grad[i];
                    y[i] += update[i];
                }
                recentre(y);
                if (bar != null) {
                    bar.step();
                }
                if (options.listensAt(it)) {
                    double moved = 0;
                    for (double u : update) {
                        moved += u * u;
                    }
                    new Frame("t-SNE", it + 1, iterations, Map.of("step size", Math.sqrt(moved / update.length)),
                            () -> scatter(y)).deliverTo(options.listener());
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return iterations;
    }

    /** The points as they are now, grey dots on white: what a listener's frame shows. */
    private static BufferedImage scatter(double[] y) {
        int side = 256;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double scale = hi > lo ? (side - 9) / (hi - lo) : 1;
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, side, side);
        g.setColor(new java.awt.Color(60, 60, 60));
        for (int i = 0; i < y.length / 2; i++) {
            g.fillRect(4 + (int) ((y[2 * i] - lo) * scale) - 1, 4 + (int) ((y[2 * i + 1] - lo) * scale) - 1, 3, 3);
        }
        g.dispose();
        return img;
    }

    private static void recentre(double[] y) {
        int n = y.length / 2;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += y[2 * i];
            my += y[2 * i + 1];
        }
        mx /= n;
        my /= n;
        for (int i = 0; i < n; i++) {
            y[2 * i] -= mx;
            y[2 * i + 1] -= my;
        }
    }

    /** dC/dy = 4 (exag * sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z), w = 1/(1+d^2). */
    private void gradient(SparseAffinities p, double[] y, double exag, boolean exact, double[] grad) {
        int n = p.n();
        double[] rep = new double[2 * n];
        double z = exact ? exactRepulsion(y, rep) : new QuadTree(y).repulsion(y, theta, rep);
        int[] start = p.rowStart();
        int[] cols = p.cols();
        double[] vals = p.vals();
        IntStream.range(0, n).parallel().forEach(i -> {
            double fx = 0;
            double fy = 0;
            double yx = y[2 * i];
            double yy = y[2 * i + 1];
            for (int t = start[i]; t < start[i + 1]; t++) {
                int j = cols[t];
                double dx = yx - y[2 * j];
                double dy = yy - y[2 * j + 1];
                double w = vals[t] / (1 + dx * dx + dy * dy);
                fx += w * dx;
                fy += w * dy;
            }
            grad[2 * i] = 4 * (exag * fx - rep[2 * i] / z);
            grad[2 * i + 1] = 4 * (exag * fy - rep[2 * i + 1] / z);
        });
    }

    /** Exact sum_j w_ij^2 (y_i - y_j) into rep; returns Z = sum_{i != j} w_ij. */
    static double exactRepulsion(double[] y, double[] rep) {
        int n = y.length / 2;
        double[] zPart = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double fx = 0;
            double fy = 0;
            double z = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double dx = y[2 * i] - y[2 * j];
                double dy = y[2 * i + 1] - y[2 * j + 1];
                double w = 1 / (1 + dx * dx + dy * dy);
                z += w;
                fx += w * w * dx;
                fy += w * w * dy;
            }
            rep[2 * i] = fx;
            rep[2 * i + 1] = fy;
            zPart[i] = z;
        });
        double z = 0;
        for (double v : zPart) {
            z += v;
        }
        return z;
    }

    /** KL(P || Q) over the non-zero affinities, with Z from the same approximation as the gradient. */
    private double klDivergence(SparseAffinities p, double[] y, boolean exact) {
        int n = p.n();
        double[] rep = new double[2 * n];
        double z = exact ? exactRepulsion(y, rep) : new QuadTree(y).repulsion(y, theta, rep);
        double kl = 0;
        int[] start = p.rowStart();
        for (int i = 0; i < n; i++) {
            for (int t = start[i]; t < start[i + 1]; t++) {
                int j = p.cols()[t];
                double pij = p.vals()[t];
                if (pij <= 0) {
                    continue;
                }
                double dx = y[2 * i] - y[2 * j];
                double dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy) / z;
                kl += pij * Math.log(pij / Math.max(q, Double.MIN_NORMAL));
            }
        }
        return kl;
    }

    /** Symmetric joint affinities in CSR form; rows sum to the point's share of the total 1. */
    record SparseAffinities(int n, int[] rowStart, int[] cols, double[] vals) {
    }

    /** Options; every value has the common default. */
    public static final class Builder extends RunBuilder<Builder> {
        private double perplexity = 30;
        private int exaggerationIterations = 250;
        private double exaggeration = 12;
        private double learningRate = -1;
        private double theta = 0.5;
        private int pcaDims = 50;
        private Method method = Method.AUTO;

        private Builder() {
            super(750);
            seed(42);
            live(false);
        }

        public Builder perplexity(double p) {
            if (!(p > 1)) {
                throw new IllegalArgumentException("perplexity must be > 1, got " + p);
            }
            this.perplexity = p;
            return this;
        }

        /** Total gradient steps, early exaggeration included (default 750): the same as {@code steps(n)}. */
        public Builder iterations(int n) {
            return steps(n);
        }

        public Builder exaggeration(double factor, int forIterations) {
            this.exaggeration = factor;
            this.exaggerationIterations = forIterations;
            return this;
        }

        /** Step size; by default max(n / 48, 50). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Barnes-Hut accuracy: 0 is exact, 0.5 the usual, larger is faster and rougher. */
        public Builder theta(double t) {
            this.theta = t;
            return this;
        }

        /** Features with more dimensions are first reduced to this many by PCA (default 50). */
        public Builder pcaDims(int d) {
            this.pcaDims = d;
            return this;
        }

        public Builder method(Method m) {
            this.method = m;
            return this;
        }

        /** Show a progress bar (iterations/s, ETA) in the notebook: the same as {@code live(on)}. */
        public Builder progress(boolean on) {
            return live(on);
        }

        /** Embeds the rows of {@code x} in 2-D with these settings. */
        public Embedding run(FeatureMatrix x) {
            return build().fit(x);
        }

        /** The configured embedder, to fit several matrices alike. */
        public Tsne build() {
            return new Tsne(this);
        }
    }
}
