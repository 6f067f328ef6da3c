package dev.neurolens.attribution.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.internal.Layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact incremental inference for occlusion (Krypton, Nakandala et al. 2019). An occluding patch changes only a
 * window of each early layer's output, so each layer is computed only on that window plus the halo its kernel
 * needs, read from the cached activations of the unoccluded image with the changed window pasted in. All patches
 * of a batch get windows of one size per layer (shifted inside the map near borders), so a layer runs once per
 * batch on an {@code N x C x h x w} array with padding 0, the gathered halo holding the layer's own padding
 * (zeros for convolutions, -inf for max pooling). Halos are gathered as rows of channels (channels-last) with
 * one row selection from the unoccluded activation, kept in that layout per image, and one put of the windows;
 * {@link #batches} puts patches whose windows have the same sizes (same borders, same alignment to the pooling
 * grid) in the same batch, so few windows are larger than their patch needs.
 *
 * <p>Windows grow with depth; once one covers {@link #FULL_SHARE} of its map the layer is computed on whole maps,
 * which costs no more than the plain pass. Layers it cannot window (adaptive pooling, linear, ...) run through
 * the network as usual from the whole maps, except a classifier of the form conv, channel-wise activations,
 * global average pooling, flatten, which it restricts to the target class. Only {@link Network} layers of the
 * kinds listed in {@link #windowable} are windowed; the plan says how far it got. {@link #costs} counts the
 * multiply-adds this saves, layer by layer: the bound on what incremental inference can gain.
 *
 * <p>Exact by default; {@code plan(net, layer, tau)} with {@code tau < 1} is Krypton's approximate mode.
 */
public final class IncrementalForward {
    /** A window covering more than this share of its map is computed as the whole map. */
    static final double FULL_SHARE = 0.7;
    /**
     * The fixed cost of one more incremental pass in multiply-adds, for grouping patches into batches: about
     * 100M for its hundred-odd small operations plus 50 per weight of the windowed layers, since each pass
     * streams them from memory (what a 2-core CPU does in the time of those multiply-adds: VGG16's 15M
     * convolution weights make a pass cost 0.8G multiply-adds). The layers after the windows run once for many
     * batches ({@link #runRest}), so their weights do not count.
     */
    static final double PASS_MACS = 100e6;
    static final double MACS_PER_WEIGHT = 50;

    private final Network net;
    private final List<Layer> units;
    private final int windowed;
    private final int headConv;
    private final boolean scoreFromWindows;
    private final String target;
    private final String description;
    private final String fallback;
    private final double tau;
    /** Milliseconds by layer and part ("features.3 gather", "features.3 compute", ...); null when not profiling. */
    private Map<String, double[]> timings;
    private String timedUnit;
    /** The base activations of the image being run, which also keep their row layouts (see {@link #baseRows}). */
    private Map<String, NDArray> cache;
    private Set<NDArray> cacheable;

    private IncrementalForward(Network net, List<Layer> units, int windowed, int headConv, boolean scoreFromWindows,
                               String target, String description, String fallback, double tau) {
        this.net = net;
        this.units = units;
        this.windowed = windowed;
        this.headConv = headConv;
        this.scoreFromWindows = scoreFromWindows;
        this.target = target;
        this.description = description;
        this.fallback = fallback;
        this.tau = tau;
    }

    /**
     * How occlusion of {@code net} read at {@code targetLayer} (a resolved layer name, or {@link Network#OUTPUT})
     * can run incrementally: which layers get windows, and what runs after them.
     */
    public static IncrementalForward plan(Network net, String targetLayer) {
        return plan(net, targetLayer, 1);
    }

    /**
     * As {@link #plan(Network, String)}, approximate when {@code tau < 1}: each layer's changed region is capped at
     * {@code tau} of its map per side (Krypton's projective-field threshold), so the scores are no longer exact.
     */
    public static IncrementalForward plan(Network net, String targetLayer, double tau) {
        if (!(tau > 0 && tau <= 1)) {
            throw new IllegalArgumentException("tau must be in (0, 1], got " + tau);
        }
        List<Layer> units = new ArrayList<>();
        flattenUnits(net.layers(), units);
        int supported = 0;
        while (supported < units.size() && windowable(units.get(supported))) {
            supported++;
        }
        int limit = supported;
        boolean scoreFromWindows = false;
        if (!Network.OUTPUT.equals(targetLayer)) {
            Layer t = net.layer(targetLayer);
            if (t.kind() == LayerKind.SEQUENTIAL) {
                List<Layer> inner = new ArrayList<>();
                flattenUnits(List.of(t), inner);
                t = inner.isEmpty() ? t : inner.get(inner.size() - 1);
            }
            for (int i = 0; i < units.size(); i++) {
                Layer u = units.get(i);
                if (u.name().equals(t.name())) {
                    if (i < supported) {
                        limit = i + 1;
                        scoreFromWindows = true;
                    } else {
                        limit = Math.min(limit, i);
                    }
                    break;
                }
                if (t.name().startsWith(u.name() + ".")) {
                    limit = Math.min(limit, i);
                    break;
                }
            }
        }
        if (limit == 0) {
            String why = units.isEmpty() ? "the network has no layers"
                    : "its first layer " + units.get(0).name() + " (" + units.get(0).kind() + ") cannot be windowed";
            return new IncrementalForward(net, units, 0, -1, false, targetLayer, "plain batched passes (" + why + ")",
                    why, tau);
        }
        int headConv = -1;
        if (!scoreFromWindows && Network.OUTPUT.equals(targetLayer)) {
            headConv = classHead(units, limit);
        }
        String last = units.get(limit - 1).name();
        String rest = scoreFromWindows ? ", score read from the windows of " + last
                : headConv >= 0 ? "; class head: " + units.get(headConv).name() + " for the target class only"
                : ", then " + units.get(limit).name() + " onwards on whole maps";
        String d = (tau < 1 ? "approximate (projective fields capped at tau " + tau + ") " : "") + "incremental: "
                + units.get(0).name() + " to " + last + " on changed windows" + rest;
        return new IncrementalForward(net, units, limit, headConv, scoreFromWindows, targetLayer, d, null, tau);
    }

    /**
     * Accumulates wall time of each part of {@link #run} into {@code sink} (milliseconds under "layer gather" for
     * halo gathering and pasting, "layer compute" for the layer itself, "materialize" and "rest" after the
     * windowed layers); for benchmarks, null stops it.
     */
    public void profile(Map<String, double[]> sink) {
        timings = sink;
    }

    private long now() {
        return timings == null ? 0 : System.nanoTime();
    }

    private void tick(String part, long t0) {
        if (timings != null) {
            timings.computeIfAbsent(part, k -> new double[1])[0] += (System.nanoTime() - t0) / 1e6;
        }
    }

    /** Why occlusion cannot run incrementally here, or null when it can. */
    public String fallback() {
        return fallback;
    }

    public String description() {
        return description;
    }

    /** True when {@link #run} returns only the target channel (index 0), not the whole target layer output. */
    public boolean readsOneChannel() {
        return scoreFromWindows || headConv >= 0;
    }

    /** The cached activations of one unoccluded image {@code [1, C, H, W]} that the windows are pasted into. */
    public Map<String, NDArray> baseActivations(NDArray image) {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < windowed; i++) {
            Layer u = units.get(i);
            names.add(u.name());
            if (u instanceof Layers.Fire f) {
                names.add(f.squeezeActivation().name());
            } else if (u instanceof Layers.BasicBlock b) {
                names.add(b.relu().name());
            }
        }
        return new HashMap<>(net.forward(image, Forward.capture(names.toArray(String[]::new))));
    }

    /**
     * The target layer's output for the image with each patch {@code (py[i], px[i])} of side {@code size} set to
     * {@code fill}: {@code [N, ...]}, or only channel {@code channel} when {@link #readsOneChannel()}. Arrays are
     * created in {@code manager}.
     */
    public NDArray run(NDManager manager, NDArray image, Map<String, NDArray> base, int[] py, int[] px, int size,
                       float fill, int channel) {
        NDArray w = runWindows(manager, image, base, py, px, size, fill, channel);
        return readsOneChannel() ? w : runRest(manager, image, w);
    }

    /**
     * The windowed part of {@link #run}: the target channel when {@link #readsOneChannel()}, otherwise the whole
     * maps {@code [N, ...]} of the last windowed layer, for {@link #runRest} (which may take the maps of several
     * batches at once: the layers after the windows, such as VGG's 120M-weight classifier, then stream their
     * weights once for all of them).
     */
    public NDArray runWindows(NDManager manager, NDArray image, Map<String, NDArray> base, int[] py, int[] px,
                              int size, float fill, int channel) {
        if (fallback != null) {
            throw new IllegalStateException("occlusion cannot run incrementally: " + fallback);
        }
        int n = py.length;
        long c = image.getShape().get(1);
        int h = (int) image.getShape().get(2);
        int w = (int) image.getShape().get(3);
        int[] y1 = new int[n];
        int[] x1 = new int[n];
        for (int r = 0; r < n; r++) {
            y1[r] = py[r] + size;
            x1[r] = px[r] + size;
        }
        Geo g = new Geo(h, w, size, size, py.clone(), px.clone(), py.clone(), y1, px.clone(), x1);
        cache = base;
        cacheable = Collections.newSetFromMap(new IdentityHashMap<>());
        cacheable.add(image);
        base.forEach((k, v) -> {
            if (!k.startsWith("#")) {
                cacheable.add(v);
            }
        });
        Win x = new Win(g, manager.full(new Shape(n, c, size, size), fill), image);
        for (int i = 0; i < windowed; i++) {
            int restrict = headConv >= 0 && i >= headConv ? channel : -1;
            timedUnit = units.get(i).name();
            long t0 = now();
            x = apply(units.get(i), x, base, restrict);
            tick(timedUnit + " total", t0);
        }
        long t0 = now();
        try {
            if (scoreFromWindows) {
                return materialize(x.channel(channel));
            }
            if (headConv >= 0) {
                NDArray maps = materialize(x);
                return maps.reshape(py.length, 1, -1).mean(new int[] {2});
            }
        } finally {
            tick("materialize", t0);
        }
        NDArray whole = materialize(x);
        tick("materialize", t0);
        return whole;
    }

    /** The target layer's output {@code [N, ...]} from whole maps {@code [N, ...]} of {@link #runWindows}. */
    public NDArray runRest(NDManager manager, NDArray image, NDArray whole) {
        long t0 = now();
        long c = image.getShape().get(1);
        int h = (int) image.getShape().get(2);
        // the rest runs as usual from the whole maps; the layers before the hook see a tiny stand-in input
        int tiny = tinySize(h);
        NDArray stub = manager.zeros(new Shape(1, c, tiny, tiny));
        String hooked = units.get(windowed - 1).name();
        Forward spec = Network.OUTPUT.equals(target) ? Forward.plain() : Forward.capture(target);
        Map<String, NDArray> out = net.forward(stub, spec.hook(hooked, ignored -> whole));
        tick("rest", t0);
        return Network.OUTPUT.equals(target) ? out.get(Network.OUTPUT) : out.get(target);
    }

    /**
     * Values per patch of the largest activation a batch holds (windows, or whole maps once they cover most of
     * the map), from the geometry alone, for choosing a batch size.
     */
    public long peakValuesPerPatch(int c, int h, int w, int[] py, int[] px, int size) {
        List<Geo[]> geos = geometry(h, w, py, px, size);
        long ch = c;
        long peak = (long) c * size * size;
        Geo g = null;
        for (int i = 0; i < windowed; i++) {
            Geo[] gs = geos.get(i);
            g = gs[gs.length - 1];
            ch = outChannels(units.get(i), ch);
            peak = Math.max(peak, ch * g.h() * g.w());
        }
        if (!readsOneChannel() && g != null) {
            peak = Math.max(peak, ch * g.mapH() * g.mapW());
        }
        return peak;
    }

    /** Multiply-adds of one layer (convolutions and linear layers; pooling and activations count 0) per patch. */
    public record LayerCost(String layer, long fullMacs, double incrementalMacs) {
    }

    /**
     * The theoretical cost of exact incremental occlusion, layer by layer: multiply-adds of the plain pass of one
     * occluded copy against those of the windows the plan computes for it (averaged over the patches, batched as
     * {@link #batches} groups them, so with each batch's common window size and the {@link #FULL_SHARE} switch).
     * Their ratio is the speed-up incremental inference cannot beat on compute alone. Runs one plain pass of
     * {@code image} for the shapes of the layers it does not window.
     */
    public List<LayerCost> costs(Tensor image, int[] py, int[] px, int size, int[][] batches) {
        int h = (int) image.dim(2);
        int w = (int) image.dim(3);
        int n = py.length;
        double[] inc = new double[units.size()];
        for (int[] b : batches) {
            List<Geo[]> geos = geometry(h, w, pick(py, b), pick(px, b), size);
            for (int i = 0; i < windowed; i++) {
                long[] f = macFactors(i);
                Geo[] g = geos.get(i);
                for (int j = 0; j < g.length; j++) {
                    inc[i] += (double) b.length * f[j] * g[j].h() * g[j].w();
                }
            }
        }
        String[] names = units.stream().map(Layer::name).toArray(String[]::new);
        List<LayerCost> out = new ArrayList<>();
        try (NDManager scope = net.newScope()) {
            Map<String, NDArray> acts = net.forward(image.toNDArray(scope), Forward.capture(names).toOutput());
            for (int i = 0; i < units.size(); i++) {
                Layer u = units.get(i);
                Shape s = acts.get(u.name()).getShape();
                long f;
                if (u instanceof Layers.Dense) {
                    f = net.parameters().get(u.name() + ".weight").getShape().size();
                } else {
                    long area = s.dimension() == 4 ? s.get(2) * s.get(3) : 0;
                    long[] fs = macFactors(u, false);
                    f = fs[fs.length - 1] * area + (fs.length > 1 ? fs[0] * area : 0);
                }
                out.add(new LayerCost(u.name(), f, i < windowed ? inc[i] / n : f));
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
        return macFactors(units.get(i), headConv >= 0 && i >= headConv);
    }

    private static long[] macFactors(Layer u, boolean oneChannel) {
        if (u instanceof Layers.Conv2d c) {
            return new long[] {convFactor(c, oneChannel ? 1 : c.outChannels())};
        }
        if (u instanceof Layers.Fire f) {
            return new long[] {convFactor(f.squeeze(), f.squeeze().outChannels()),
                    convFactor(f.expand1x1(), f.expand1x1().outChannels())
                            + convFactor(f.expand3x3(), f.expand3x3().outChannels())};
        }
        if (u instanceof Layers.BasicBlock b) {
            long out = convFactor(b.conv2(), b.conv2().outChannels());
            if (b.downsample() != null) {
                Layers.Conv2d ds = (Layers.Conv2d) b.downsample().children().get(0);
                out += convFactor(ds, ds.outChannels());
            }
            return new long[] {convFactor(b.conv1(), b.conv1().outChannels()), out};
        }
        return new long[] {0};
    }

    private static long convFactor(Layers.Conv2d c, long outChannels) {
        return outChannels * (c.inChannels() / c.groups()) * c.kernel() * c.kernel();
    }

    /**
     * Patches grouped into batches of at most {@code maxBatch} (indices into {@code py}, {@code px}). A batch
     * computes one window size per layer, the largest of its patches', so patches whose changed regions have the
     * same sizes (interior ones, those clipped by the same borders, those with the same alignment to the pooling
     * grid) go together; groups merge while the multiply-adds that wastes are cheaper than another pass's fixed
     * cost ({@link #PASS_MACS}, {@link #MACS_PER_WEIGHT}).
     */
    public int[][] batches(int h, int w, int[] py, int[] px, int size, int maxBatch) {
        int n = py.length;
        List<Geo> geos = new ArrayList<>();
        List<Long> factors = new ArrayList<>();
        List<Geo[]> all = geometry(h, w, py, px, size);
        for (int i = 0; i < windowed; i++) {
            long[] f = macFactors(i);
            Geo[] g = all.get(i);
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
                Geo g = geos.get(j);
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
        for (Map.Entry<String, NDArray> e : net.parameters().entrySet()) {
            for (int i = 0; i < windowed; i++) {
                if (e.getKey().startsWith(units.get(i).name() + ".")) {
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

        void add(int r, List<Geo> geos) {
            members.add(r);
            for (int j = 0; j < geos.size(); j++) {
                Geo g = geos.get(j);
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

        /** Multiply-adds of the batch, its windows placed as {@link Geo#place} places them. */
        double cost(List<Geo> geos, long[] f) {
            double c = 0;
            for (int j = 0; j < maxH.length; j++) {
                Geo g = geos.get(j);
                int[] hw = Geo.windowSize(g.mapH(), g.mapW(), maxH[j], maxW[j]);
                c += (double) f[j] * hw[0] * hw[1];
            }
            return c * members.size();
        }
    }

    /**
     * The output windows of every windowed unit for one batch of patches, as {@link #run} places them: one
     * geometry for a plain layer, the inner then the output one for a Fire module or a residual block.
     */
    private List<Geo[]> geometry(int h, int w, int[] py, int[] px, int size) {
        int n = py.length;
        int[] y1 = new int[n];
        int[] x1 = new int[n];
        for (int r = 0; r < n; r++) {
            y1[r] = py[r] + size;
            x1[r] = px[r] + size;
        }
        Geo g = new Geo(h, w, size, size, py.clone(), px.clone(), py.clone(), y1, px.clone(), x1);
        List<Geo[]> out = new ArrayList<>();
        for (int i = 0; i < windowed; i++) {
            Layer u = units.get(i);
            int oh = outSize(u, g.mapH());
            int ow = outSize(u, g.mapW());
            if (u instanceof Layers.Conv2d conv) {
                g = place(affected(g, Kernel.of(conv), oh, ow), oh, ow);
                out.add(new Geo[] {g});
            } else if (u instanceof Layers.MaxPool2d m) {
                g = place(affected(g, Kernel.of(m), oh, ow), oh, ow);
                out.add(new Geo[] {g});
            } else if (u instanceof Layers.Fire f) {
                Geo s = place(affected(g, Kernel.of(f.squeeze()), oh, ow), oh, ow);
                g = place(union(affected(s, Kernel.of(f.expand1x1()), oh, ow),
                        affected(s, Kernel.of(f.expand3x3()), oh, ow)), oh, ow);
                out.add(new Geo[] {s, g});
            } else if (u instanceof Layers.BasicBlock b) {
                int mh = Kernel.of(b.conv1()).outLen(g.mapH(), false);
                int mw = Kernel.of(b.conv1()).outLen(g.mapW(), false);
                Geo s = place(affected(g, Kernel.of(b.conv1()), mh, mw), mh, mw);
                int[][] main = affected(s, Kernel.of(b.conv2()), oh, ow);
                int[][] shortcut = b.downsample() == null ? new int[][] {g.ay0(), g.ay1(), g.ax0(), g.ax1()}
                        : affected(g, Kernel.of((Layers.Conv2d) b.downsample().children().get(0)), oh, ow);
                g = place(union(main, shortcut), oh, ow);
                out.add(new Geo[] {s, g});
            } else {
                out.add(new Geo[] {g});
            }
        }
        return out;
    }

    // ---- plan ----

    /** Top-level layers with Sequential containers opened up: leaves, Fire modules and residual blocks. */
    static void flattenUnits(List<Layer> layers, List<Layer> out) {
        for (Layer l : layers) {
            if (l.kind() == LayerKind.SEQUENTIAL) {
                flattenUnits(l.children(), out);
            } else {
                out.add(l);
            }
        }
    }

    static boolean windowable(Layer l) {
        return switch (l.kind()) {
            case CONV2D, MAX_POOL2D, RELU, TANH, SIGMOID, LEAKY_RELU, BATCH_NORM2D, DROPOUT -> true;
            case FIRE -> l instanceof Layers.Fire;
            case BASIC_BLOCK -> l instanceof Layers.BasicBlock b
                    && (b.downsample() == null || b.downsample().children().size() == 2);
            default -> false;
        };
    }

    private static boolean channelwise(LayerKind k) {
        return k == LayerKind.RELU || k == LayerKind.TANH || k == LayerKind.SIGMOID || k == LayerKind.LEAKY_RELU
                || k == LayerKind.DROPOUT;
    }

    /**
     * Index of the convolution that starts a classifier head (conv, channel-wise activations, global average
     * pooling, flatten, end) whose windows can be restricted to the target class; -1 when there is none.
     */
    private static int classHead(List<Layer> units, int limit) {
        if (limit >= units.size() || !(units.get(limit) instanceof Layers.AdaptiveAvgPool2d p)
                || p.height() != 1 || p.width() != 1) {
            return -1;
        }
        for (int i = limit + 1; i < units.size(); i++) {
            if (units.get(i).kind() != LayerKind.FLATTEN) {
                return -1;
            }
        }
        for (int i = limit - 1; i >= 0; i--) {
            Layer u = units.get(i);
            if (u instanceof Layers.Conv2d conv) {
                return conv.groups() == 1 ? i : -1;
            }
            if (!channelwise(u.kind())) {
                return -1;
            }
        }
        return -1;
    }

    // ---- geometry ----

    /** The windows of one layer output for a batch of patches: per patch the changed region and the window. */
    record Geo(int mapH, int mapW, int h, int w, int[] y0, int[] x0, int[] ay0, int[] ay1, int[] ax0, int[] ax1) {
        int n() {
            return y0.length;
        }

        boolean full() {
            return h == mapH && w == mapW;
        }

        /** One window size for all patches, each window shifted inside the map to cover its changed region. */
        static Geo place(int mapH, int mapW, int[] ay0, int[] ay1, int[] ax0, int[] ax1) {
            int n = ay0.length;
            int h = 1;
            int w = 1;
            for (int r = 0; r < n; r++) {
                h = Math.max(h, ay1[r] - ay0[r]);
                w = Math.max(w, ax1[r] - ax0[r]);
            }
            int[] hw = windowSize(mapH, mapW, h, w);
            h = hw[0];
            w = hw[1];
            int[] y0 = new int[n];
            int[] x0 = new int[n];
            for (int r = 0; r < n; r++) {
                y0[r] = Math.max(0, Math.min(ay0[r], mapH - h));
                x0[r] = Math.max(0, Math.min(ax0[r], mapW - w));
            }
            return new Geo(mapH, mapW, h, w, y0, x0, ay0, ay1, ax0, ax1);
        }

        /** The window for changed regions of at most {@code h x w}: whole maps once it covers most of the map. */
        static int[] windowSize(int mapH, int mapW, int h, int w) {
            h = Math.max(1, Math.min(h, mapH));
            w = Math.max(1, Math.min(w, mapW));
            if ((double) h * w > FULL_SHARE * mapH * mapW) {
                return new int[] {mapH, mapW};
            }
            return new int[] {h, w};
        }
    }

    /** Kernel geometry of a convolution or pooling along one axis (square kernels). */
    record Kernel(int k, int s, int p, int d) {
        static Kernel of(Layers.Conv2d c) {
            return new Kernel(c.kernel(), c.stride(), c.padding(), c.dilation());
        }

        static Kernel of(Layers.MaxPool2d m) {
            return new Kernel(m.kernel(), m.stride(), m.padding(), 1);
        }

        int span() {
            return d * (k - 1) + 1;
        }

        /** Outputs whose inputs meet {@code [a0, a1)}, clamped to {@code [0, len)}. */
        void affected(int[] a0, int[] a1, int len, int[] o0, int[] o1) {
            for (int r = 0; r < a0.length; r++) {
                if (a1[r] <= a0[r]) {
                    o0[r] = 0;
                    o1[r] = 0;
                    continue;
                }
                int lo = Math.max(0, Math.floorDiv(a0[r] + p - d * (k - 1) + s - 1, s));
                int hi = Math.min(len, Math.floorDiv(a1[r] - 1 + p, s) + 1);
                o0[r] = lo;
                o1[r] = Math.max(lo, hi);
            }
        }

        int outLen(int len, boolean ceil) {
            int num = len + 2 * p - span();
            if (num < 0) {
                return 0;
            }
            int out = (ceil ? Math.floorDiv(num + s - 1, s) : num / s) + 1;
            if (ceil && (out - 1) * s >= len + p) {
                out--;
            }
            return out;
        }
    }

    /** The changed region of the output of a kernel layer applied to {@code in}. */
    private static int[][] affected(Geo in, Kernel k, int outH, int outW) {
        int n = in.n();
        int[][] a = new int[4][n];
        k.affected(in.ay0(), in.ay1(), outH, a[0], a[1]);
        k.affected(in.ax0(), in.ax1(), outW, a[2], a[3]);
        return a;
    }

    /** Bounding box of two changed regions (the branches of a Fire module or a residual block). */
    private static int[][] union(int[][] a, int[][] b) {
        int n = a[0].length;
        int[][] u = new int[4][n];
        for (int r = 0; r < n; r++) {
            boolean ea = a[1][r] <= a[0][r] || a[3][r] <= a[2][r];
            boolean eb = b[1][r] <= b[0][r] || b[3][r] <= b[2][r];
            int[][] only = ea ? b : eb ? a : null;
            for (int i = 0; i < 4; i++) {
                u[i][r] = only != null ? only[i][r] : i % 2 == 0 ? Math.min(a[i][r], b[i][r]) : Math.max(a[i][r], b[i][r]);
            }
        }
        return u;
    }

    /**
     * Windows for changed regions {@code a} of an {@code outH x outW} map; with a projective-field threshold
     * {@code tau < 1} each region is first cut to its central {@code tau} share of the map per side (Krypton's
     * approximation: the changes outside are dropped, those positions keep their unoccluded values).
     */
    private Geo place(int[][] a, int outH, int outW) {
        if (tau < 1) {
            a = new int[][] {a[0].clone(), a[1].clone(), a[2].clone(), a[3].clone()};
            cap(a[0], a[1], outH);
            cap(a[2], a[3], outW);
        }
        return Geo.place(outH, outW, a[0], a[1], a[2], a[3]);
    }

    private void cap(int[] a0, int[] a1, int len) {
        int most = Math.max(1, (int) Math.ceil(tau * len));
        for (int r = 0; r < a0.length; r++) {
            if (a1[r] - a0[r] > most) {
                int from = (a0[r] + a1[r] - most) / 2;
                a0[r] = from;
                a1[r] = from + most;
            }
        }
    }

    // ---- windowed evaluation ----

    /** An activation for a batch of patches: its windows (data {@code [N, C, h, w]}) over the unoccluded one. */
    record Win(Geo g, NDArray data, NDArray base) {
        Win channel(int c) {
            NDIndex i = new NDIndex(":, {}:{}", c, c + 1);
            return new Win(g, data.get(i), base.get(data.getManager(), i));
        }
    }

    private Win apply(Layer u, Win in, Map<String, NDArray> base, int restrict) {
        NDArray outBase = base.get(u.name());
        if (restrict >= 0) {
            outBase = outBase.get(in.data().getManager(), new NDIndex(":, {}:{}", restrict, restrict + 1));
        }
        if (u instanceof Layers.Conv2d c) {
            Geo g = place(affected(in.g(), Kernel.of(c), h(outBase), w(outBase)), h(outBase), w(outBase));
            return conv(c, in, g, outBase, restrict);
        }
        if (u instanceof Layers.MaxPool2d m) {
            Geo g = place(affected(in.g(), Kernel.of(m), h(outBase), w(outBase)), h(outBase), w(outBase));
            return pool(m, in, g, outBase);
        }
        if (u instanceof Layers.Fire f) {
            return fire(f, in, base, outBase);
        }
        if (u instanceof Layers.BasicBlock b) {
            return block(b, in, base, outBase);
        }
        return new Win(in.g(), pointwise(u, in.data(), restrict), outBase);
    }

    private static int h(NDArray a) {
        return (int) a.getShape().get(2);
    }

    private static int w(NDArray a) {
        return (int) a.getShape().get(3);
    }

    /** A weight, or its rows for one output channel (created in {@code x}'s manager, not the network's). */
    private NDArray param(NDArray x, String name, int restrict) {
        NDArray p = net.parameters().get(name);
        return restrict >= 0 ? p.get(x.getManager(), new NDIndex("{}:{}", restrict, restrict + 1)) : p;
    }

    private NDArray pointwise(Layer u, NDArray x, int restrict) {
        return switch (u.kind()) {
            case RELU -> ai.djl.nn.Activation.relu(x);
            case TANH -> x.tanh();
            case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
            case LEAKY_RELU -> ai.djl.nn.Activation.leakyRelu(x, ((Layers.Activation) u).slope());
            case DROPOUT -> x;
            case BATCH_NORM2D -> {
                String n = u.name();
                NDList y = BatchNorm.batchNorm(x, param(x, n + ".running_mean", restrict),
                        param(x, n + ".running_var", restrict), param(x, n + ".weight", restrict),
                        param(x, n + ".bias", restrict), 1, 0.1f, ((Layers.BatchNorm2d) u).eps(), false);
                yield y.singletonOrThrow();
            }
            default -> throw new IllegalStateException(u.name() + " (" + u.kind() + ") is not element-wise");
        };
    }

    /** A convolution computed on the windows {@code g} of its output. */
    private Win conv(Layers.Conv2d c, Win in, Geo g, NDArray outBase, int restrict) {
        NDArray wt = param(in.data(), c.name() + ".weight", restrict);
        NDArray b = c.hasBias() ? param(in.data(), c.name() + ".bias", restrict) : null;
        Kernel k = Kernel.of(c);
        Shape s = new Shape(c.stride(), c.stride());
        Shape d = new Shape(c.dilation(), c.dilation());
        NDArray data;
        if (in.g().full() && g.full()) {
            data = ai.djl.nn.convolutional.Conv2d.conv2d(in.data(), wt, b, s, new Shape(c.padding(), c.padding()),
                    d, c.groups()).singletonOrThrow();
        } else {
            NDArray x = gatherInput(in, g, k, 0f);
            data = ai.djl.nn.convolutional.Conv2d.conv2d(x, wt, b, s, new Shape(0, 0), d, c.groups())
                    .singletonOrThrow();
        }
        return checked(c, new Win(g, data, outBase));
    }

    private Win pool(Layers.MaxPool2d m, Win in, Geo g, NDArray outBase) {
        Kernel k = Kernel.of(m);
        Shape ks = new Shape(m.kernel(), m.kernel());
        Shape s = new Shape(m.stride(), m.stride());
        NDArray data;
        if (in.g().full() && g.full()) {
            data = Pool.maxPool2d(in.data(), ks, s, new Shape(m.padding(), m.padding()), m.ceilMode());
        } else {
            data = Pool.maxPool2d(gatherInput(in, g, k, Float.NEGATIVE_INFINITY), ks, s, new Shape(0, 0), false);
        }
        return checked(m, new Win(g, data, outBase));
    }

    private static Win checked(Layer l, Win w) {
        Shape s = w.data().getShape();
        if (s.get(2) != w.g().h() || s.get(3) != w.g().w()) {
            throw new IllegalStateException(l.name() + ": window " + w.g().h() + "x" + w.g().w() + " expected, got "
                    + s);
        }
        return w;
    }

    private Win fire(Layers.Fire f, Win in, Map<String, NDArray> base, NDArray outBase) {
        NDArray sBase = base.get(f.squeezeActivation().name());
        Geo gs = place(affected(in.g(), Kernel.of(f.squeeze()), h(sBase), w(sBase)), h(sBase), w(sBase));
        Win s = conv(f.squeeze(), in, gs, null, -1);
        s = new Win(gs, pointwise(f.squeezeActivation(), s.data(), -1), sBase);
        int oh = h(outBase);
        int ow = w(outBase);
        Kernel k1 = Kernel.of(f.expand1x1());
        Kernel k3 = Kernel.of(f.expand3x3());
        Geo g = place(union(affected(s.g(), k1, oh, ow), affected(s.g(), k3, oh, ow)), oh, ow);
        NDArray a = pointwise(f.expand1x1Activation(), conv(f.expand1x1(), s, g, null, -1).data(), -1);
        NDArray b = pointwise(f.expand3x3Activation(), conv(f.expand3x3(), s, g, null, -1).data(), -1);
        return new Win(g, a.concat(b, 1), outBase);
    }

    private Win block(Layers.BasicBlock blk, Win in, Map<String, NDArray> base, NDArray outBase) {
        Layers.Conv2d c1 = blk.conv1();
        NDArray reluBase = base.get(blk.relu().name());
        Geo g1 = place(affected(in.g(), Kernel.of(c1), h(reluBase), w(reluBase)), h(reluBase), w(reluBase));
        Win y = conv(c1, in, g1, null, -1);
        NDArray r = pointwise(blk.relu(), pointwise(blk.bn1(), y.data(), -1), -1);
        Win mid = new Win(g1, r, reluBase);
        int oh = h(outBase);
        int ow = w(outBase);
        Layers.Conv2d c2 = blk.conv2();
        int[][] main = affected(mid.g(), Kernel.of(c2), oh, ow);
        Layers.Sequential ds = blk.downsample();
        Layers.Conv2d dsConv = ds == null ? null : (Layers.Conv2d) ds.children().get(0);
        int[][] shortcut = ds == null ? new int[][] {in.g().ay0(), in.g().ay1(), in.g().ax0(), in.g().ax1()}
                : affected(in.g(), Kernel.of(dsConv), oh, ow);
        Geo g = place(union(main, shortcut), oh, ow);
        NDArray m = pointwise(blk.bn2(), conv(c2, mid, g, null, -1).data(), -1);
        NDArray s;
        if (ds == null) {
            s = in.g().full() && g.full() ? in.data() : gatherInput(in, g, new Kernel(1, 1, 0, 1), 0f);
        } else {
            s = pointwise(ds.children().get(1), conv(dsConv, in, g, null, -1).data(), -1);
        }
        return new Win(g, ai.djl.nn.Activation.relu(m.add(s)), outBase);
    }

    /** The input windows a kernel layer needs for output windows {@code g}, with {@code pad} outside the map. */
    private NDArray gatherInput(Win in, Geo g, Kernel k, float pad) {
        long t0 = now();
        try {
            return gatherInput0(in, g, k, pad);
        } finally {
            tick(timedUnit + " gather", t0);
        }
    }

    private NDArray gatherInput0(Win in, Geo g, Kernel k, float pad) {
        int n = g.n();
        int[] iy = new int[n];
        int[] ix = new int[n];
        for (int r = 0; r < n; r++) {
            iy[r] = g.y0()[r] * k.s() - k.p();
            ix[r] = g.x0()[r] * k.s() - k.p();
        }
        return gather(in, iy, ix, (g.h() - 1) * k.s() + k.span(), (g.w() - 1) * k.s() + k.span(), pad);
    }

    /** Whole maps {@code [N, C, H, W]}: the unoccluded activation with each patch's window pasted in. */
    NDArray materialize(Win in) {
        if (in.g().full()) {
            return in.data();
        }
        int n = in.g().n();
        return gather(in, new int[n], new int[n], in.g().mapH(), in.g().mapW(), 0f);
    }

    /**
     * An activation {@code [N, C, H, W]} as rows of channels {@code [N*H*W, C]}: a view when it is laid out
     * channels-last, as the arrays {@link #gather} builds (and the convolutions and poolings computed from them)
     * are, a copy otherwise.
     */
    private static NDArray rows(NDArray x) {
        return x.transpose(0, 2, 3, 1).reshape(-1, x.getShape().get(1));
    }

    /**
     * The unoccluded activation as rows {@code [H*W + 1, C]}, the last row {@code pad}; kept with the base
     * activations, so computed once per image and padding value rather than once per batch.
     */
    private NDArray baseRows(NDArray base, float pad) {
        boolean keep = cacheable != null && cacheable.contains(base);
        String key = "#rows@" + System.identityHashCode(base) + "/" + pad;
        NDArray cached = keep ? cache.get(key) : null;
        if (cached != null) {
            return cached;
        }
        NDArray padRow = base.getManager().full(new Shape(1, base.getShape().get(1)), pad);
        NDArray r = rows(base).concat(padRow, 0);
        if (keep) {
            cache.put(key, r);
        }
        return r;
    }

    /**
     * For each patch r the {@code ih x iw} region at {@code (iy[r], ix[r])} of its activation: values from its
     * window where it has one, from the unoccluded activation elsewhere, {@code pad} outside the map. Works on
     * rows of channels: one row selection from the unoccluded activation (cached in that layout), then the
     * windows' rows put in place, so neither the whole unoccluded map nor the windows are copied or transposed
     * per batch. Returns {@code [N, C, ih, iw]} laid out channels-last.
     */
    NDArray gather(Win in, int[] iy, int[] ix, int ih, int iw, float pad) {
        Geo g = in.g();
        int n = g.n();
        int mh = g.mapH();
        int mw = g.mapW();
        long c = in.data().getShape().get(1);
        boolean useBase = !g.full();
        int outside = mh * mw;
        int total = n * ih * iw;
        int winLen = n * g.h() * g.w();
        long[] idx = new long[total];
        long[] dst = new long[Math.min(total, winLen)];
        long[] src = new long[dst.length];
        long[] padAt = useBase ? null : new long[total];
        int m = 0;
        int pads = 0;
        boolean inOrder = true;
        int k = 0;
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < ih; i++) {
                int y = iy[r] + i;
                int wy = y - g.y0()[r];
                for (int j = 0; j < iw; j++, k++) {
                    int x = ix[r] + j;
                    if (y < 0 || y >= mh || x < 0 || x >= mw) {
                        idx[k] = useBase ? outside : 0;
                        if (!useBase) {
                            padAt[pads++] = k;
                        }
                        continue;
                    }
                    int wx = x - g.x0()[r];
                    if (wy >= 0 && wy < g.h() && wx >= 0 && wx < g.w()) {
                        long w = ((long) r * g.h() + wy) * g.w() + wx;
                        if (useBase) {
                            idx[k] = outside;
                            inOrder &= w == m;
                            dst[m] = k;
                            src[m++] = w;
                        } else {
                            idx[k] = w;
                        }
                    } else {
                        idx[k] = (long) y * mw + x;
                    }
                }
            }
        }
        NDManager mgr = in.data().getManager();
        NDArray winRows = rows(in.data());
        NDArray out;
        if (useBase) {
            out = baseRows(in.base(), pad).get(new NDIndex("{}", mgr.create(idx)));
            if (m > 0) {
                NDArray values = inOrder && m == winLen ? winRows
                        : winRows.get(new NDIndex("{}", mgr.create(Arrays.copyOf(src, m))));
                out.set(new NDIndex("{}", mgr.create(Arrays.copyOf(dst, m))), values);
            }
        } else {
            out = winRows.get(new NDIndex("{}", mgr.create(idx)));
            if (pads > 0) {
                out.set(new NDIndex("{}", mgr.create(Arrays.copyOf(padAt, pads))), mgr.full(new Shape(pads, c), pad));
            }
        }
        return out.reshape(n, ih, iw, c).transpose(0, 3, 1, 2);
    }

    // ---- sizes ----

    private static int outSize(Layer u, int len) {
        if (u instanceof Layers.Conv2d c) {
            return Kernel.of(c).outLen(len, false);
        }
        if (u instanceof Layers.MaxPool2d m) {
            return Kernel.of(m).outLen(len, m.ceilMode());
        }
        if (u instanceof Layers.Fire f) {
            return Kernel.of(f.expand3x3()).outLen(Kernel.of(f.squeeze()).outLen(len, false), false);
        }
        if (u instanceof Layers.BasicBlock b) {
            return Kernel.of(b.conv2()).outLen(Kernel.of(b.conv1()).outLen(len, false), false);
        }
        return len;
    }

    private static long outChannels(Layer u, long c) {
        if (u instanceof Layers.Conv2d conv) {
            return conv.outChannels();
        }
        if (u instanceof Layers.Fire f) {
            return f.expand1x1().outChannels() + f.expand3x3().outChannels();
        }
        if (u instanceof Layers.BasicBlock b) {
            return b.conv2().outChannels();
        }
        return c;
    }

    /** The smallest input side for which every windowed layer has an output (the stand-in before the hook). */
    private int tinySize(int size) {
        for (int s = 1; s < size; s++) {
            int len = s;
            for (int i = 0; i < windowed && len >= 1; i++) {
                len = outSize(units.get(i), len);
            }
            if (len >= 1) {
                return s;
            }
        }
        return size;
    }
}
