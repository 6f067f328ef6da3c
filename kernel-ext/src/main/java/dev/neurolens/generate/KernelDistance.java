package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How far generated pictures are from real ones, as the Kernel Inception Distance (Bińkowski, Sutherland, Arbel &
 * Gretton, "Demystifying MMD GANs", ICLR 2018) computes it, with the features of a network you choose instead of
 * Inception's: each picture's feature vector is the spatial mean of each chosen layer's maps, concatenated and
 * standardized with the real pictures' mean and spread per feature (see {@link #standardize}); KID is
 * the unbiased squared MMD between the two sets under the kernel {@code k(x, y) = (x·y / d + 1)^3}, averaged over
 * random subsets. Unlike FID it is unbiased, so small sets compare fairly, and two samples of the same
 * distribution give about 0 (slightly negative values are possible). Lower is better; the value is only
 * comparable between runs with the same network, layers and subset size.
 *
 * <pre>{@code
 * try (Network net = SceneClassifier.builtin()) {
 *     KernelDistance kid = KernelDistance.builder(net, "relu2", "relu3", "relu4")
 *             .real(SceneClassifier.scenes(SceneClassifier.HELD_OUT, 1000).images())
 *             .generated(g, 1000).run();
 * }
 * }</pre>
 */
public final class KernelDistance implements Displayable {
    private final double[] perSubset;
    private final String features;
    private final int real;
    private final int generated;
    private final int subsetSize;
    private final String generatedName;

    private KernelDistance(double[] perSubset, String features, int real, int generated, int subsetSize,
                           String generatedName) {
        this.perSubset = perSubset;
        this.features = features;
        this.real = real;
        this.generated = generated;
        this.subsetSize = subsetSize;
        this.generatedName = generatedName;
    }

    /** The features come from {@code network}'s {@code layers}, each averaged over its positions. */
    public static Builder builder(Network network, String... layers) {
        return new Builder(network, layers);
    }

    public static final class Builder {
        private final Network network;
        private final List<String> layers;
        private Tensor real;
        private Tensor generatedImages;
        private Generator generator;
        private int generatedCount;
        private int subsets = 10;
        private int subsetSize = 100;
        private long seed;
        private int batch = 100;

        private Builder(Network network, String... layers) {
            if (layers.length == 0) {
                throw new IllegalArgumentException("name at least one layer of " + network.name()
                        + " to take features from; layers: " + network.layerNames());
            }
            List<String> resolved = new ArrayList<>();
            for (String l : layers) {
                resolved.add(network.resolve(l)); // an unknown name fails here with the layers nearest to it
            }
            this.network = network;
            this.layers = List.copyOf(resolved);
        }

        /** Real pictures, {@code N x C x H x W} in [0, 1] at the network's input size. */
        public Builder real(Tensor images01) {
            real = checkImages(images01, "real");
            return this;
        }

        /** Generated pictures, {@code N x C x H x W} in [0, 1] at the network's input size. */
        public Builder generated(Tensor images01) {
            generatedImages = checkImages(images01, "generated");
            generator = null;
            return this;
        }

        /** {@code n} pictures of {@code g} from the codes {@code g.sampleZ(n, seed)}, drawn in batches. */
        public Builder generated(Generator g, int n) {
            if (n < 2) {
                throw new IllegalArgumentException("need at least 2 generated pictures, got " + n);
            }
            generator = g;
            generatedCount = n;
            generatedImages = null;
            return this;
        }

        /** How many random subsets the value is averaged over (default 10). */
        public Builder subsets(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("subsets must be at least 1, got " + n);
            }
            subsets = n;
            return this;
        }

