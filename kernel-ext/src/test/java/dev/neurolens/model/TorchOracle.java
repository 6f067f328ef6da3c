package dev.neurolens.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs torch_oracle.py with Debian's python torch (/usr/bin/python3, tests only) and reads what it wrote.
 * {@link #available()} says why not when python or torch is missing, so tests can skip with that message.
 */
public final class TorchOracle {
    public static final String PYTHON = "/usr/bin/python3";
    private static String unavailable;
    private static final Map<String, Path> RUNS = new HashMap<>();

    private TorchOracle() {
    }

    /** Null when usable, else the reason. */
    public static synchronized String unavailableReason() {
        if (unavailable == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision").redirectErrorStream(true).start();
                boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
                unavailable = ok ? "" : PYTHON + " cannot import torch and torchvision: "
                        + new String(p.getInputStream().readAllBytes()).strip();
            } catch (IOException | InterruptedException e) {
                unavailable = PYTHON + " not runnable: " + e.getMessage();
            }
        }
        return unavailable.isEmpty() ? null : unavailable;
    }

    /** Runs the oracle for the given specs (e.g. "vgg16", "squeezenet1_1@224") into a fresh temp dir. */
    public static synchronized Path run(String... specs) throws IOException, InterruptedException {
        String key = String.join(",", specs);
        Path done = RUNS.get(key);
        if (done != null) {
            return done;
        }
        Path dir = Files.createTempDirectory("neurolens-oracle");
        Path script = dir.resolve("torch_oracle.py");
        try (InputStream in = TorchOracle.class.getResourceAsStream("torch_oracle.py")) {
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), dir.toString()));
        cmd.addAll(List.of(specs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ORACLE_THREADS", "2");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("torch_oracle.py failed:\n" + log);
        }
        RUNS.put(key, dir);
        return dir;
    }

    public static JsonObject meta(Path dir, String tag) throws IOException {
        return new JsonParser().parse(Files.readString(dir.resolve(tag + ".json"))).getAsJsonObject();
    }

    /** Reads {"file":..., "shape":[...]} written by the oracle. */
    public static Tensor tensor(Path dir, JsonObject entry) throws IOException {
        var shapeJson = entry.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(entry.get("file").getAsString()));
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.of(v, shape);
    }

    public static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // temp files; the OS cleans up eventually
        }
    }
}
