package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.neurolens.model.Layer;
import dev.neurolens.model.WindowKernel;
import dev.neurolens.model.WindowedLayer;
import dev.neurolens.model.WindowedMap;
import dev.neurolens.model.Windowing;
import dev.neurolens.model.Windows;

/**
 * Windowed execution of the layers in {@link Layers} ({@link WindowedLayer}): each kernel layer computes its
 * output windows from the input windows its kernel reads, gathered with the layer's own padding (zeros for
 * convolutions, -inf for max pooling) and computed with padding 0; composite layers chain their parts.
 */
final class WindowedOps {
    private WindowedOps() {
    }

    static WindowKernel kernel(Layers.Conv2d c) {
        return new WindowKernel(c.kernel(), c.stride(), c.padding(), c.dilation());
    }

    static WindowKernel kernel(Layers.MaxPool2d m) {
        return new WindowKernel(m.kernel(), m.stride(), m.padding(), 1);
    }

    static int h(NDArray a) {
        return (int) a.getShape().get(2);
    }

    static int w(NDArray a) {
        return (int) a.getShape().get(3);
    }

    static long convMacs(Layers.Conv2d c, long outChannels) {
        return outChannels * (c.inChannels() / c.groups()) * c.kernel() * c.kernel();
    }

    /** An element-wise layer on data alone. */
    static NDArray elementwise(Layer u, NDArray x, int restrict, Windowing w) {
        return ((WindowedLayer) u).apply(new WindowedMap(null, x, null), null, restrict, w).data();
    }

    static NDArray batchNorm(Layers.BatchNorm2d bn, NDArray x, int restrict, Windowing w) {
        String n = bn.name();
        NDList y = BatchNorm.batchNorm(x, w.parameter(x, n + ".running_mean", restrict),
                w.parameter(x, n + ".running_var", restrict), w.parameter(x, n + ".weight", restrict),
                w.parameter(x, n + ".bias", restrict), 1, 0.1f, bn.eps(), false);
        return y.singletonOrThrow();
    }

    /** A convolution computed on the windows {@code g} of its output. */
    static WindowedMap conv(Layers.Conv2d c, WindowedMap in, Windows g, NDArray outBase, int restrict,
                            Windowing w) {
        NDArray wt = w.parameter(in.data(), c.name() + ".weight", restrict);
        NDArray b = c.hasBias() ? w.parameter(in.data(), c.name() + ".bias", restrict) : null;
        Shape s = new Shape(c.stride(), c.stride());
        Shape d = new Shape(c.dilation(), c.dilation());
        NDArray data;
        if (in.windows().full() && g.full()) {
            data = ai.djl.nn.convolutional.Conv2d.conv2d(in.data(), wt, b, s, new Shape(c.padding(), c.padding()),
                    d, c.groups()).singletonOrThrow();
        } else {
            NDArray x = w.gather(in, g, kernel(c), 0f);
            data = ai.djl.nn.convolutional.Conv2d.conv2d(x, wt, b, s, new Shape(0, 0), d, c.groups())
                    .singletonOrThrow();
        }
        return checked(c, new WindowedMap(g, data, outBase));
    }

    static WindowedMap pool(Layers.MaxPool2d m, WindowedMap in, Windows g, NDArray outBase, Windowing w) {
        Shape ks = new Shape(m.kernel(), m.kernel());
        Shape s = new Shape(m.stride(), m.stride());
        NDArray data;
        if (in.windows().full() && g.full()) {
            data = Pool.maxPool2d(in.data(), ks, s, new Shape(m.padding(), m.padding()), m.ceilMode());
        } else {
            data = Pool.maxPool2d(w.gather(in, g, kernel(m), Float.NEGATIVE_INFINITY), ks, s, new Shape(0, 0),
                    false);
        }
        return checked(m, new WindowedMap(g, data, outBase));
    }

    private static WindowedMap checked(Layer l, WindowedMap m) {
        Shape s = m.data().getShape();
        if (s.get(2) != m.windows().h() || s.get(3) != m.windows().w()) {
            throw new IllegalStateException(l.name() + ": window " + m.windows().h() + "x" + m.windows().w()
                    + " expected, got " + s);
        }
        return m;
    }

