package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.neurolens.model.internal.PthReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reading weight files: torch {@code .pth} (zip, or the legacy pickle stream of torch < 1.6), and float32
 * safetensors (the format of our own weights).
 */
public final class WeightsFiles {
    private WeightsFiles() {
    }

    /** Reads a state_dict from a file, choosing the format by its first bytes. */
    public static Map<String, RawTensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("weights file " + file.toAbsolutePath() + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length >= 2 && head[0] == 'P' && head[1] == 'K') {
                return PthReader.read(file);
            }
            if (PthReader.isLegacy(head)) {
                return PthReader.readLegacy(file);
            }
        } catch (IOException e) {
            throw new WeightsException("cannot read weights " + file + ": " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readSafetensors(in, file.toString());
        } catch (IOException e) {
            throw new WeightsException("cannot read weights " + file + " (neither a torch.save file nor safetensors): "
                    + e.getMessage(), e);
        }
    }

    /** Safetensors: 8-byte little-endian header length, a JSON header, then the raw little-endian data. */
    public static Map<String, RawTensor> readSafetensors(InputStream in, String what) throws IOException {
        byte[] len = in.readNBytes(8);
        if (len.length < 8) {
            throw new IOException(what + " is too short");
        }
        long headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > 100_000_000) {
            throw new IOException(what + " has no safetensors header");
        }
        String header = new String(in.readNBytes((int) headerLength), StandardCharsets.UTF_8);
        byte[] data = in.readAllBytes();
        JsonObject meta = new JsonParser().parse(header).getAsJsonObject();
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (var e : meta.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            if (!"F32".equals(t.get("dtype").getAsString())) {
                throw new IOException(what + ": " + e.getKey() + " is " + t.get("dtype") + "; only F32 is supported");
            }
            var shapeJson = t.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
            }
            var offsets = t.getAsJsonArray("data_offsets");
            int begin = offsets.get(0).getAsInt();
            int end = offsets.get(1).getAsInt();
            if (end > data.length || begin > end) {
                throw new IOException(what + ": data of " + e.getKey() + " is truncated");
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(end - begin).order(ByteOrder.nativeOrder());
            buf.asFloatBuffer().put(ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
            RawTensor raw = new RawTensor(shape, "float32", buf);
            if (raw.numel() * 4 != end - begin) {
                throw new IOException(what + ": " + e.getKey() + " has " + (end - begin) + " bytes for shape "
                        + raw.shapeString());
            }
            out.put(e.getKey(), raw);
        }
        return out;
    }

    /**
     * The string metadata ({@code __metadata__}) of a safetensors file; empty when it has none or is a torch file.
     */
    public static Map<String, String> metadata(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return metadata(in, file.toString());
        } catch (IOException e) {
            throw new WeightsException("cannot read the header of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The same from a stream positioned at the start of the file (a resource, say); {@code what} names it. */
    public static Map<String, String> metadata(InputStream in, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) {
                return out;
            }
            long headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 0 || headerLength > 100_000_000) {
                return out; // a torch zip or pickle, not safetensors
            }
            String header = new String(in.readNBytes((int) headerLength), StandardCharsets.UTF_8);
            var meta = new JsonParser().parse(header).getAsJsonObject().get("__metadata__");
            if (meta != null && meta.isJsonObject()) {
                meta.getAsJsonObject().entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new WeightsException("cannot read the header of " + what + ": " + e.getMessage(), e);
        }
    }

    /** Writes a network's parameters (float32, in map order) to a safetensors file, creating its folder. */
    public static void saveSafetensors(Map<String, NDArray> params, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream os = Files.newOutputStream(file)) {
            writeParameters(params, os);
        }
    }

    /** A network's parameters (float32, in map order) as the bytes of a safetensors file. */
    public static byte[] safetensorsBytes(Map<String, NDArray> params) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeParameters(params, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void writeParameters(Map<String, NDArray> params, OutputStream out) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            values.put(e.getKey(), e.getValue().toFloatArray());
            shapes.put(e.getKey(), e.getValue().getShape().getShape());
        }
        writeSafetensors(values, shapes, out);
    }

    /** Writes float32 tensors as safetensors, in the given order. */
    public static void writeSafetensors(Map<String, float[]> values, Map<String, long[]> shapes, OutputStream out)
            throws IOException {
        writeSafetensors(values, shapes, Map.of(), out);
    }

    /** The same with string {@code metadata} in the header's {@code __metadata__} (as safetensors allows). */
    public static void writeSafetensors(Map<String, float[]> values, Map<String, long[]> shapes,
                                        Map<String, String> metadata, OutputStream out) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (var e : values.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            var shape = new com.google.gson.JsonArray();
            for (long d : shapes.get(e.getKey())) {
                shape.add(d);
            }
            t.add("shape", shape);
            var off = new com.google.gson.JsonArray();
            off.add(offset);
            offset += e.getValue().length * 4L;
            off.add(offset);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) {
            hp[i] = ' ';
        }
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).array());
        out.write(hp);
        for (float[] v : values.values()) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            out.write(b.array());
        }
    }

}
