package dev.neurolens.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds weight files: first in a local directory ({@code NEUROLENS_WEIGHTS}, for offline machines), then in
 * the cache ({@code NEUROLENS_CACHE}, default {@code ~/.cache/neurolens}), else downloads into the cache with
 * progress. Every file is checked against its sha256 before use.
 */
public final class WeightStore {

    /** The official torchvision files. Only squeezenet1_1's full sha256 is known; the others carry the prefix. */
    private static final Map<String, WeightsEntry> REGISTRY = new LinkedHashMap<>();

    static {
        register(new WeightsEntry("squeezenet1_1", "squeezenet1_1",
                "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
                "b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b"));
        register(new WeightsEntry("alexnet", "alexnet",
                "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", "7be5be79"));
        register(new WeightsEntry("vgg16", "vgg16", "https://download.pytorch.org/models/vgg16-397923af.pth", "397923af"));
        register(new WeightsEntry("vgg19", "vgg19", "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", "dcbb9e9d"));
        register(new WeightsEntry("resnet18", "resnet18",
                "https://download.pytorch.org/models/resnet18-f37072fd.pth", "f37072fd"));
    }

    private final Path localDir;
    private final Path cacheDir;
    private final boolean offline;
    private final PrintStream progress;

    public WeightStore(Path localDir, Path cacheDir, boolean offline, PrintStream progress) {
        this.localDir = localDir;
        this.cacheDir = cacheDir;
        this.offline = offline;
        this.progress = progress;
    }

    /**
     * From the environment: NEUROLENS_WEIGHTS, NEUROLENS_CACHE, and offline when NEUROLENS_OFFLINE=true or
     * DJL's offline switch ({@code -Dai.djl.offline=true} / {@code DJL_OFFLINE=true}) is on.
     */
    public static WeightStore fromEnvironment() {
        String local = System.getenv("NEUROLENS_WEIGHTS");
        String cache = System.getenv("NEUROLENS_CACHE");
        Path cacheDir = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "neurolens");
        boolean offline = "true".equalsIgnoreCase(System.getenv("NEUROLENS_OFFLINE"))
                || Boolean.getBoolean("ai.djl.offline") || "true".equalsIgnoreCase(System.getenv("DJL_OFFLINE"));
        return new WeightStore(local == null || local.isBlank() ? null : Path.of(local), cacheDir, offline, System.err);
    }

    public static void register(WeightsEntry entry) {
        synchronized (REGISTRY) {
            REGISTRY.put(entry.name(), entry);
        }
    }

    public static WeightsEntry entry(String name) {
        synchronized (REGISTRY) {
            WeightsEntry e = REGISTRY.get(name);
            if (e == null) {
                throw new IllegalArgumentException("no weights named '" + name + "'; known: "
                        + String.join(", ", REGISTRY.keySet()));
            }
            return e;
        }
    }

    public static List<WeightsEntry> entries() {
        synchronized (REGISTRY) {
            return List.copyOf(REGISTRY.values());
        }
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Where the file for {@code entry} would be found, verified; downloads it if allowed and needed. */
    public Path locate(WeightsEntry entry) {
        if (localDir != null) {
            Path p = localDir.resolve(entry.fileName());
            if (Files.isRegularFile(p)) {
                verify(entry, p);
                return p;
            }
        }
        Path cached = cacheDir.resolve(entry.fileName());
        if (Files.isRegularFile(cached)) {
            verify(entry, cached);
            return cached;
        }
        if (offline) {
            throw new WeightsException(missingMessage(entry, "offline mode is on"));
        }
        return download(entry, cached);
    }

    /** Loads the network for a registry entry. */
    public Network load(WeightsEntry entry) {
        Path file = locate(entry);
        return Network.create(Architecture.of(entry.architecture()),
                dev.neurolens.model.internal.WeightsFiles.read(file), file.toString());
    }

    private String missingMessage(WeightsEntry entry, String why) {
        return "weights " + entry.fileName() + " for " + entry.name() + " are not available (" + why + "). "
                + "Download " + entry.url() + " and put it in "
                + (localDir != null ? localDir.toAbsolutePath() : "a folder named by env NEUROLENS_WEIGHTS")
                + " or in the cache " + cacheDir.toAbsolutePath() + ".";
    }

    private Path download(WeightsEntry entry, Path target) {
        Path part = target.resolveSibling(entry.fileName() + ".part");
        try {
            Files.createDirectories(cacheDir);
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(entry.url())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(response.body(), sha);
                 OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int lastTenth = -1;
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    done += n;
                    int tenth = total > 0 ? (int) (done * 10 / total) : (int) (done >> 24);
                    if (progress != null && tenth != lastTenth) {
                        lastTenth = tenth;
                        progress.printf("downloading %s: %d MB%s%n", entry.fileName(), done >> 20,
                                total > 0 ? " of " + (total >> 20) + " MB (" + tenth * 10 + "%)" : "");
                    }
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!entry.matches(actual)) {
                Files.deleteIfExists(part);
                throw new WeightsException("downloaded " + entry.url() + " but its sha256 is " + actual
                        + ", expected " + describeHash(entry) + "; the file was discarded.");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | InterruptedException | NoSuchAlgorithmException e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // best effort
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new WeightsException(missingMessage(entry, "download failed: " + e), e);
        }
    }

    private static void verify(WeightsEntry entry, Path file) {
        String actual = sha256(file);
        if (!entry.matches(actual)) {
            throw new WeightsException("weights file " + file.toAbsolutePath() + " is corrupt or not " + entry.name()
                    + ": sha256 " + actual + ", expected " + describeHash(entry) + ". Delete it and fetch "
                    + entry.url() + " again.");
        }
    }

    private static String describeHash(WeightsEntry e) {
        return e.fullHash() ? e.sha256() : "a hash starting with " + e.sha256() + " (only the prefix is published)";
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new WeightsException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
