package dev.neurolens.attribution;

import dev.neurolens.attribution.internal.IncrementalForward;
import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Attribution cost at 224 px, batch 1, eval mode, SqueezeNet 1.1 and VGG16 (random weights: the cost does not
 * depend on them): gradient saliency, Grad-CAM, occlusion (patch 32, stride 32, fill 0) in Neurolens against python
 * torch (torch_bench.py) at equal thread counts in the same run, plus plain batched and incremental occlusion
 * against one forward pass per patch (speed-up rows). The python peer of both occlusion rows is torch's batched
 * occlusion (16 copies per pass).
 *
 * <p>Each incremental row is followed by its bound: the multiply-adds of a plain pass over those of the windows
 * the incremental plan computes per occluded copy (its batches and whole-map switch included), what exact
 * incremental inference can gain from computing less. The measured speed-up can pass it, since the one-per-patch
 * baseline also pays per-pass overheads (and max pooling over whole maps) that the windows mostly avoid.
 *
 * <p>Then patch 16 stride 8 (729 patches), where windows stay small deeper into the network: one pass per patch,
 * timed directly when that takes under a minute, otherwise scaled from the per-pass time of the patch 32 row (the
 * row says so; every pass costs the same), incremental, and the opt-in approximate occlusion with Krypton's
 * projective-field threshold {@link #TAU}, with its error against the exact map (max abs difference, rank
 * correlation). No python peer for these rows. Not a test. Run from the repository root:
 *
 * <pre>
 * ./neurolens bench attribution [threads] [iterations]
 * </pre>
 */
public final class AttributionBenchmark {
    private AttributionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Devices.setThreads(threads);
        System.out.println(Devices.describe() + "; " + threads + " threads; median of " + iters);
        String why = TorchOracle.unavailableReason();
        Path script = null;
        if (why == null) {
            script = Files.createTempFile("torch_bench", ".py");
            try (InputStream in = TorchOracle.class.getResourceAsStream("torch_bench.py")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            System.out.println("python peer unavailable: " + why);
        }
        Tensor x = randomInput();
        Target seven = Target.classIndex(7);
        System.out.printf("%-14s %-24s %10s %10s %7s%n", "model", "method", "java ms", "python ms", "ratio");
        for (String arch : new String[] {"squeezenet1_1", "vgg16"}) {
            String camLayer = arch.equals("vgg16") ? "features.29" : "features.12";
            boolean big = arch.equals("vgg16");
            int n = big ? Math.max(2, iters / 2) : iters;
            try (Network net = Models.random(arch, 0)) {
                row(arch, "saliency", () -> GradientSaliency.create().attribute(net, x, seven), n, script, "saliency",
                        camLayer, threads);
                row(arch, "grad-cam", () -> GradCam.at(camLayer).attribute(net, x, seven), n, script, "gradcam",
                        camLayer, threads);
                Occlusion incremental = Occlusion.builder().patch(32).stride(32).fill(0).build();
                Occlusion batched = Occlusion.builder().patch(32).stride(32).fill(0).incremental(false).build();
                Occlusion single = Occlusion.builder().patch(32).stride(32).fill(0).incremental(false).batchSize(1)
                        .build();
                int occ = big ? 1 : 2;
                double singleMs = row(arch, "occlusion (1 per patch)", () -> single.attribute(net, x, seven), occ,
                        script, "occlusion1", camLayer, threads);
                double batchedMs = row(arch, "occlusion (batched)", () -> batched.attribute(net, x, seven), occ,
                        script, "occlusion", camLayer, threads);
                speedUp(arch, singleMs / batchedMs, "batched");
                double incMs = row(arch, "occlusion (incremental)", () -> incremental.attribute(net, x, seven), occ,
                        script, "occlusion", camLayer, threads);
                speedUp(arch, singleMs / incMs, "incremental");
                bound(arch, incremental.incrementalCosts(net, x), singleMs / incMs);
                System.out.printf("%-14s %-24s %s%n", arch, "  incremental path",
                        incremental.attribute(net, x, seven).details(Occlusion.Details.class).mode());
                // more, smaller patches: the setting where windows stay small deeper into the network
                Occlusion fineInc = Occlusion.builder().patch(16).stride(8).fill(0).build();
                Occlusion fineSingle = Occlusion.builder().patch(16).stride(8).fill(0).incremental(false)
                        .batchSize(1).build();
                int passes = fineInc.attribute(net, x, seven).details(Occlusion.Details.class).patches() + 1;
                double perPass = singleMs
                        / (single.attribute(net, x, seven).details(Occlusion.Details.class).patches() + 1);
                double fineSingleMs;
                String how;
                if (perPass * passes < 60_000) {
                    fineSingleMs = median(() -> fineSingle.attribute(net, x, seven), 0, 1);
                    how = "";
                } else {
                    fineSingleMs = perPass * passes;
                    how = String.format("  (scaled: %d passes x %.1f ms, the per-pass time of the row above)",
                            passes, perPass);
                }
                System.out.printf("%-14s %-24s %10.1f %10s %7s%s%n", arch, "occl 16/8 (1 per patch)", fineSingleMs,
                        "-", "", how);
                double fineMs = median(() -> fineInc.attribute(net, x, seven), 1, big ? 1 : 2);
                System.out.printf("%-14s %-24s %10.1f %10s %7s%n", arch, "occl 16/8 (incremental)", fineMs, "-", "");
                speedUp(arch, fineSingleMs / fineMs, "incremental, patch 16 stride 8");
                bound(arch, fineInc.incrementalCosts(net, x), fineSingleMs / fineMs);
                // opt-in approximation, never the default: Krypton's projective-field threshold
                Occlusion approx = Occlusion.builder().patch(16).stride(8).fill(0).projectiveFieldThreshold(TAU).build();
                double approxMs = median(() -> approx.attribute(net, x, seven), 1, big ? 1 : 2);
                System.out.printf("%-14s %-24s %10.1f %10s %7s%n", arch, "occl 16/8 tau " + TAU + " APPROX", approxMs,
                        "-", "");
                speedUp(arch, fineSingleMs / approxMs, "approximate, tau " + TAU);
                float[][] exact = fineInc.attribute(net, x, seven).map();
                float[][] rough = approx.attribute(net, x, seven).map();
                System.out.printf("%-14s %-24s %10s %10s %7s  error vs exact: max abs diff %.3g (exact map's range"
                        + " %.3g), rank correlation %.4f%n", arch, "  approximation", "", "", "",
                        maxAbsDiff(exact, rough), range(exact), spearman(exact, rough));
            }
        }
        if (script != null) {
            Files.deleteIfExists(script);
        }
    }

