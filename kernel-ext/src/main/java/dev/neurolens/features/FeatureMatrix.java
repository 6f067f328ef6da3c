package dev.neurolens.features;

import dev.neurolens.model.Network;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code n} feature vectors of dimension {@code d}, row-major floats on the heap, one row per image id.
 * Immutable: accessors return copies or single values.
 */
public final class FeatureMatrix {
    private final int n;
    private final int d;
    private final float[] data;
    private final String description;

    private FeatureMatrix(int n, int d, float[] data, String description) {
        if ((long) n * d != data.length) {
            throw new IllegalArgumentException(n + " x " + d + " features need " + (long) n * d + " values, got "
                    + data.length);
        }
        this.n = n;
        this.d = d;
        this.data = data;
        this.description = description;
    }

    public static FeatureMatrix of(float[] rowMajor, int n, int d, String description) {
        return new FeatureMatrix(n, d, rowMajor.clone(), description);
    }

    static FeatureMatrix wrap(float[] rowMajor, int n, int d, String description) {
        return new FeatureMatrix(n, d, rowMajor, description);
    }

    public static FeatureMatrix of(double[][] rows, String description) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) rows[i][j];
            }
        }
        return new FeatureMatrix(rows.length, d, out, description);
    }

    public int rows() {
        return n;
    }

    public int dims() {
        return d;
    }

    public float get(int i, int j) {
        return data[i * d + j];
    }

    public float[] row(int i) {
        float[] r = new float[d];
        System.arraycopy(data, i * d, r, 0, d);
        return r;
    }

    /** Shared backing array, for the techniques of this package that only read it. */
    float[] raw() {
        return data;
    }

    public String description() {
        return description;
    }

    /** The first {@code m} rows. */
    public FeatureMatrix first(int m) {
        int k = Math.min(m, n);
        float[] out = new float[k * d];
        System.arraycopy(data, 0, out, 0, out.length);
        return new FeatureMatrix(k, d, out, description + ", first " + k);
    }

    /**
     * The features of {@code network} stored under {@code key} in the cache ({@code NEUROLENS_CACHE}, default
     * {@code ~/.cache/neurolens}, folder {@code features}), or computed and stored. The entry is named by the
     * network's name and a hash of its weights ({@link Network#weightsHash}) before {@code key}, so a retrained
     * model with the same name gets new features; the key names the rest (layer, data set, how many, pooling).
     */
    public static FeatureMatrix cached(Network network, String key, Supplier<FeatureMatrix> compute) {
        return cached(Embedding.cacheDir().resolveSibling("features"), network, key, compute);
    }

    static FeatureMatrix cached(Path dir, Network network, String key, Supplier<FeatureMatrix> compute) {
        return cachedIn(dir, cacheKey(network, key), compute);
    }

    /** The cache entry's name for {@code key} computed by {@code network}: its name, weights hash, then the key. */
    static String cacheKey(Network network, String key) {
        return network.name() + "-w" + network.weightsHash() + "-" + key;
    }

    /**
     * The matrix stored under {@code key} alone, or computed and stored. The key must name the weights too, or a
     * retrained model reuses stale features: prefer {@link #cached(Network, String, Supplier)}.
     */
    public static FeatureMatrix cached(String key, Supplier<FeatureMatrix> compute) {
        return cachedIn(Embedding.cacheDir().resolveSibling("features"), key, compute);
    }

    private static FeatureMatrix cachedIn(Path dir, String key, Supplier<FeatureMatrix> compute) {
        Path file = dir.resolve(key.replaceAll("[^A-Za-z0-9._-]", "_") + ".f32");
        if (Files.isRegularFile(file)) {
            try {
                return load(file);
            } catch (IOException e) {
                // a damaged entry is recomputed
            }
        }
        FeatureMatrix m = compute.get();
        try {
            m.save(file);
        } catch (IOException e) {
            System.err.println("could not cache the features at " + file + ": " + e.getMessage());
        }
        return m;
    }

    public void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(n);
            out.writeInt(d);
            out.writeUTF(description);
            ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.BIG_ENDIAN);
            buf.asFloatBuffer().put(data);
            out.write(buf.array());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public static FeatureMatrix load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int d = in.readInt();
            String desc = in.readUTF();
            byte[] bytes = in.readNBytes(n * d * 4);
            float[] data = new float[n * d];
            ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(data);
            return new FeatureMatrix(n, d, data, desc);
        }
    }

    @Override
    public String toString() {
        return "FeatureMatrix[" + n + " x " + d + ", " + description + "]";
    }
}
