package dev.neurolens.model;

import com.sun.net.httpserver.HttpServer;
import dev.neurolens.model.WeightsFiles;
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
import java.util.List;
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
        HttpServer server = server(body, hits);
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ok/fashion-" + sha.substring(0, 8)
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
            assertTrue(e.getMessage().contains(sha) && e.getMessage().contains("deleted"), e.getMessage());
            assertTrue(!Files.exists(tmp.resolve("cache").resolve(wrong.fileName())));
            assertNoPartFiles(tmp.resolve("cache"));
        } finally {
            server.stop(0);
        }
    }

    private static void assertNoPartFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".part")).toList(), "temporary files left");
        }
    }

    /** A local server: {@code /ok/*} serves body, {@code /slow/*} waits 3 s, {@code /huge/*} claims a petabyte. */
    private static HttpServer server(byte[] body, AtomicInteger hits) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.createContext("/slow/", ex -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().close();
        });
        server.createContext("/huge/", ex -> {
            ex.sendResponseHeaders(200, 1L << 50);
            ex.getResponseBody().close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    @Test
    void eachDownloadFailureIsOneLineWithUrlFileAndWhereToPutIt() throws IOException {
        byte[] body = fashionWeights(null, null, null);
        HttpServer server = server(body, new AtomicInteger());
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Path cache = tmp.resolve("cache");
        WeightStore store = new WeightStore(null, cache, false, null, java.time.Duration.ofSeconds(1), null);
        try {
            Map<String, String> reasons = new LinkedHashMap<>();
            reasons.put(base + "/missing/fashion-00000000.safetensors", "HTTP 404");
            reasons.put(base + "/slow/fashion-00000000.safetensors", "timed out");
            reasons.put(base + "/huge/fashion-00000000.safetensors", "disk full");
            try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                reasons.put("http://127.0.0.1:" + closed.getLocalPort() + "/x/fashion-00000000.safetensors", "");
            }
            for (var r : reasons.entrySet()) {
                String reason = r.getValue().isEmpty() ? "no network" : r.getValue();
                WeightsEntry entry = new WeightsEntry("fashion-fail", "fashion_cnn", r.getKey(), "00000000");
                WeightsException e = assertThrows(WeightsException.class, () -> store.locate(entry));
                String m = e.getMessage();
                assertTrue(m.contains(reason) && m.contains(r.getKey()) && m.contains("fashion-00000000.safetensors")
                        && m.contains(cache.toAbsolutePath().toString()) && m.contains("NEUROLENS_WEIGHTS")
                        && !m.contains("\n"), reason + ": " + m);
                assertNoPartFiles(cache);
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aMirrorServesTheFilesUnderTheirPublishedNames() throws IOException {
        byte[] body = fashionWeights(null, null, null);
        Path probe = tmp.resolve("probe");
        Files.write(probe, body);
        String sha = WeightStore.sha256(probe);
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = server(body, hits);
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/ok/";
            WeightsEntry entry = new WeightsEntry("fashion-m", "fashion_cnn",
                    "https://official.invalid/models/fashion-" + sha.substring(0, 8) + ".safetensors", sha);
            WeightStore store = new WeightStore(null, tmp.resolve("cache"), false, mirror,
                    java.time.Duration.ofSeconds(5), null);
            assertEquals(mirror + "fashion-" + sha.substring(0, 8) + ".safetensors", store.downloadUrl(entry));
            assertEquals(tmp.resolve("cache").resolve(entry.fileName()), store.locate(entry));
            assertEquals(1, hits.get());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void djlsOfflineSwitchDoesNotStopOurDownloads() {
        String before = System.getProperty("ai.djl.offline");
        System.setProperty("ai.djl.offline", "true");
        try {
            assertTrue(!WeightStore.fromEnvironment().offline() || System.getenv("NEUROLENS_OFFLINE") != null,
                    "ai.djl.offline must not make Neurolens offline");
            System.setProperty("neurolens.offline", "true");
            assertTrue(WeightStore.fromEnvironment().offline());
        } finally {
            System.clearProperty("neurolens.offline");
            if (before == null) {
                System.clearProperty("ai.djl.offline");
            } else {
                System.setProperty("ai.djl.offline", before);
            }
        }
    }
}
