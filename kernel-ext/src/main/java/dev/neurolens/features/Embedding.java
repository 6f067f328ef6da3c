package dev.neurolens.features;

import dev.neurolens.model.Network;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Points in 2-D, one per image id, with how they were made (method, KL divergence for t-SNE, seconds).
 * Immutable. {@link #cached} keeps projections on disk under {@code ~/.cache/neurolens/embeddings} so a
 * re-run of a notebook is instant.
 */
public final class Embedding {
    /** How {@link #method()} marks an embedding whose descent was interrupted. */
    public static final String INTERRUPTED = "interrupted";

    private final double[] xy;
    private final String method;
    private final double klDivergence;
    private final double seconds;

    private Embedding(double[] xy, String method, double klDivergence, double seconds) {
        this.xy = xy;
        this.method = method;
        this.klDivergence = klDivergence;
        this.seconds = seconds;
    }

    /** From interleaved coordinates x0, y0, x1, y1, ... */
    public static Embedding of(double[] interleaved, String method, double klDivergence, double seconds) {
        if (interleaved.length % 2 != 0) {
            throw new IllegalArgumentException("interleaved coordinates need an even length");
        }
        return new Embedding(interleaved.clone(), method, klDivergence, seconds);
    }

    /** The first two columns of a projection (e.g. PCA). */
    public static Embedding of(FeatureMatrix twoD, String method, double seconds) {
        int n = twoD.rows();
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            xy[2 * i] = twoD.get(i, 0);
            xy[2 * i + 1] = twoD.dims() > 1 ? twoD.get(i, 1) : 0;
        }
        return new Embedding(xy, method, Double.NaN, seconds);
    }

    /** PCA of the features to 2-D. */
    public static Embedding pca(FeatureMatrix features) {
        long t0 = System.nanoTime();
        Pca p = Pca.fit(features, 2);
        double[] r = p.explainedVarianceRatio();
        return of(p.transform(features), String.format(Locale.ROOT, "PCA (%.1f%% + %.1f%% of the variance)",
                100 * r[0], 100 * (r.length > 1 ? r[1] : 0)), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The embedding of {@code network}'s features stored under {@code key}, or computed and stored; the entry is
     * named by the network's name and a hash of its weights ({@link Network#weightsHash}) before {@code key}, so a
     * retrained model with the same name gets a new embedding. The key names the rest (layer, data set, n, method
     * and its options).
     */
    public static Embedding cached(Network network, String key, Supplier<Embedding> compute) {
        return cached(FeatureMatrix.cacheKey(network, key), compute);
    }

    /**
     * The embedding stored under {@code key} alone, or computed by {@code compute} and stored. The key must name
     * everything the result depends on, the weights included: prefer {@link #cached(Network, String, Supplier)}.
     */
    public static Embedding cached(String key, Supplier<Embedding> compute) {
        Path file = cacheDir().resolve(key.replaceAll("[^A-Za-z0-9._-]", "_") + ".emb");
        if (Files.isRegularFile(file)) {
            try {
                return load(file);
            } catch (IOException e) {
                // a damaged cache entry is recomputed
            }
        }
        Embedding e = compute.get();
        if (e.method().contains(INTERRUPTED)) {
            return e; // a partial embedding is shown, never stored as the answer
        }
        try {
            e.save(file);
        } catch (IOException ex) {
            System.err.println("could not cache the embedding at " + file + ": " + ex.getMessage());
        }
        return e;
    }

    public static Path cacheDir() {
        String env = System.getenv("NEUROLENS_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "neurolens");
        return base.resolve("embeddings");
    }

    public int size() {
        return xy.length / 2;
    }

    public double x(int i) {
        return xy[2 * i];
    }

    public double y(int i) {
        return xy[2 * i + 1];
    }

    /** A copy of the interleaved coordinates. */
    public double[] coordinates() {
        return xy.clone();
    }

    public String method() {
        return method;
    }

    /** KL(P || Q) at the end of a t-SNE run; NaN for other methods. */
    public double klDivergence() {
        return klDivergence;
    }

    public double seconds() {
        return seconds;
    }

    public void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(size());
            out.writeUTF(method);
            out.writeDouble(klDivergence);
            out.writeDouble(seconds);
            for (double v : xy) {
                out.writeDouble(v);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    public static Embedding load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            String method = in.readUTF();
            double kl = in.readDouble();
            double s = in.readDouble();
            double[] xy = new double[2 * n];
            for (int i = 0; i < xy.length; i++) {
                xy[i] = in.readDouble();
            }
            return new Embedding(xy, method + " (cached)", kl, s);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Embedding[%d points, %s%s, %.1f s]", size(), method,
                Double.isNaN(klDivergence) ? "" : String.format(Locale.ROOT, ", KL %.3f", klDivergence), seconds);
    }
}
