package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.attribution.internal.IncrementalForward;
import dev.neurolens.model.Devices;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where incremental occlusion's time goes, layer by layer, next to its theoretical cost: per occluded copy, the
 * multiply-adds and milliseconds of the plain pass against those of the windows the plan computes (halo gathering
 * and pasting apart from the layer itself). Not a test; a companion of {@link AttributionBenchmark}:
 *
 * <pre>./neurolens bench dev.neurolens.attribution.OcclusionProfile [arch] [patch] [stride] [batch]</pre>
 */
public final class OcclusionProfile {
    private OcclusionProfile() {
    }

    public static void main(String[] args) {
        String arch = args.length > 0 ? args[0] : "squeezenet1_1";
        int patch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int stride = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int batchArg = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        Devices.setThreads(Integer.getInteger("threads", 2));
        Tensor x = AttributionBenchmark.randomInput();
        try (Network net = Models.random(arch, 0)) {
            IncrementalForward plan = IncrementalForward.plan(net, Network.OUTPUT);
            int[] ys = Occlusion.positions(224, patch, stride);
            int[] xs = Occlusion.positions(224, patch, stride);
            int n = ys.length * xs.length;
            int[] py = new int[n];
            int[] px = new int[n];
            for (int i = 0; i < n; i++) {
                py[i] = ys[i / xs.length];
                px[i] = xs[i % xs.length];
            }
            int batch = batchArg > 0 ? batchArg
                    : Occlusion.autoIncrementalBatch(plan.peakValuesPerPatch(3, 224, 224, py, px, patch));
            int[][] batches = plan.batches(224, 224, py, px, patch, batch);
            List<IncrementalForward.LayerCost> costs = plan.costs(x, py, px, patch, batches);
            boolean timed = args.length <= 4 || !args[4].equals("costs");
            Map<String, Double> plainMs = timed ? plainTimes(net, x, 5) : Map.of();
            Map<String, double[]> t = new LinkedHashMap<>();
            double incMs = Double.NaN;
            if (timed) try (NDManager scope = net.newScope()) {
                NDArray img = x.toNDArray(scope);
                Map<String, NDArray> base = plan.baseActivations(img);
                runAll(plan, scope, img, base, py, px, patch, batches); // warm-up
                incMs = Double.MAX_VALUE;
                for (int rep = 0; rep < 3; rep++) {
                    Map<String, double[]> once = new LinkedHashMap<>();
                    plan.profile(once);
                    long s = System.nanoTime();
                    runAll(plan, scope, img, base, py, px, patch, batches);
                    incMs = Math.min(incMs, (System.nanoTime() - s) / 1e6);
                    plan.profile(null);
                    once.forEach((k, v) -> t.merge(k, v, (a, b) -> new double[] {Math.min(a[0], b[0])}));
                }
            }
            System.out.printf("%s patch %d stride %d: %d patches, batch %d, %d passes %s; %s%n", arch, patch, stride,
                    n, batch, batches.length, Arrays.stream(batches).map(b -> String.valueOf(b.length)).toList(),
                    plan.description());
            System.out.printf("%-22s %9s %9s %6s | %9s %9s %9s %6s%n", "layer", "full MMAC", "incr MMAC", "ratio",
                    "plain ms", "incr ms", "gather", "ratio");
            double fullSum = 0;
            double incSum = 0;
            double plainSum = 0;
            double gatherSum = 0;
            for (IncrementalForward.LayerCost c : costs) {
                double pm = plainMs.getOrDefault(c.layer(), 0.0);
                double im = t.getOrDefault(c.layer() + " total", new double[1])[0] / n;
                double gm = t.getOrDefault(c.layer() + " gather", new double[1])[0] / n;
                fullSum += c.fullMacs();
                incSum += c.incrementalMacs();
                plainSum += pm;
                gatherSum += gm;
                System.out.printf("%-22s %9.2f %9.2f %6.1f | %9.3f %9.3f %9.3f %6.1f%n", c.layer(), c.fullMacs() / 1e6,
                        c.incrementalMacs() / 1e6, c.fullMacs() / Math.max(1, c.incrementalMacs()), pm, im, gm,
                        im > 0 ? pm / im : Double.NaN);
            }
            for (String k : new String[] {"materialize", "rest"}) {
                System.out.printf("%-22s %9s %9s %6s | %9s %9.3f%n", k, "", "", "", "",
                        t.getOrDefault(k, new double[1])[0] / n);
            }
            System.out.printf("%-22s %9.1f %9.1f %6.2f | %9.3f %9.3f %9.3f %6.2f  (bound | measured per patch)%n",
                    "total", fullSum / 1e6, incSum / 1e6, fullSum / incSum, plainSum, incMs / n, gatherSum,
                    plainSum / (incMs / n));
        }
    }

    private static void runAll(IncrementalForward plan, NDManager scope, NDArray img, Map<String, NDArray> base,
                               int[] py, int[] px, int size, int[][] batches) {
        for (int[] idx : batches) {
            int[] by = new int[idx.length];
            int[] bx = new int[idx.length];
            for (int r = 0; r < idx.length; r++) {
                by[r] = py[idx[r]];
                bx[r] = px[idx[r]];
            }
            try (NDManager b = scope.newSubManager()) {
                plan.run(b, img, base, by, bx, size, 0f, 7).toFloatArray();
            }
        }
    }

    /** Milliseconds of each top-level unit in a plain pass of one image (best of {@code reps} per layer). */
    static Map<String, Double> plainTimes(Network net, Tensor x, int reps) {
        List<Layer> units = new ArrayList<>();
        flatten(net.layers(), units);
        Map<String, Double> best = new LinkedHashMap<>();
        for (int r = 0; r < reps + 1; r++) {
            long[] last = new long[1];
            Map<String, Double> once = new LinkedHashMap<>();
            Forward f = Forward.plain();
            for (Layer u : units) {
                f = f.hook(u.name(), out -> {
                    long now = System.nanoTime();
                    once.put(u.name(), (now - last[0]) / 1e6);
                    last[0] = now;
                    return out;
                });
            }
            try (NDManager scope = net.newScope()) {
                NDArray in = x.toNDArray(scope);
                last[0] = System.nanoTime();
                net.forward(in, f);
            }
            if (r > 0) {
                once.forEach((k, v) -> best.merge(k, v, Math::min));
            }
        }
        return best;
    }

    private static void flatten(List<Layer> layers, List<Layer> out) {
        for (Layer l : layers) {
            if (l.kind() == LayerKind.SEQUENTIAL) {
                flatten(l.children(), out);
            } else {
                out.add(l);
            }
        }
    }
}
