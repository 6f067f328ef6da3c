package dev.neurolens.attribution.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WindowKernel;
import dev.neurolens.model.WindowedLayer;
import dev.neurolens.model.WindowedMap;
import dev.neurolens.model.Windowing;
import dev.neurolens.model.Windows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exact incremental inference for occlusion (Krypton, Nakandala et al. 2019). An occluding patch changes only a
 * window of each early layer's output, so each layer is computed only on that window plus the halo its kernel
 * needs, read from the cached activations of the unoccluded image with the changed window pasted in. All patches
 * of a batch get windows of one size per layer (shifted inside the map near borders), so a layer runs once per
 * batch on an {@code N x C x h x w} array. The layers do this themselves ({@link WindowedLayer}); this plan says
 * how far they can, runs them, and supplies what they need ({@link Windowing}): window placement, halos
 * ({@link WindowGather}) and the cached activations. {@link #batches} puts patches whose windows have the same
 * sizes in the same batch ({@link IncrementalCosts}).
 *
 * <p>Windows grow with depth; once one covers {@link Windows#FULL_SHARE} of its map the layer is computed on
 * whole maps, which costs no more than the plain pass. Layers that cannot be windowed (adaptive pooling,
 * linear, ...) run through the network as usual from the whole maps, except a classifier of the form conv,
 * channel-wise activations, global average pooling, flatten, which it restricts to the target class. {@link #costs}
 * counts the multiply-adds this saves, layer by layer: the bound on what incremental inference can gain.
 *
 * <p>Exact by default; {@code plan(net, layer, tau)} with {@code tau < 1} is Krypton's approximate mode.
 */
public final class IncrementalForward implements Windowing {
    private final Network net;
    private final List<Layer> units;
    private final int windowed;
    private final int headConv;
    private final boolean scoreFromWindows;
    private final String target;
    private final String description;
    private final String fallback;
    private final double tau;
    private final PassProfile profile = new PassProfile();
    private final IncrementalCosts costs = new IncrementalCosts(this);
    /** The cached activations and halo gathering of the pass being run. */
    private Map<String, NDArray> base;
    private WindowGather gather;

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
        return l instanceof WindowedLayer w && w.windowable();
    }

    /**
     * Index of the convolution that starts a classifier head (conv, channel-wise activations, global average
     * pooling, flatten, end) whose windows can be restricted to the target class; -1 when there is none.
     */
    private static int classHead(List<Layer> units, int limit) {
        if (limit >= units.size() || !(units.get(limit) instanceof WindowedLayer p && p.globalAveragePool())) {
            return -1;
        }
        for (int i = limit + 1; i < units.size(); i++) {
            if (units.get(i).kind() != LayerKind.FLATTEN) {
                return -1;
            }
        }
        for (int i = limit - 1; i >= 0; i--) {
            WindowedLayer u = (WindowedLayer) units.get(i);
            if (u.computesOneChannel()) {
                return i;
            }
            if (!u.channelwise()) {
                return -1;
            }
        }
        return -1;
    }

    // ---- what the cost model and the pass read ----

    Network network() {
        return net;
    }

    List<Layer> units() {
        return units;
    }

    /** Number of units run on windows, from the first. */
    int windowed() {
        return windowed;
    }

    /** Windowed unit {@code i} (below {@link #windowed()}: windowable by construction of the plan). */
    WindowedLayer unit(int i) {
        return (WindowedLayer) units.get(i);
    }

    int headConv() {
        return headConv;
    }

    /**
     * Accumulates wall time of each part of {@link #run} into {@code sink} (milliseconds under "layer gather" for
     * halo gathering and pasting, "layer total" for the layer, "materialize" and "rest" after the windowed
     * layers); for benchmarks, null stops it.
     */
    public void profile(Map<String, double[]> sink) {
        profile.sink(sink);
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
            names.add(units.get(i).name());
            names.addAll(unit(i).innerActivations());
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
        this.base = base;
        gather = new WindowGather(image, base);
        WindowedMap x = new WindowedMap(Windows.patches(h, w, py, px, size),
                manager.full(new Shape(n, c, size, size), fill), image);
        for (int i = 0; i < windowed; i++) {
            int restrict = headConv >= 0 && i >= headConv ? channel : -1;
            profile.unit(units.get(i).name());
            long t0 = profile.now();
            NDArray outBase = base.get(units.get(i).name());
            if (restrict >= 0) {
                outBase = outBase.get(x.data().getManager(), new NDIndex(":, {}:{}", restrict, restrict + 1));
            }
            x = unit(i).apply(x, outBase, restrict, this);
            profile.tick(profile.unit() + " total", t0);
        }
        long t0 = profile.now();
        try {
            if (scoreFromWindows) {
                return gather.materialize(x.channel(channel));
            }
            if (headConv >= 0) {
                NDArray maps = gather.materialize(x);
                return maps.reshape(py.length, 1, -1).mean(new int[] {2});
            }
            return gather.materialize(x);
        } finally {
            profile.tick("materialize", t0);
        }
    }

    /** The target layer's output {@code [N, ...]} from whole maps {@code [N, ...]} of {@link #runWindows}. */
    public NDArray runRest(NDManager manager, NDArray image, NDArray whole) {
        long t0 = profile.now();
        long c = image.getShape().get(1);
        int h = (int) image.getShape().get(2);
        // the rest runs as usual from the whole maps; the layers before the hook see a tiny stand-in input
        int tiny = tinySize(h);
        NDArray stub = manager.zeros(new Shape(1, c, tiny, tiny));
        String hooked = units.get(windowed - 1).name();
        Forward spec = Network.OUTPUT.equals(target) ? Forward.plain() : Forward.capture(target);
        Map<String, NDArray> out = net.forward(stub, spec.hook(hooked, ignored -> whole));
        profile.tick("rest", t0);
        return Network.OUTPUT.equals(target) ? out.get(Network.OUTPUT) : out.get(target);
    }

    /** The smallest input side for which every windowed layer has an output (the stand-in before the hook). */
    private int tinySize(int size) {
        for (int s = 1; s < size; s++) {
            int len = s;
            for (int i = 0; i < windowed && len >= 1; i++) {
                len = unit(i).outSize(len);
            }
            if (len >= 1) {
                return s;
            }
        }
        return size;
    }

    // ---- cost model ----

    /**
     * Values per patch of the largest activation a batch holds (windows, or whole maps once they cover most of
     * the map), from the geometry alone, for choosing a batch size.
     */
    public long peakValuesPerPatch(int c, int h, int w, int[] py, int[] px, int size) {
        return costs.peakValuesPerPatch(c, h, w, py, px, size);
    }

    /** Multiply-adds of one layer (convolutions and linear layers; pooling and activations count 0) per patch. */
    public record LayerCost(String layer, long fullMacs, double incrementalMacs) {
    }

    /**
     * The theoretical cost of exact incremental occlusion, layer by layer: multiply-adds of the plain pass of one
     * occluded copy against those of the windows the plan computes for it (averaged over the patches, batched as
     * {@link #batches} groups them, so with each batch's common window size and the {@link Windows#FULL_SHARE}
     * switch). Their ratio is the speed-up incremental inference cannot beat on compute alone. Runs one plain pass
     * of {@code image} for the shapes of the layers it does not window.
     */
    public List<LayerCost> costs(Tensor image, int[] py, int[] px, int size, int[][] batches) {
        return costs.costs(image, py, px, size, batches);
    }

    /**
     * Patches grouped into batches of at most {@code maxBatch} (indices into {@code py}, {@code px}). A batch
     * computes one window size per layer, the largest of its patches', so patches whose changed regions have the
     * same sizes (interior ones, those clipped by the same borders, those with the same alignment to the pooling
     * grid) go together; groups merge while the multiply-adds that wastes are cheaper than another pass's fixed
     * cost ({@link IncrementalCosts#PASS_MACS}, {@link IncrementalCosts#MACS_PER_WEIGHT}).
     */
    public int[][] batches(int h, int w, int[] py, int[] px, int size, int maxBatch) {
        return costs.batches(h, w, py, px, size, maxBatch);
    }

    // ---- what windowed layers read (Windowing) ----

    /**
     * Windows for changed regions of an {@code outH x outW} map; with a projective-field threshold {@code tau < 1}
     * each region is first cut to its central {@code tau} share of the map per side (Krypton's approximation: the
     * changes outside are dropped, those positions keep their unoccluded values).
     */
    @Override
    public Windows place(int[][] a, int outH, int outW) {
        if (tau < 1) {
            a = new int[][] {a[0].clone(), a[1].clone(), a[2].clone(), a[3].clone()};
            cap(a[0], a[1], outH);
            cap(a[2], a[3], outW);
        }
        return Windows.place(outH, outW, a[0], a[1], a[2], a[3]);
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

    @Override
    public NDArray gather(WindowedMap in, Windows out, WindowKernel k, float pad) {
        long t0 = profile.now();
        try {
            return gather.input(in, out, k, pad);
        } finally {
            profile.tick(profile.unit() + " gather", t0);
        }
    }

    @Override
    public NDArray base(String name) {
        return base.get(name);
    }

    /** A weight, or its rows for one output channel (created in {@code like}'s manager, not the network's). */
    @Override
    public NDArray parameter(NDArray like, String name, int restrict) {
        NDArray p = net.parameters().get(name);
        return restrict >= 0 ? p.get(like.getManager(), new NDIndex("{}:{}", restrict, restrict + 1)) : p;
    }
}
