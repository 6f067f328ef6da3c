package dev.neurolens.attribution.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WindowedLayer;
import dev.neurolens.model.Windows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost model of an incremental plan: the windows each batch of patches gets in every layer, the
 * multiply-adds they cost, and the grouping of patches into batches that keeps windows small without paying
 * for too many passes.
 */
final class IncrementalCosts {
    /**
     * The fixed cost of one more incremental pass in multiply-adds, for grouping patches into batches: about
     * 100M for its hundred-odd small operations plus 50 per weight of the windowed layers, since each pass
     * streams them from memory (what a 2-core CPU does in the time of those multiply-adds: VGG16's 15M
     * convolution weights make a pass cost 0.8G multiply-adds). The layers after the windows run once for many
     * batches ({@link IncrementalForward#runRest}), so their weights do not count.
     */
    static final double PASS_MACS = 100e6;
    static final double MACS_PER_WEIGHT = 50;

    private final IncrementalForward plan;

    IncrementalCosts(IncrementalForward plan) {
        this.plan = plan;
    }

    /**
     * The output windows of every windowed unit for one batch of patches, as a pass places them: one geometry
     * for a plain layer, the inner then the output one for a Fire module or a residual block.
     */
    List<Windows[]> geometry(int h, int w, int[] py, int[] px, int size) {
        Windows g = Windows.patches(h, w, py, px, size);
        List<Windows[]> out = new ArrayList<>();
        for (int i = 0; i < plan.windowed(); i++) {
            WindowedLayer u = plan.unit(i);
            Windows[] gs = u.windows(g, u.outSize(g.mapH()), u.outSize(g.mapW()), plan);
            g = gs[gs.length - 1];
            out.add(gs);
        }
        return out;
    }

    /** Values per patch of the largest activation a batch holds, from the geometry alone. */
    long peakValuesPerPatch(int c, int h, int w, int[] py, int[] px, int size) {
        List<Windows[]> geos = geometry(h, w, py, px, size);
        long ch = c;
        long peak = (long) c * size * size;
        Windows g = null;
        for (int i = 0; i < plan.windowed(); i++) {
            Windows[] gs = geos.get(i);
            g = gs[gs.length - 1];
            ch = plan.unit(i).outChannels(ch);
            peak = Math.max(peak, ch * g.h() * g.w());
        }
        if (!plan.readsOneChannel() && g != null) {
            peak = Math.max(peak, ch * g.mapH() * g.mapW());
        }
        return peak;
    }

    /** See {@link IncrementalForward#costs}. */
    List<IncrementalForward.LayerCost> costs(Tensor image, int[] py, int[] px, int size, int[][] batches) {
        int h = (int) image.dim(2);
        int w = (int) image.dim(3);
        int n = py.length;
        List<Layer> units = plan.units();
        double[] inc = new double[units.size()];
        for (int[] b : batches) {
            List<Windows[]> geos = geometry(h, w, pick(py, b), pick(px, b), size);
            for (int i = 0; i < plan.windowed(); i++) {
                long[] f = macFactors(i);
                Windows[] g = geos.get(i);
                for (int j = 0; j < g.length; j++) {
                    inc[i] += (double) b.length * f[j] * g[j].h() * g[j].w();
                }
            }
        }
        String[] names = units.stream().map(Layer::name).toArray(String[]::new);
        List<IncrementalForward.LayerCost> out = new ArrayList<>();
        try (NDManager scope = plan.network().newScope()) {
            Map<String, NDArray> acts = plan.network().forward(image.toNDArray(scope),
                    Forward.capture(names).toOutput());
            for (int i = 0; i < units.size(); i++) {
                Layer u = units.get(i);
                Shape s = acts.get(u.name()).getShape();
                long f;
                if (u.kind() == LayerKind.LINEAR) {
                    f = plan.network().parameters().get(u.name() + ".weight").getShape().size();
                } else {
                    long area = s.dimension() == 4 ? s.get(2) * s.get(3) : 0;
                    long[] fs = u instanceof WindowedLayer wl ? wl.macsPerPosition(false) : new long[] {0};
                    f = fs[fs.length - 1] * area + (fs.length > 1 ? fs[0] * area : 0);
                }
                out.add(new IncrementalForward.LayerCost(u.name(), f, i < plan.windowed() ? inc[i] / n : f));
            }
        }
        return out;
    }

    static int[] pick(int[] v, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }

    /** Multiply-adds per output position of each geometry of windowed unit {@code i} (see {@link #geometry}). */
    private long[] macFactors(int i) {
        return plan.unit(i).macsPerPosition(plan.headConv() >= 0 && i >= plan.headConv());
    }