    /** Squeeze, then both expands on the union of their changed windows, concatenated. */
    static Windows[] fireWindows(Blocks.Fire f, Windows in, int oh, int ow, Windowing w) {
        Windows s = w.place(in.affected(kernel(f.squeeze()), oh, ow), oh, ow);
        Windows g = w.place(Windows.union(s.affected(kernel(f.expand1x1()), oh, ow),
                s.affected(kernel(f.expand3x3()), oh, ow)), oh, ow);
        return new Windows[] {s, g};
    }

    static WindowedMap fire(Blocks.Fire f, WindowedMap in, NDArray outBase, Windowing w) {
        NDArray sBase = w.base(f.squeezeActivation().name());
        Windows gs = w.place(in.windows().affected(kernel(f.squeeze()), h(sBase), w(sBase)), h(sBase), w(sBase));
        WindowedMap s = conv(f.squeeze(), in, gs, null, -1, w);
        s = new WindowedMap(gs, elementwise(f.squeezeActivation(), s.data(), -1, w), sBase);
        int oh = h(outBase);
        int ow = w(outBase);
        Windows g = w.place(Windows.union(gs.affected(kernel(f.expand1x1()), oh, ow),
                gs.affected(kernel(f.expand3x3()), oh, ow)), oh, ow);
        NDArray a = elementwise(f.expand1x1Activation(), conv(f.expand1x1(), s, g, null, -1, w).data(), -1, w);
        NDArray b = elementwise(f.expand3x3Activation(), conv(f.expand3x3(), s, g, null, -1, w).data(), -1, w);
        return new WindowedMap(g, a.concat(b, 1), outBase);
    }

    /** The downsampling convolution of a block's shortcut, or null for the identity. */
    static Layers.Conv2d shortcutConv(Blocks.BasicBlock b) {
        return b.downsample() == null ? null : (Layers.Conv2d) b.downsample().children().get(0);
    }

    /** The changed regions of a block's output: its main path's and its shortcut's, together. */
    private static int[][] blockChanged(Blocks.BasicBlock b, Windows in, Windows mid, int oh, int ow) {
        int[][] main = mid.affected(kernel(b.conv2()), oh, ow);
        Layers.Conv2d ds = shortcutConv(b);
        int[][] shortcut = ds == null ? in.changed() : in.affected(kernel(ds), oh, ow);
        return Windows.union(main, shortcut);
    }

    static Windows[] blockWindows(Blocks.BasicBlock b, Windows in, int oh, int ow, Windowing w) {
        int mh = kernel(b.conv1()).outLen(in.mapH(), false);
        int mw = kernel(b.conv1()).outLen(in.mapW(), false);
        Windows s = w.place(in.affected(kernel(b.conv1()), mh, mw), mh, mw);
        return new Windows[] {s, w.place(blockChanged(b, in, s, oh, ow), oh, ow)};
    }

    static WindowedMap block(Blocks.BasicBlock blk, WindowedMap in, NDArray outBase, Windowing w) {
        Layers.Conv2d c1 = blk.conv1();
        NDArray reluBase = w.base(blk.relu().name());
        Windows g1 = w.place(in.windows().affected(kernel(c1), h(reluBase), w(reluBase)), h(reluBase),
                w(reluBase));
        WindowedMap y = conv(c1, in, g1, null, -1, w);
        NDArray r = elementwise(blk.relu(), elementwise(blk.bn1(), y.data(), -1, w), -1, w);
        WindowedMap mid = new WindowedMap(g1, r, reluBase);
        Windows g = w.place(blockChanged(blk, in.windows(), g1, h(outBase), w(outBase)), h(outBase), w(outBase));
        NDArray m = elementwise(blk.bn2(), conv(blk.conv2(), mid, g, null, -1, w).data(), -1, w);
        Layers.Conv2d ds = shortcutConv(blk);
        NDArray s;
        if (ds == null) {
            s = in.windows().full() && g.full() ? in.data() : w.gather(in, g, new WindowKernel(1, 1, 0, 1), 0f);
        } else {
            s = elementwise(blk.downsample().children().get(1), conv(ds, in, g, null, -1, w).data(), -1, w);
        }
        return new WindowedMap(g, ai.djl.nn.Activation.relu(m.add(s)), outBase);
    }
}
