package dev.neurolens.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds weight files: first in a local directory ({@code NEUROLENS_WEIGHTS}, for offline machines), then in
 * the cache ({@code NEUROLENS_CACHE}, default {@code ~/.cache/neurolens}), else downloads into the cache (from the
 * official URL or a mirror) with progress, to a temporary file renamed only after its sha256 matches. Every file
 * is checked against its sha256 before use.
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

    private static volatile DownloadProgress defaultProgress = DownloadProgress.text(System.err);

    private final Path localDir;
    private final Path cacheDir;
    private final boolean offline;
    private final String mirror;
    private final Duration timeout;
    private final DownloadProgress progress;

    /** A store with no mirror and the default 30 s timeout; progress as text lines on {@code progress} (or none). */
    public WeightStore(Path localDir, Path cacheDir, boolean offline, PrintStream progress) {
        this(localDir, cacheDir, offline, null, DEFAULT_TIMEOUT, DownloadProgress.text(progress));
    }

    /**
     * @param mirror base URL that serves the files under their published names (a classroom or regional server),
     *               or null for the official URLs
     * @param timeout how long a connection or a read may wait before the download fails
     */
    public WeightStore(Path localDir, Path cacheDir, boolean offline, String mirror, Duration timeout,
                       DownloadProgress progress) {
        this.localDir = localDir;
        this.cacheDir = cacheDir;
        this.offline = offline;
        this.mirror = mirror == null || mirror.isBlank() ? null : mirror.strip().replaceAll("/+$", "");
        this.timeout = timeout;
        this.progress = progress == null ? DownloadProgress.text(null) : progress;
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * From the environment (each also a system property): {@code NEUROLENS_WEIGHTS} / {@code neurolens.weights}
     * (a folder of weight files), {@code NEUROLENS_CACHE} / {@code neurolens.cache} (default
     * {@code ~/.cache/neurolens}), {@code NEUROLENS_MIRROR} / {@code neurolens.mirror} (base URL of a mirror),
     * {@code NEUROLENS_OFFLINE=1} / {@code neurolens.offline=true} (never download). DJL's own offline switch
     * ({@code ai.djl.offline}, which the kernel sets to keep DJL's hub quiet) does not stop these downloads.
     */
    public static WeightStore fromEnvironment() {
        String local = setting("NEUROLENS_WEIGHTS", "neurolens.weights");
        String cache = setting("NEUROLENS_CACHE", "neurolens.cache");
        Path cacheDir = cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "neurolens");
        String off = setting("NEUROLENS_OFFLINE", "neurolens.offline");
        boolean offline = off != null && off.matches("(?i)1|true|yes|on");
        String seconds = setting("NEUROLENS_DOWNLOAD_TIMEOUT", "neurolens.download.timeout");
        Duration timeout = seconds != null && seconds.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(seconds))
                : DEFAULT_TIMEOUT;
        return new WeightStore(local == null ? null : Path.of(local), cacheDir, offline,
                setting("NEUROLENS_MIRROR", "neurolens.mirror"), timeout, defaultProgress);
    }

    private static String setting(String env, String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Where downloads made by {@link #fromEnvironment()} report progress (the notebook installs a live bar). */
    public static void setDownloadProgress(DownloadProgress p) {
        defaultProgress = p == null ? DownloadProgress.text(System.err) : p;
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

    /** True when downloads are off ({@code NEUROLENS_OFFLINE}). */
    public boolean offline() {
        return offline;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** The URL a download of {@code entry} uses: the mirror's copy when a mirror is set, else the official one. */
    public String downloadUrl(WeightsEntry entry) {
        return mirror == null ? entry.url() : mirror + "/" + entry.fileName();
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
            throw new WeightsException(missingMessage(entry, entry.url(), "offline: NEUROLENS_OFFLINE is set"));
        }
        return download(entry, cached);
    }

    /** Loads the network for a registry entry. */
    public Network load(WeightsEntry entry) {
        Path file = locate(entry);
        return Network.create(Architecture.of(entry.architecture()),
                WeightsFiles.read(file), file.toString());
    }

    /** One line: which file, from where, why not, and where to put it by hand. */
    private String missingMessage(WeightsEntry entry, String url, String why) {
        return "weights " + entry.fileName() + " for " + entry.name() + " are not available (" + why + "). "
                + "Download " + url + " and put it in "
                + (localDir != null ? localDir.toAbsolutePath() : "a folder named by env NEUROLENS_WEIGHTS")
                + " or in the cache " + cacheDir.toAbsolutePath()
                + (mirror == null ? ", or set NEUROLENS_MIRROR to a server that has it." : ".");
    }

    private Path download(WeightsEntry entry, Path target) {
        String url = downloadUrl(entry);
        Path part = null;
        try {
            Files.createDirectories(cacheDir);
            URLConnection connection = URI.create(url).toURL().openConnection();
            connection.setConnectTimeout((int) timeout.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            if (connection instanceof HttpURLConnection http) {
                int status = http.getResponseCode();
                if (status != 200) {
                    http.disconnect();
                    throw new WeightsException(missingMessage(entry, url, "download failed: HTTP " + status
                            + (http.getResponseMessage() == null ? "" : " " + http.getResponseMessage())));
                }
            }
            long total = connection.getContentLengthLong();
            long free = Files.getFileStore(cacheDir).getUsableSpace();
            if (total > 0 && free < total) {
                throw new WeightsException(missingMessage(entry, url, String.format(Locale.ROOT,
                        "disk full: %.1f MB needed, %.1f MB free in %s", total / 1e6, free / 1e6, cacheDir)));
            }
            // a private temporary name, renamed only once the sha256 matches: a crash or a concurrent download
            // never leaves a half file under the real name
            part = Files.createTempFile(cacheDir, entry.fileName() + ".", ".part");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(part);
                 DownloadProgress.Bar bar = progress.start(entry.fileName(), url, total)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted");
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                    done += n;
                    bar.update(done);
                }
                if (total > 0 && done != total) {
                    throw new IOException("the connection closed after " + done + " of " + total + " bytes");
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!entry.matches(actual)) {
                throw new WeightsException(missingMessage(entry, url, "the downloaded file's sha256 is " + actual
                        + ", expected " + describeHash(entry) + "; the download was deleted"));
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            part = null;
            return target;
        } catch (WeightsException e) {
            throw e;
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new WeightsException(missingMessage(entry, url, "download failed: " + reason(e)), e);
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // best effort: a leftover .part file is never read
                }
            }
        }
    }

    /** The failure in a user's words. */
    private String reason(Exception e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof SocketTimeoutException) {
            return "no answer for " + timeout.toSeconds() + " s (timed out)";
        }
        if (e instanceof UnknownHostException) {
            return "no network (cannot resolve " + m + ")";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "no network (" + m + ")";
        }
        if (e instanceof InterruptedIOException) {
            return "interrupted; nothing was kept";
        }
        if (m.contains("No space left") || m.contains("Disk quota")) {
            return "disk full in " + cacheDir.toAbsolutePath() + "; nothing was kept";
        }
        return e.getClass().getSimpleName() + ": " + m;
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
