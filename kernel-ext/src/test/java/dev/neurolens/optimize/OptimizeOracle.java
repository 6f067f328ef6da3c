package dev.neurolens.optimize;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.neurolens.model.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs optimize_oracle.py once per JVM with Debian's python torch (/usr/bin/python3, tests only) and reads
 * what it wrote; {@link #unavailableReason()} says why not when python or torch is missing.
 */
final class OptimizeOracle {
    static final String PYTHON = "/usr/bin/python3";
    private static String unavailable;
    private static Path dir;

    private OptimizeOracle() {
    }

    static synchronized String unavailableReason() {
        if (unavailable == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision").redirectErrorStream(true).start();
                boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
                unavailable = ok ? "" : PYTHON + " cannot import torch and torchvision";
            } catch (IOException | InterruptedException e) {
                unavailable = PYTHON + " not runnable: " + e.getMessage();
            }
        }
        return unavailable.isEmpty() ? null : unavailable;
    }

    static synchronized Path run() throws IOException, InterruptedException {
        if (dir != null) {
            return dir;
        }
        Path d = Files.createTempDirectory("neurolens-optimize-oracle");
        Path script = d.resolve("optimize_oracle.py");
        try (InputStream in = OptimizeOracle.class.getResourceAsStream("optimize_oracle.py")) {
            Files.copy(in, script);
        }
        ProcessBuilder pb = new ProcessBuilder(PYTHON, script.toString(), d.toString()).redirectErrorStream(true);
        pb.environment().put("ORACLE_THREADS", "2");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("optimize_oracle.py failed:\n" + log);
        }
        dir = d;
        return d;
    }

    static JsonObject meta() throws IOException, InterruptedException {
        return new JsonParser().parse(Files.readString(run().resolve("oracle.json"))).getAsJsonObject();
    }

    static Tensor tensor(JsonObject entry) throws IOException, InterruptedException {
        var shapeJson = entry.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
        }
        byte[] bytes = Files.readAllBytes(run().resolve(entry.get("file").getAsString()));
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.of(v, shape);
    }

    static Path file(String name) throws IOException, InterruptedException {
        return run().resolve(name);
    }
}