    /** Times {@code job} in Java and its python peer; prints the row and returns the Java milliseconds. */
    static double row(String arch, String label, Supplier<Object> job, int iters, Path script, String method,
                      String layer, int threads) throws Exception {
        double java = median(job, WARMUP, iters);
        double py = script == null ? Double.NaN : python(script, arch, threads, iters, method, layer);
        System.out.printf("%-14s %-24s %10.1f %10.1f %7.2f%n", arch, label, java, py, java / py);
        return java;
    }

    static void speedUp(String arch, double ratio, String what) {
        System.out.printf("%-14s %-24s %10s %10s %7.2f  (one pass per patch / %s, java)%n", arch, "  speed-up", "",
                "", ratio, what);
    }

    /** The multiply-add bound of exact incremental inference next to the measured speed-up. */
    static void bound(String arch, List<IncrementalForward.LayerCost> costs, double measured) {
        if (costs == null) {
            return;
        }
        double full = costs.stream().mapToDouble(IncrementalForward.LayerCost::fullMacs).sum();
        double inc = costs.stream().mapToDouble(IncrementalForward.LayerCost::incrementalMacs).sum();
        System.out.printf("%-14s %-24s %10s %10s %7.2f  (multiply-adds %.0fM / %.0fM per copy; measured %.2f = %.0f%%"
                + " of it)%n", arch, "  bound", "", "", full / inc, full / 1e6, inc / 1e6, measured,
                100 * measured / (full / inc));
    }

    /** Projective-field threshold of the approximate occlusion rows. */
    static final double TAU = 0.5;

    static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    static double range(float[][] a) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (float[] row : a) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi - lo;
    }

    /** Spearman's rank correlation of two maps' pixels (ties get their mean rank). */
    static double spearman(float[][] a, float[][] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0);
        double mb = Arrays.stream(rb).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < ra.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    private static double[] ranks(float[][] m) {
        int n = m.length * m[0].length;
        float[] v = new float[n];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, v, i * m[0].length, m[0].length);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(v[p], v[q]));
        double[] r = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }

    static Tensor randomInput() {
        Random r = new Random(0);
        float[] v = new float[3 * 224 * 224];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, 1, 3, 224, 224);
    }

    /**
     * Untimed calls before the timed ones, on both sides: libtorch 2.7's first few passes of a shape (kernel and
     * oneDNN primitive selection) take about 1.7x longer, so a single warm-up call made the first rows look slow.
     */
    static final int WARMUP = 3;

    static double median(Supplier<Object> job, int warmup, int iters) {
        double[] t = new double[iters];
        for (int i = 0; i < warmup + iters; i++) {
            long s = System.nanoTime();
            job.get();
            if (i >= warmup) {
                t[i - warmup] = (System.nanoTime() - s) / 1e6;
            }
        }
        Arrays.sort(t);
        return t[iters / 2];
    }

    static double python(Path script, String arch, int threads, int iters, String method, String layer)
            throws Exception {
        Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), arch, String.valueOf(threads),
                String.valueOf(WARMUP),
                String.valueOf(iters), "224", method, layer).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("torch_bench.py failed: " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].strip());
    }
}
