package dev.neurolens.model;

import com.sun.net.httpserver.HttpServer;
import dev.neurolens.model.internal.WeightsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry, cache, local folder, download with progress, and the errors for bad or missing files. */
class WeightStoreTest {

    @TempDir
    Path tmp;

    /** Fashion CNN weights (small) as a safetensors file, optionally with one tensor broken. */
    static byte[] fashionWeights(String breakKey, long[] breakShape, String extraKey) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (var e : Architecture.of("fashion_cnn").parameterShapes().entrySet()) {
            long[] shape = e.getKey().equals(breakKey) ? breakShape : e.getValue();
            if (shape == null) {
                continue;
            }
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            values.put(e.getKey(), new float[(int) n]);
            shapes.put(e.getKey(), shape);
        }
        if (extraKey != null) {
            values.put(extraKey, new float[3]);
            shapes.put(extraKey, new long[] {3});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WeightsFiles.writeSafetensors(values, shapes, out);
        return out.toByteArray();
    }

    @Test
    void registryHasTheTorchvisionFiles() {
        WeightsEntry s = WeightStore.entry("squeezenet1_1");
        assertEquals("squeezenet1_1-b8a52dc0.pth", s.fileName());
        assertTrue(s.fullHash());
        assertEquals("https://download.pytorch.org/models/vgg16-397923af.pth", WeightStore.entry("vgg16").url());
        for (WeightsEntry e : WeightStore.entries()) {
            assertTrue(e.fileName().contains(e.sha256().substring(0, 8)), e + " file name carries its hash prefix");
        }
        assertEquals(5, Models.available().size());
    }

    @Test
    void missingOfflineNamesFileUrlAndPlace() {
        WeightStore store = new WeightStore(tmp.resolve("local"), tmp.resolve("cache"), true, null);
        WeightsException e = assertThrows(WeightsException.class, () -> store.locate(WeightStore.entry("vgg16")));
        String m = e.getMessage();
        assertTrue(m.contains("vgg16-397923af.pth") && m.contains("https://download.pytorch.org/models/vgg16-397923af.pth")
                && m.contains(tmp.resolve("local").toString()) && m.contains(tmp.resolve("cache").toString()), m);
    }

    @Test
    void localFolderIsUsedAndVerified() throws IOException {
        byte[] good = fashionWeights(null, null, null);
        Path local = Files.createDirectories(tmp.resolve("local"));
        Files.write(local.resolve("fashion-test.safetensors"), good);
        Path file = local.resolve("fashion-test.safetensors");
        WeightsEntry entry = new WeightsEntry("fashion-test", "fashion_cnn", "https://example.invalid/fashion-test.safetensors",
                WeightStore.sha256(file).substring(0, 8));
        WeightStore store = new WeightStore(local, tmp.resolve("cache"), true, null);
        try (Network net = store.load(entry)) {
            assertEquals(file.toString(), net.source());
        }
        Files.write(file, fashionWeights("classifier.3.bias", new long[] {11}, null));
        WeightsException e = assertThrows(WeightsException.class, () -> store.load(entry));
        assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains(entry.sha256()), e.getMessage());
    }

    @Test
    void mismatchedKeysAndShapesAreListedAndNothingLoads() throws IOException {
        Path file = tmp.resolve("bad.safetensors");
        Files.write(file, fashionWeights("features.3.weight", new long[] {64, 16, 3, 3}, "features.9.weight"));
        WeightsException e = assertThrows(WeightsException.class, () -> Models.load("fashion_cnn", file));
        String m = e.getMessage();
        assertTrue(m.contains("features.3.weight has shape [64, 16, 3, 3], expected [64, 32, 3, 3]"), m);
        assertTrue(m.contains("unexpected features.9.weight"), m);
        assertTrue(m.contains("Nothing was loaded"), m);
        Files.write(file, fashionWeights("classifier.0.bias", null, null));
        assertTrue(assertThrows(WeightsException.class, () -> Models.load("fashion_cnn", file)).getMessage()
                .contains("missing classifier.0.bias"));
        Path pth = tmp.resolve("truncated.pth");
        Files.write(pth, new byte[] {'P', 'K', 3, 4, 0, 0});
        assertThrows(WeightsException.class, () -> Models.load("squeezenet1_1", pth));
    }

    @Test
    void downloadsOnceWithProgressIntoTheCache() throws IOException {
        byte[] body = fashionWeights(null, null, null);
        Path probe = tmp.resolve("probe");
        Files.write(probe, body);
        String sha = WeightStore.sha256(probe);
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/fashion-" + sha.substring(0, 8)
                    + ".safetensors";
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            WeightStore store = new WeightStore(null, tmp.resolve("cache"), false, new PrintStream(log, true));
            WeightsEntry entry = new WeightsEntry("fashion-dl", "fashion_cnn", url, sha);
            store.load(entry).close();
            store.load(entry).close();
            assertEquals(1, hits.get(), "second load comes from the cache");
            assertTrue(log.toString().contains("downloading fashion-") && log.toString().contains("100%"), log.toString());
            assertTrue(Files.isRegularFile(tmp.resolve("cache").resolve(entry.fileName())));

            WeightsEntry wrong = new WeightsEntry("fashion-bad", "fashion_cnn", url.replace(".safetensors", "x.safetensors"),
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
            WeightsException e = assertThrows(WeightsException.class, () -> store.load(wrong));
            assertTrue(e.getMessage().contains(sha) && e.getMessage().contains("discarded"), e.getMessage());
            assertTrue(!Files.exists(tmp.resolve("cache").resolve(wrong.fileName())));
        } finally {
            server.stop(0);
        }
    }
}
