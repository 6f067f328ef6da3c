package dev.neurolens.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

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
     * The matrix stored under {@code key} in {@code ~/.cache/neurolens/features}, or computed and stored. The
     * key should name the model, its weights, the layer and the data set.
     */
    public static FeatureMatrix cached(String key, java.util.function.Supplier<FeatureMatrix> compute) {
        Path file = Embedding.cacheDir().resolveSibling("features")
                .resolve(key.replaceAll("[^A-Za-z0-9._-]", "_") + ".f32");
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
