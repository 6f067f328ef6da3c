package dev.neurolens.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzipped: a magic of two zero bytes, a type
 * byte, the number of dimensions, big-endian int32 sizes, then the data. Only unsigned bytes (type 0x08)
 * are read, which is what these datasets use.
 */
public final class Idx {
    private final int[] shape;
    private final byte[] data;

    private Idx(int[] shape, byte[] data) {
        this.shape = shape;
        this.data = data;
    }

    public static Idx read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(in, file.toString());
        }
    }

    static Idx read(InputStream stream, String what) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic = in.readInt();
        if ((magic >>> 16) != 0) {
            throw new IOException(what + " is not an IDX file (magic " + Integer.toHexString(magic) + ")");
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if (type != 0x08) {
            throw new IOException(what + ": IDX type 0x" + Integer.toHexString(type) + " not supported (only unsigned bytes)");
        }
        int[] shape = new int[dims];
        long n = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = in.readInt();
            n *= shape[i];
        }
        byte[] data = new byte[Math.toIntExact(n)];
        in.readFully(data);
        return new Idx(shape, data);
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Number of items (the first dimension). */
    public int count() {
        return shape[0];
    }

    /** Unsigned value at a flat position. */
    public int get(int i) {
        return data[i] & 0xff;
    }

    /** The raw bytes (shared; do not modify). */
    byte[] bytes() {
        return data;
    }
}