    /** See {@link IncrementalForward#batches}. */
    int[][] batches(int h, int w, int[] py, int[] px, int size, int maxBatch) {
        int n = py.length;
        List<Windows> geos = new ArrayList<>();
        List<Long> factors = new ArrayList<>();
        List<Windows[]> all = geometry(h, w, py, px, size);
        for (int i = 0; i < plan.windowed(); i++) {
            long[] f = macFactors(i);
            Windows[] g = all.get(i);
            for (int j = 0; j < g.length; j++) {
                if (f[j] > 0) {
                    geos.add(g[j]);
                    factors.add(f[j]);
                }
            }
        }
        int m = geos.size();
        Map<String, List<Integer>> bySize = new LinkedHashMap<>();
        for (int r = 0; r < n; r++) {
            int[] key = new int[2 * m];
            for (int j = 0; j < m; j++) {
                Windows g = geos.get(j);
                key[2 * j] = g.ay1()[r] - g.ay0()[r];
                key[2 * j + 1] = g.ax1()[r] - g.ax0()[r];
            }
            bySize.computeIfAbsent(Arrays.toString(key), k -> new ArrayList<>()).add(r);
        }
        List<Batch> groups = new ArrayList<>();
        for (List<Integer> members : bySize.values()) {
            for (int from = 0; from < members.size(); from += maxBatch) {
                Batch b = new Batch(m);
                for (int r : members.subList(from, Math.min(members.size(), from + maxBatch))) {
                    b.add(r, geos);
                }
                groups.add(b);
            }
        }
        long[] f = factors.stream().mapToLong(Long::longValue).toArray();
        long weights = 0;
        for (Map.Entry<String, NDArray> e : plan.network().parameters().entrySet()) {
            for (int i = 0; i < plan.windowed(); i++) {
                if (e.getKey().startsWith(plan.unit(i).name() + ".")) {
                    weights += e.getValue().getShape().size();
                    break;
                }
            }
        }
        double passMacs = PASS_MACS + MACS_PER_WEIGHT * weights;
        while (true) {
            double best = passMacs;
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < groups.size(); i++) {
                for (int j = i + 1; j < groups.size(); j++) {
                    Batch a = groups.get(i);
                    Batch b = groups.get(j);
                    if (a.members.size() + b.members.size() > maxBatch) {
                        continue;
                    }
                    double extra = a.merged(b).cost(geos, f) - a.cost(geos, f) - b.cost(geos, f);
                    if (extra < best) {
                        best = extra;
                        bi = i;
                        bj = j;
                    }
                }
            }
            if (bi < 0) {
                break;
            }
            groups.set(bi, groups.get(bi).merged(groups.get(bj)));
            groups.remove(bj);
        }
        int[][] out = new int[groups.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = groups.get(i).members.stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        Arrays.sort(out, (a, b) -> Integer.compare(a[0], b[0]));
        return out;
    }

    /** Patches of one batch with the largest changed-region size of each geometry among them. */
    private static final class Batch {
        final List<Integer> members = new ArrayList<>();
        final int[] maxH;
        final int[] maxW;

        Batch(int m) {
            maxH = new int[m];
            maxW = new int[m];
        }

        void add(int r, List<Windows> geos) {
            members.add(r);
            for (int j = 0; j < geos.size(); j++) {
                Windows g = geos.get(j);
                maxH[j] = Math.max(maxH[j], g.ay1()[r] - g.ay0()[r]);
                maxW[j] = Math.max(maxW[j], g.ax1()[r] - g.ax0()[r]);
            }
        }

        Batch merged(Batch o) {
            Batch b = new Batch(maxH.length);
            b.members.addAll(members);
            b.members.addAll(o.members);
            for (int j = 0; j < maxH.length; j++) {
                b.maxH[j] = Math.max(maxH[j], o.maxH[j]);
                b.maxW[j] = Math.max(maxW[j], o.maxW[j]);
            }
            return b;
        }

        /** Multiply-adds of the batch, its windows placed as {@link Windows#place} places them. */
        double cost(List<Windows> geos, long[] f) {
            double c = 0;
            for (int j = 0; j < maxH.length; j++) {
                Windows g = geos.get(j);
                int[] hw = Windows.windowSize(g.mapH(), g.mapW(), maxH[j], maxW[j]);
                c += (double) f[j] * hw[0] * hw[1];
            }
            return c * members.size();
        }
    }
}