        /** Pictures per set in each subset (default 100, as in the paper's small-sample setting). */
        public Builder subsetSize(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("subsetSize must be at least 2, got " + n);
            }
            subsetSize = n;
            return this;
        }

        /** Seeds the subsets and the generator's codes. */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public KernelDistance run() {
            if (real == null) {
                throw new IllegalStateException("give the real pictures: .real(images)");
            }
            if (generatedImages == null && generator == null) {
                throw new IllegalStateException("give the generated pictures: .generated(images) or "
                        + ".generated(generator, n)");
            }
            int nGen = generator != null ? generatedCount : (int) generatedImages.dim(0);
            int nReal = (int) real.dim(0);
            int m = Math.min(subsetSize, Math.min(nReal, nGen));
            double[][] x = features(real, nReal, null);
            double[][] y = features(generatedImages, nGen, generator);
            standardize(x, y);
            Random random = new Random(seed);
            double[] values = new double[subsets];
            for (int s = 0; s < subsets; s++) {
                values[s] = mmd2(pick(x, m, random), pick(y, m, random));
            }
            String name = generator != null ? generator.name() : "generated pictures";
            return new KernelDistance(values, network.name() + " " + String.join("+", layers), nReal, nGen, m, name);
        }

        private Tensor checkImages(Tensor t, String what) {
            Preprocessing p = network.preprocessing();
            long[] s = t.shape();
            if (s.length != 4 || s[0] < 2 || s[1] != p.channels() || s[2] != p.crop() || s[3] != p.crop()) {
                throw new IllegalArgumentException("the " + what + " pictures must be N x " + p.channels() + " x "
                        + p.crop() + " x " + p.crop() + " (N >= 2, " + network.name() + "'s input), got "
                        + Arrays.toString(s));
            }
            return t;
        }

        /** One row per picture: each layer's channel means, concatenated. */
        private double[][] features(Tensor images, int n, Generator g) {
            Preprocessing p = network.preprocessing();
            Forward spec = Forward.capture(layers.toArray(String[]::new));
            List<double[]> rows = new ArrayList<>(n);
            for (int from = 0; from < n; from += batch) {
                int k = Math.min(batch, n - from);
                Tensor pics = g != null ? checkImages(g.generate(g.sampleZ(k, seed * 1_000_003L + from)), "generated")
                        : images.rows(from, k);
                try (NDManager scope = network.newScope()) {
                    NDArray x = pics.toNDArray(scope);
                    NDArray mean = scope.create(p.mean(), new Shape(1, p.channels(), 1, 1));
                    NDArray std = scope.create(p.std(), new Shape(1, p.channels(), 1, 1));
                    var out = network.forward(x.sub(mean).div(std), spec);
                    NDList pooled = new NDList();
                    for (String l : layers) {
                        NDArray a = out.get(l);
                        // DJL's PyTorch mean takes one axis at a time
                        pooled.add(a.getShape().dimension() == 4 ? a.mean(new int[] {3}).mean(new int[] {2})
                                : a.reshape(k, -1));
                    }
                    float[] f = NDArrays.concat(pooled, 1).toFloatArray();
                    int width = f.length / k;
                    for (int i = 0; i < k; i++) {
                        double[] row = new double[width];
                        for (int j = 0; j < width; j++) {
                            row[j] = f[i * width + j];
                        }
                        rows.add(row);
                    }
                }
            }
            return rows.toArray(double[][]::new);
        }
    }

    /**
     * Scales every feature by the real set's mean and spread, in place in both sets: raw ReLU means run to tens, and
     * the cubic kernel of such vectors is dominated by a few large dot products, which makes the estimate jump from
     * subset to subset. Inception's pool features, which the kernel was chosen for, are small; standardized features
     * give dot products / d of order 1 whatever the network.
     */
    static void standardize(double[][] x, double[][] y) {
        int d = x[0].length;
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] r : x) {
                mean += r[j];
            }
            mean /= x.length;
            double var = 0;
            for (double[] r : x) {
                var += (r[j] - mean) * (r[j] - mean);
            }
            double sd = Math.sqrt(var / Math.max(1, x.length - 1));
            double scale = sd > 1e-12 ? 1 / sd : 0; // a feature constant on real pictures carries nothing here
            for (double[] r : x) {
                r[j] = (r[j] - mean) * scale;
            }
            for (double[] r : y) {
                r[j] = (r[j] - mean) * scale;
            }
        }
    }

    private static double[][] pick(double[][] rows, int m, Random random) {
        int[] idx = new int[rows.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        double[][] out = new double[m][];
        for (int i = 0; i < m; i++) { // partial Fisher-Yates: m distinct rows
            int j = i + random.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = rows[idx[i]];
        }
        return out;
    }

    /**
     * The unbiased estimate of MMD² between the rows of {@code x} and {@code y} (same count m) under the cubic
     * polynomial kernel: the within-set sums leave out the diagonal.
     */
    static double mmd2(double[][] x, double[][] y) {
        int m = x.length;
        int d = x[0].length;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += kernel(x[i], x[j], d);
                    yy += kernel(y[i], y[j], d);
                }
                xy += kernel(x[i], y[j], d);
            }
        }
        return xx / ((double) m * (m - 1)) + yy / ((double) m * (m - 1)) - 2 * xy / ((double) m * m);
    }

    private static double kernel(double[] a, double[] b, int d) {
        double dot = 0;
        for (int i = 0; i < d; i++) {
            dot += a[i] * b[i];
        }
        double v = dot / d + 1;
        return v * v * v;
    }

    /** The mean over subsets. */
    public double value() {
        return Arrays.stream(perSubset).average().orElseThrow();
    }

    /** The standard deviation over subsets (how much the value moves with the pictures drawn). */
    public double std() {
        double mean = value();
        return Math.sqrt(Arrays.stream(perSubset).map(v -> (v - mean) * (v - mean)).sum()
                / Math.max(1, perSubset.length - 1));
    }

    public double[] perSubset() {
        return perSubset.clone();
    }

    /** The network and layers the features came from, e.g. "scene_classifier relu2+relu3+relu4". */
    public String features() {
        return features;
    }

    public int subsetSize() {
        return subsetSize;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "KID %.2f ± %.2f ×10⁻³ (%s features, %d real vs %d from %s, %d subsets of "
                + "%d)", 1e3 * value(), 1e3 * std(), features, real, generated, generatedName, perSubset.length,
                subsetSize);
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.text(toString());
    }
}
