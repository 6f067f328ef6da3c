package dev.neurolens.attribution.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import dev.neurolens.model.internal.Layers;

import java.util.ArrayList;
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
 * (zeros for convolutions, -inf for max pooling).
 *
 * <p>Windows grow with depth; once one covers {@link #FULL_SHARE} of its map the layer is computed on whole maps,
 * which costs no more than the plain pass. Layers it cannot window (adaptive pooling, linear, ...) run through
 * the network as usual from the whole maps, except a classifier of the form conv, channel-wise activations,
 * global average pooling, flatten, which it restricts to the target class. Only {@link Network} layers of the
 * kinds listed in {@link #windowable} are windowed; the plan says how far it got.
 */
public final class IncrementalForward {
    /** A window covering more than this share of its map is computed as the whole map. */
    static final double FULL_SHARE = 0.7;

    private final Network net;
    private final List<Layer> units;
    private final int windowed;
    private final int headConv;
    private final boolean scoreFromWindows;
    private final String target;
    private final String description;
    private final String fallback;

    private IncrementalForward(Network net, List<Layer> units, int windowed, int headConv, boolean scoreFromWindows,
                               String target, String description, String fallback) {
        this.net = net;
        this.units = units;
        this.windowed = windowed;
        this.headConv = headConv;
        this.scoreFromWindows = scoreFromWindows;
        this.target = target;
        this.description = description;
        this.fallback = fallback;
    }

    /**
     * How occlusion of {@code net} read at {@code targetLayer} (a resolved layer name, or {@link Network#OUTPUT})
     * can run incrementally: which layers get windows, and what runs after them.
     */
    public static IncrementalForward plan(Network net, String targetLayer) {
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
                    why);
        }
        int headConv = -1;
        if (!scoreFromWindows && Network.OUTPUT.equals(targetLayer)) {
            headConv = classHead(units, limit);
        }
        String last = units.get(limit - 1).name();
        String rest = scoreFromWindows ? ", score read from the windows of " + last
                : headConv >= 0 ? "; class head: " + units.get(headConv).name() + " for the target class only"
                : ", then " + units.get(limit).name() + " onwards on whole maps";
        String d = "incremental: " + units.get(0).name() + " to " + last + " on changed windows" + rest;
        return new IncrementalForward(net, units, limit, headConv, scoreFromWindows, targetLayer, d, null);
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
        return net.forward(image, Forward.capture(names.toArray(String[]::new)));
    }

    /**
     * The target layer's output for the image with each patch {@code (py[i], px[i])} of side {@code size} set to
     * {@code fill}: {@code [N, ...]}, or only channel {@code channel} when {@link #readsOneChannel()}. Arrays are
     * created in {@code manager}.
     */
    public NDArray run(NDManager manager, NDArray image, Map<String, NDArray> base, int[] py, int[] px, int size,
                       float fill, int channel) {
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
        Win x = new Win(g, manager.full(new Shape(n, c, size, size), fill), image);
        for (int i = 0; i < windowed; i++) {
            int restrict = headConv >= 0 && i >= headConv ? channel : -1;
            x = apply(units.get(i), x, base, restrict);
        }
        if (scoreFromWindows) {
            return materialize(x.channel(channel));
        }
        if (headConv >= 0) {
            NDArray maps = materialize(x);
            return maps.reshape(py.length, 1, -1).mean(new int[] {2});
        }
        NDArray whole = materialize(x);
        // the rest runs as usual from the whole maps; the layers before the hook see a tiny stand-in input
        int tiny = tinySize(h);
        NDArray stub = manager.zeros(new Shape(1, c, tiny, tiny));
        String hooked = units.get(windowed - 1).name();
        Forward spec = Network.OUTPUT.equals(target) ? Forward.plain() : Forward.capture(target);
        Map<String, NDArray> out = net.forward(stub, spec.hook(hooked, ignored -> whole));
        return Network.OUTPUT.equals(target) ? out.get(Network.OUTPUT) : out.get(target);
    }

    /**
     * Values per patch of the largest activation a batch holds (windows, or whole maps once they cover most of
     * the map), from the geometry alone, for choosing a batch size.
     */
    public long peakValuesPerPatch(int c, int h, int w, int[] py, int[] px, int size) {
        int n = py.length;
        int[] y1 = new int[n];
        int[] x1 = new int[n];
        for (int r = 0; r < n; r++) {
            y1[r] = py[r] + size;
            x1[r] = px[r] + size;
        }
        Geo g = new Geo(h, w, size, size, py.clone(), px.clone(), py.clone(), y1, px.clone(), x1);
        long ch = c;
        long peak = (long) c * size * size;
        for (int i = 0; i < windowed; i++) {
            Layer u = units.get(i);
            int oh = outSize(u, g.mapH());
            int ow = outSize(u, g.mapW());
            if (u instanceof Layers.Conv2d conv) {
                g = place(affected(g, Kernel.of(conv), oh, ow), oh, ow);
            } else if (u instanceof Layers.MaxPool2d m) {
                g = place(affected(g, Kernel.of(m), oh, ow), oh, ow);
            } else if (u instanceof Layers.Fire f) {
                Geo s = place(affected(g, Kernel.of(f.squeeze()), oh, ow), oh, ow);
                g = place(union(affected(s, Kernel.of(f.expand1x1()), oh, ow),
                        affected(s, Kernel.of(f.expand3x3()), oh, ow)), oh, ow);
            } else if (u instanceof Layers.BasicBlock b) {
                int mh = Kernel.of(b.conv1()).outLen(g.mapH(), false);
                int mw = Kernel.of(b.conv1()).outLen(g.mapW(), false);
                Geo s = place(affected(g, Kernel.of(b.conv1()), mh, mw), mh, mw);
                g = place(affected(s, Kernel.of(b.conv2()), oh, ow), oh, ow);
            }
            ch = outChannels(u, ch);
            peak = Math.max(peak, ch * g.h() * g.w());
        }
        if (!readsOneChannel()) {
            peak = Math.max(peak, ch * g.mapH() * g.mapW());
        }
        return peak;
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
            h = Math.min(h, mapH);
            w = Math.min(w, mapW);
            if ((double) h * w > FULL_SHARE * mapH * mapW) {
                h = mapH;
                w = mapW;
            }
            int[] y0 = new int[n];
            int[] x0 = new int[n];
            for (int r = 0; r < n; r++) {
                y0[r] = Math.max(0, Math.min(ay0[r], mapH - h));
                x0[r] = Math.max(0, Math.min(ax0[r], mapW - w));
            }
            return new Geo(mapH, mapW, h, w, y0, x0, ay0, ay1, ax0, ax1);
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

    private static Geo place(int[][] a, int outH, int outW) {
        return Geo.place(outH, outW, a[0], a[1], a[2], a[3]);
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
    private static NDArray gatherInput(Win in, Geo g, Kernel k, float pad) {
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
    static NDArray materialize(Win in) {
        if (in.g().full()) {
            return in.data();
        }
        int n = in.g().n();
        return gather(in, new int[n], new int[n], in.g().mapH(), in.g().mapW(), 0f);
    }

    /**
     * For each patch r the {@code ih x iw} region at {@code (iy[r], ix[r])} of its activation: values from its
     * window where it has one, from the unoccluded activation elsewhere, {@code pad} outside the map. One index
     * selection over [window values | unoccluded values | pad] per call, whatever the number of patches.
     */
    static NDArray gather(Win in, int[] iy, int[] ix, int ih, int iw, float pad) {
        Geo g = in.g();
        int n = g.n();
        int mh = g.mapH();
        int mw = g.mapW();
        long c = in.data().getShape().get(1);
        boolean useBase = !g.full();
        int winLen = n * g.h() * g.w();
        int baseLen = useBase ? mh * mw : 0;
        int padIdx = winLen + baseLen;
        long[] idx = new long[n * ih * iw];
        boolean anyPad = false;
        int k = 0;
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < ih; i++) {
                int y = iy[r] + i;
                int wy = y - g.y0()[r];
                for (int j = 0; j < iw; j++) {
                    int x = ix[r] + j;
                    if (y < 0 || y >= mh || x < 0 || x >= mw) {
                        idx[k++] = padIdx;
                        anyPad = true;
                        continue;
                    }
                    int wx = x - g.x0()[r];
                    if (wy >= 0 && wy < g.h() && wx >= 0 && wx < g.w()) {
                        idx[k++] = ((long) r * g.h() + wy) * g.w() + wx;
                    } else {
                        idx[k++] = winLen + (long) y * mw + x;
                    }
                }
            }
        }
        NDManager m = in.data().getManager();
        NDList parts = new NDList(in.data().transpose(1, 0, 2, 3).reshape(c, winLen));
        if (useBase) {
            parts.add(in.base().reshape(c, (long) mh * mw));
        }
        if (anyPad) {
            parts.add(m.full(new Shape(c, 1), pad));
        }
        NDArray src = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 1);
        NDArray picked = src.get(new NDIndex(":, {}", m.create(idx)));
        return picked.reshape(c, n, ih, iw).transpose(1, 0, 2, 3);
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
