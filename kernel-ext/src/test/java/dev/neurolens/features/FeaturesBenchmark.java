package dev.neurolens.features;

import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.TorchOracle;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The features techniques against their python peers, each side in a process of its own so peak memory is its
 * own (ours: VmHWM of a fresh JVM; python: getrusage maxrss). Not a test. {@code ./neurolens bench features
 * [tsneN] [topkN] [threads] [sklearnMaxN]}; defaults 70000, 10000, 2, tsneN.
 * <ul>
 *   <li>t-SNE: the default model's penultimate layer ({@code relu4}, 128-D) over Fashion-MNIST test+train, PCA to
 *   50, written to a file; our Barnes-Hut t-SNE vs scikit-learn's on that same file (perplexity 30, 750
 *   iterations of which 250 exaggerated, PCA init, learning rate n/48, theta 0.5). Time excludes reading the file.
 *   {@code tsneN = 0} skips it. When scikit-learn is too slow for tsneN, {@code sklearnMaxN} runs both sides on
 *   the first sklearnMaxN rows of the same file too, and scikit-learn's time at tsneN is extrapolated from it as
 *   n log n (printed as an extrapolation).</li>
 *   <li>Top-k patches: top-9 of all 64 units of {@code conv3} over the first {@code topkN} pictures, batch 128,
 *   winners cropped; ours ({@link TopPatches}) vs a python torch loop with the same weights (the built-in
 *   safetensors file) and a running top-k per unit. Both warm up on two batches, then the median of three passes. The top-k values of both
 *   sides are compared.</li>
 * </ul>
 */
public final class FeaturesBenchmark {
    private static final String LAYER = "relu4";
    private static final String PATCH_LAYER = "conv3";
    private static final int K = 9;
    private static final int BATCH = 128;
    private static final int ITERATIONS = 750;
    /** Top-k: timed passes after the warm-up, the median reported. */
    private static final int REPEATS = 3;
    /**
     * OpenMP's default busy-waiting costs scikit-learn's t-SNE 3x on a shared 2-core machine (39 s vs 14 s at 1500
     * points); both sides run with passive waiting unless OMP_WAIT_POLICY is set.
     */
    private static final String OMP_WAIT_POLICY = System.getenv().getOrDefault("OMP_WAIT_POLICY", "PASSIVE");

