package dev.neurolens.model.internal;

import dev.neurolens.model.RawTensor;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a torch state_dict saved with {@code torch.save} without python. The zip format (torch >= 1.6) holds
 * {@code <archive>/data.pkl}, a pickle whose tensors point by persistent id at raw little-endian storages
 * {@code <archive>/data/<key>}. The legacy format (torch < 1.6, e.g. published GAN weights of 2018) is one
 * stream: pickles of a magic number, a protocol version and system info, the state_dict pickle, the sorted
 * storage keys, then each storage as an int64 element count and its raw bytes.
 */
public final class PthReader {

    /** Element type of a torch storage class, e.g. {@code torch.FloatStorage}. */
    private record StorageType(String dtype, int bytes) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return this;
        }
    }

    /** A storage referenced from the pickle; its bytes are read when a tensor needs them. */
    private record StorageRef(String key, StorageType type, long numel, long viewOffset) {
    }

    /** A tensor as the pickle describes it: a view (offset, sizes, strides) into a storage. */
    private record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** {@code collections.OrderedDict}; BUILD hands it the instance dict (the state_dict's _metadata). */
    public static final class PickledDict extends LinkedHashMap<Object, Object> {
        public void __setstate__(HashMap<?, ?> state) {
            // _metadata holds module versions only; nothing we need.
        }
    }

    static {
        Map<String, StorageType> storages = Map.of(
                "FloatStorage", new StorageType("float32", 4),
                "DoubleStorage", new StorageType("float64", 8),
                "HalfStorage", new StorageType("float16", 2),
                "BFloat16Storage", new StorageType("bfloat16", 2),
                "LongStorage", new StorageType("int64", 8),
                "IntStorage", new StorageType("int32", 4),
                "ShortStorage", new StorageType("int16", 2),
                "CharStorage", new StorageType("int8", 1),
                "ByteStorage", new StorageType("uint8", 1),
                "BoolStorage", new StorageType("bool", 1));
        storages.forEach((name, type) -> Unpickler.registerConstructor("torch", name, type));
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new PickledDict());
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", args ->
                new TensorRef((StorageRef) args[0], number(args[1]), longs(args[2]), longs(args[3])));
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", args ->
                new TensorRef((StorageRef) args[0], number(args[1]), longs(args[2]), longs(args[3])));
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
    }

    /** The number legacy torch.save files open with. */
    private static final java.math.BigInteger LEGACY_MAGIC = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    private PthReader() {
    }

    /**
     * All tensors of the state_dict in file order. Non-tensor entries are skipped.
     *
     * @throws IOException when the file is not a zip-format torch save or a tensor's data is truncated
     */
    public static Map<String, RawTensor> read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(file + " has no <archive>/data.pkl: not a torch.save zip file");
            }
            final String archive = prefix;
            Object root;
            try (InputStream in = zip.getInputStream(zip.getEntry(archive + "data.pkl"))) {
                Unpickler unpickler = new Unpickler() {
                    @Override
                    protected Object persistentLoad(Object pid) {
                        Object[] t = (Object[]) pid;
                        if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)) {
                            throw new PickleException("unsupported persistent id " + java.util.Arrays.toString(t));
                        }
                        return new StorageRef(String.valueOf(t[2]), type, number(t[4]), 0);
                    }
                };
                root = unpickler.load(in);
            } catch (PickleException | ClassCastException e) {
                throw new IOException(file + ": cannot read the pickle (" + e.getMessage()
                        + "); only state_dicts saved with torch.save are supported", e);
            }
            Map<?, ?> dict = stateDict(root, file);
            Map<String, ByteBuffer> storages = new HashMap<>();
            Map<String, RawTensor> out = new LinkedHashMap<>();
            for (var entry : dict.entrySet()) {
                if (!(entry.getValue() instanceof TensorRef ref)) {
                    continue;
                }
                ByteBuffer bytes = storages.get(ref.storage().key());
                if (bytes == null) {
                    bytes = readStorage(zip, archive, ref.storage(), file);
                    storages.put(ref.storage().key(), bytes);
                }
                out.put(String.valueOf(entry.getKey()), gather(ref, bytes));
            }
            return out;
        }
    }

    private static Map<?, ?> stateDict(Object root, Path file) throws IOException {
        if (root instanceof Map<?, ?> m && m.containsKey("state_dict") && m.get("state_dict") instanceof Map<?, ?> sd) {
            root = sd; // checkpoints that wrap the state_dict
        }
        if (!(root instanceof Map<?, ?> dict)) {
            throw new IOException(file + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state_dict (a mapping of names to tensors)");
        }
        return dict;
    }

    /**
     * True when a file's first bytes open a legacy torch.save stream: PROTO 2 and the 10-byte magic number
     * ({@code 80 02 8a 0a}); as a safetensors header length they would be far past any real header.
     */
    public static boolean isLegacy(byte[] head) {
        return head.length >= 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a
                && head[3] == 10;
    }

    /**
     * All tensors of a state_dict in the legacy (non-zip) torch.save format, in file order; non-tensor entries
     * are skipped.
     *
     * @throws IOException when the stream is not a legacy torch save or is truncated
     */
    public static Map<String, RawTensor> readLegacy(Path file) throws IOException {
        // storage root key -> (type, numel); a view names its root and starts at an element offset within it
        Map<String, StorageRef> roots = new HashMap<>();
        Object root;
        List<?> keys;
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16)) {
            try {
                Object magic = new Unpickler().load(in);
                if (!(magic instanceof Number n) || !big(n).equals(LEGACY_MAGIC)) {
                    throw new IOException(file + " is not a torch.save file (no magic number)");
                }
                new Unpickler().load(in); // protocol version
                new Unpickler().load(in); // system info: byte order, type sizes
                Unpickler unpickler = new Unpickler() {
                    @Override
                    protected Object persistentLoad(Object pid) {
                        Object[] t = (Object[]) pid;
                        if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)) {
                            throw new PickleException("unsupported persistent id " + java.util.Arrays.toString(t));
                        }
                        String key = String.valueOf(t[2]);
                        StorageRef whole = roots.computeIfAbsent(key, k -> new StorageRef(k, type, number(t[4]), 0));
                        if (t.length > 5 && t[5] instanceof Object[] view && view.length >= 3) {
                            return new StorageRef(key, type, number(view[2]), number(view[1]));
                        }
                        return whole;
                    }
                };
                root = unpickler.load(in);
                keys = (List<?>) new Unpickler().load(in);
            } catch (PickleException | ClassCastException e) {
                throw new IOException(file + ": cannot read the pickle (" + e.getMessage()
                        + "); only state_dicts saved with torch.save are supported", e);
            }
            Map<String, ByteBuffer> storages = new HashMap<>();
            for (Object k : keys) {
                String key = String.valueOf(k);
                StorageRef ref = roots.get(key);
                byte[] count = in.readNBytes(8);
                if (count.length < 8) {
                    throw new IOException(file + " is truncated at storage " + key);
                }
                long numel = ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).getLong();
                int elementBytes = ref != null ? ref.type().bytes() : 4;
                byte[] data = in.readNBytes(Math.toIntExact(numel * elementBytes));
                if (data.length < numel * elementBytes) {
                    throw new IOException(file + ": storage " + key + " is truncated (" + data.length + " of "
                            + numel * elementBytes + " bytes)");
                }
                storages.put(key, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
            }
            Map<String, RawTensor> out = new LinkedHashMap<>();
            for (var entry : stateDict(root, file).entrySet()) {
                if (entry.getValue() instanceof TensorRef ref) {
                    ByteBuffer bytes = storages.get(ref.storage().key());
                    if (bytes == null) {
                        throw new IOException(file + ": storage " + ref.storage().key() + " of " + entry.getKey()
                                + " is missing");
                    }
                    out.put(String.valueOf(entry.getKey()), gather(ref, bytes));
                }
            }
            return out;
        }
    }

    private static java.math.BigInteger big(Number n) {
        return n instanceof java.math.BigInteger b ? b : java.math.BigInteger.valueOf(n.longValue());
    }

    private static ByteBuffer readStorage(ZipFile zip, String archive, StorageRef ref, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(archive + "data/" + ref.key());
        if (entry == null) {
            throw new IOException(file + ": storage data/" + ref.key() + " is missing");
        }
        long expected = ref.numel() * ref.type().bytes();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(expected)).order(ByteOrder.LITTLE_ENDIAN);
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] chunk = new byte[1 << 16];
            while (buf.hasRemaining()) {
                int n = in.read(chunk, 0, Math.min(chunk.length, buf.remaining()));
                if (n < 0) {
                    throw new IOException(file + ": storage data/" + ref.key() + " is truncated ("
                            + buf.position() + " of " + expected + " bytes)");
                }
                buf.put(chunk, 0, n);
            }
        }
        buf.flip();
        return buf;
    }

    /** Copies the view out of its storage into a dense float32 buffer, element by element through strides. */
    private static RawTensor gather(TensorRef ref, ByteBuffer storage) {
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = 1;
        for (long d : size) {
            numel *= d;
        }
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(numel * 4)).order(ByteOrder.nativeOrder());
        String dtype = ref.storage().type().dtype();
        int bytes = ref.storage().type().bytes();
        long start = ref.offset() + ref.storage().viewOffset(); // legacy storage views start inside their root
        boolean contiguous = true;
        long expect = 1;
        for (int k = size.length - 1; k >= 0; k--) {
            if (size[k] != 1 && stride[k] != expect) {
                contiguous = false;
            }
            expect *= size[k];
        }
        if (contiguous && dtype.equals("float32")) {
            ByteBuffer src = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            src.position(Math.toIntExact(start * 4));
            src.limit(Math.toIntExact((start + numel) * 4));
            out.asFloatBuffer().put(src.asFloatBuffer());
            return new RawTensor(size.clone(), dtype, out);
        }
        long[] index = new long[size.length];
        for (long i = 0; i < numel; i++) {
            long pos = start;
            for (int k = 0; k < size.length; k++) {
                pos += index[k] * stride[k];
            }
            out.putFloat(Math.toIntExact(i * 4), element(storage, dtype, Math.toIntExact(pos * bytes)));
            for (int k = size.length - 1; k >= 0; k--) {
                if (++index[k] < size[k]) {
                    break;
                }
                index[k] = 0;
            }
        }
        return new RawTensor(size.clone(), dtype, out);
    }

    private static float element(ByteBuffer b, String dtype, int at) {
        return switch (dtype) {
            case "float32" -> b.getFloat(at);
            case "float64" -> (float) b.getDouble(at);
            case "float16" -> halfToFloat(b.getShort(at));
            case "bfloat16" -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            case "int64" -> b.getLong(at);
            case "int32" -> b.getInt(at);
            case "int16" -> b.getShort(at);
            case "int8" -> b.get(at);
            case "uint8", "bool" -> b.get(at) & 0xff;
            default -> throw new IllegalStateException("dtype " + dtype);
        };
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f * (float) Math.pow(2, -14);
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static long number(Object o) {
        return ((Number) o).longValue();
    }

    private static long[] longs(Object o) {
        List<Object> items = new ArrayList<>();
        if (o instanceof Object[] arr) {
            items.addAll(List.of(arr));
        } else if (o instanceof List<?> l) {
            items.addAll(l);
        } else {
            throw new PickleException("expected a tuple of ints, got " + o);
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(items.get(i));
        }
        return out;
    }
}