    private FeaturesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("child-")) {
            child(args);
            return;
        }
        int tsneN = args.length > 0 ? Integer.parseInt(args[0]) : 70000;
        int topkN = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int sklearnMax = args.length > 3 ? Integer.parseInt(args[3]) : tsneN;
        String why = TorchOracle.unavailableReason();
        Path dir = Files.createTempDirectory("features-bench");
        Path script = dir.resolve("features_bench.py");
        try (InputStream in = FeaturesBenchmark.class.getResourceAsStream("features_bench.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("features benchmark: " + threads + " threads, " + Runtime.getRuntime().availableProcessors()
                + " cores; OMP_WAIT_POLICY=" + OMP_WAIT_POLICY + "; python peer: " + (why == null ? TorchOracle.PYTHON : "unavailable (" + why + ")"));
        try {
            if (tsneN > 0) {
                tsne(dir, script, tsneN, Math.min(tsneN, sklearnMax), threads, why == null);
            }
            if (topkN > 0) {
                topk(dir, script, topkN, threads, why == null);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void tsne(Path dir, Path script, int n, int sklearnN, int threads, boolean python)
            throws Exception {
        Path x = prepareTsneInput(n, threads);
        Map<String, String> oursSmall = null;
        Map<String, String> theirs = Map.of();
        if (python) {
            System.out.printf(Locale.ROOT, "%nt-SNE of %d x 50 (PCA of %s features), perplexity 30, %d iterations%n",
                    sklearnN, LAYER, ITERATIONS);
            theirs = run(List.of(TorchOracle.PYTHON, script.toString(), "tsne", x.toString(), String.valueOf(threads),
                    String.valueOf(ITERATIONS), String.valueOf(sklearnN)));
            if (sklearnN < n) {
                oursSmall = run(javaCommand("child-tsne", x.toString(), String.valueOf(threads),
                        String.valueOf(sklearnN)));
                header("KL");
                row("neurolens", oursSmall, "kl");
                row(theirs.get("version"), theirs, "kl");
                ratio(sklearnN, oursSmall, theirs, "measured");
            }
        }
        System.out.printf(Locale.ROOT, "%nt-SNE of %d x 50 (PCA of %s features), perplexity 30, %d iterations%n", n,
                LAYER, ITERATIONS);
        Map<String, String> ours = run(javaCommand("child-tsne", x.toString(), String.valueOf(threads),
                String.valueOf(n)));
        header("KL");
        row("neurolens", ours, "kl");
        if (python && sklearnN == n) {
            row(theirs.get("version"), theirs, "kl");
            ratio(n, ours, theirs, "measured");
        } else if (python) {
            double t = Double.parseDouble(theirs.get("seconds"));
            double scale = (n * Math.log(n)) / (sklearnN * Math.log(sklearnN));
            double ext = t * scale;
            System.out.printf(Locale.ROOT, "%-26s %10.1f %10s %12s  EXTRAPOLATED from %d points (x%.2f, n log n), "
                    + "not measured%n", theirs.get("version"), ext, "-", "-", sklearnN, scale);
            System.out.printf(Locale.ROOT, "t-SNE n=%d: neurolens is %.2fx the speed of scikit-learn (EXTRAPOLATED "
                    + "sklearn time / measured ours)%n", n, ext / Double.parseDouble(ours.get("seconds")));
        }
    }

    private static void ratio(int n, Map<String, String> ours, Map<String, String> theirs, String how) {
        double ratio = Double.parseDouble(theirs.get("seconds")) / Double.parseDouble(ours.get("seconds"));
        System.out.printf(Locale.ROOT, "t-SNE n=%d (%s): neurolens is %.2fx the speed of scikit-learn (time "
                + "sklearn/ours), peak memory ours/sklearn %.2f%n", n, how, ratio, mb(ours) / mb(theirs));
    }

    private static void header(String middle) {
        System.out.printf(Locale.ROOT, "%-26s %10s %10s %12s%n", "", "seconds", middle, "peak RSS MB");
    }

    private static void topk(Path dir, Path script, int n, int threads, boolean python) throws Exception {
        Path weights = dir.resolve("fashion_cnn.safetensors");
        try (InputStream in = Models.class.getResourceAsStream("fashion_cnn.safetensors")) {
            Files.copy(in, weights, StandardCopyOption.REPLACE_EXISTING);
        }
        ReceptiveField rf;
        try (Network net = Models.defaultModel()) {
            rf = net.receptiveField(PATCH_LAYER);
        }
        System.out.printf(Locale.ROOT, "%ntop-%d patches of all units of fashion_cnn %s (rf %d px) over %d "
                + "Fashion-MNIST pictures, batch %d%n", K, PATCH_LAYER, rf.size(), n, BATCH);
        Path oursOut = dir.resolve("ours.f32");
        Path theirsOut = dir.resolve("theirs.f32");
        Map<String, String> ours = run(javaCommand("child-topk", String.valueOf(n), String.valueOf(threads),
                oursOut.toString()));
        Map<String, String> theirs = python ? run(List.of(TorchOracle.PYTHON, script.toString(), "topk",
                weights.toString(), "/usr/share/datasets/fashion-mnist", String.valueOf(n), String.valueOf(threads),
                String.valueOf(BATCH), String.valueOf(K), String.valueOf(rf.size()), String.valueOf(rf.stride()),
                String.valueOf(rf.offset()), theirsOut.toString(), String.valueOf(REPEATS))) : Map.of();
        header("images/s");
        row("neurolens", ours, "images_per_s");
        if (python) {
            row("python " + theirs.get("version") + " loop", theirs, "images_per_s");
            float[] a = readFloats(oursOut);
            float[] b = readFloats(theirsOut);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            double ratio = Double.parseDouble(ours.get("images_per_s")) / Double.parseDouble(theirs.get("images_per_s"));
            System.out.printf(Locale.ROOT, "top-k n=%d: throughput ratio ours/python %.2fx, peak memory ours/python "
                    + "%.2f; top-%d values agree to %.1e (%d values)%n", n, ratio, mb(ours) / mb(theirs), K, diff,
                    a.length);
        }
    }

    /** relu4 features of the first n pictures, PCA to 50, as the file the t-SNE peers read; kept across runs. */
    private static Path prepareTsneInput(int n, int threads) throws IOException {
        Path file = Path.of("kernel-ext/target/bench-features/relu4-pca50-" + n + ".f32").toAbsolutePath();
        if (Files.isRegularFile(file)) {
            System.out.println("t-SNE input (cached): " + file);
            return file;
        }
        Devices.setThreads(threads);
        long t0 = System.nanoTime();
        FeatureMatrix f;
        try (Network net = Models.defaultModel()) {
            f = Features.of(net, LAYER, ImageSet.fashionMnist().first(n));
        }
        double featSec = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        FeatureMatrix p = Pca.project(f, 50);
        System.out.printf(Locale.ROOT, "t-SNE input: %s features of %d pictures in %.1f s, PCA to 50 in %.1f s%n",
                LAYER, n, featSec, (System.nanoTime() - t1) / 1e9);
        Files.createDirectories(file.getParent());
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(p.rows());
            out.writeInt(p.dims());
            ByteBuffer buf = ByteBuffer.allocate(p.rows() * p.dims() * 4).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < p.rows(); i++) {
                buf.asFloatBuffer().position(i * p.dims()).put(p.row(i));
            }
            out.write(buf.array());
        }
        return file;
    }

    private static FeatureMatrix readMatrix(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int d = in.readInt();
            float[] v = new float[n * d];
            ByteBuffer.wrap(in.readNBytes(n * d * 4)).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(v);
            return FeatureMatrix.of(v, n, d, file.getFileName().toString());
        }
    }

    private static float[] readFloats(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    // ------------------------------------------------------------------ children: one measurement per process

    private static void child(String[] args) throws Exception {
        if (args[0].equals("child-tsne")) {
            Devices.setThreads(Integer.parseInt(args[2]));
            FeatureMatrix x = readMatrix(Path.of(args[1])).first(Integer.parseInt(args[3]));
            Embedding e = Tsne.builder().iterations(ITERATIONS).build().fit(x);
            System.out.printf(Locale.ROOT, "seconds=%.3f%nkl=%.4f%n", e.seconds(), e.klDivergence());
        } else {
            int n = Integer.parseInt(args[1]);
            Devices.setThreads(Integer.parseInt(args[2]));
            ImageSet data = ImageSet.fashionMnist().first(n);
            try (Network net = Models.defaultModel()) {
                TopPatches.Builder runner = TopPatches.builder(net, PATCH_LAYER).k(K).batch(BATCH);
                forceCrops(runner.run(data.first(2 * BATCH))); // warm-up
                double[] times = new double[REPEATS];
                TopPatchesResult top = null;
                for (int r = 0; r < REPEATS; r++) {
                    long t0 = System.nanoTime();
                    top = runner.run(data);
                    forceCrops(top);
                    times[r] = (System.nanoTime() - t0) / 1e9;
                }
                java.util.Arrays.sort(times);
                double sec = times[REPEATS / 2];
                // K x C, rank-major like the python side
                int c = top.units().length;
                ByteBuffer buf = ByteBuffer.allocate(K * c * 4).order(ByteOrder.BIG_ENDIAN);
                for (int r = 0; r < K; r++) {
                    for (int u = 0; u < c; u++) {
                        buf.putFloat(top.hits(u).get(r).value());
                    }
                }
                Files.write(Path.of(args[3]), buf.array());
                System.out.printf(Locale.ROOT, "seconds=%.3f%nimages_per_s=%.1f%n", sec, n / sec);
            }
        }
        System.out.println("maxrss_kb=" + vmHwmKb());
    }

    private static void forceCrops(TopPatchesResult top) {
        for (int u = 0; u < top.units().length; u++) {
            top.crops(u);
        }
    }

    /** Peak resident set size of this process so far (Linux). */
    static long vmHwmKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ plumbing

    private static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        // the kernel's JVM options, so the memory is what a notebook would see
        cmd.addAll(List.of("-Dai.djl.offline=true", "-Djava.awt.headless=true", "-XX:+UseParallelGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
                "-cp", System.getProperty("java.class.path"), FeaturesBenchmark.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Map<String, String> run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", OMP_WAIT_POLICY);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(3600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " failed:\n"
                    + out);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[a-z_]+")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        if (!values.containsKey("seconds")) {
            throw new IllegalStateException("no timing in the output of " + cmd.get(0) + ":\n" + out);
        }
        return values;
    }

    private static double mb(Map<String, String> v) {
        return Long.parseLong(v.get("maxrss_kb")) / 1024.0;
    }

    private static void row(String who, Map<String, String> v, String middle) {
        System.out.printf(Locale.ROOT, "%-26s %10.1f %10s %12.0f%n", who, Double.parseDouble(v.get("seconds")),
                v.get(middle), mb(v));
    }
}
