package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.neurolens.model.ForwardPass;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.WindowedLayer;
import dev.neurolens.model.WindowedMap;
import dev.neurolens.model.Windowing;
import dev.neurolens.model.Windows;

import dev.neurolens.model.internal.Layers.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers that hold other layers: {@link Sequential}, SqueezeNet's {@link Fire} and ResNet's {@link BasicBlock},
 * evaluated as their torch modules are.
 */
public final class Blocks {
    private Blocks() {
    }

    /** Base for containers: parameters and receptive fields gathered from children. */
    abstract static class Container implements Layer {
        final String name;
        final List<Layer> children;

        Container(String name, List<Layer> children) {
            this.name = name;
            this.children = List.copyOf(children);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Layer> children() {
            return children;
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> p = new LinkedHashMap<>();
            for (Layer c : children) {
                p.putAll(c.parameterShapes());
            }
            return p;
        }

        /** The children in order on {@code x}; stops where the pass has what it needs. */
        NDArray chain(NDArray x, ForwardPass pass) {
            NDArray y = x;
            for (Layer c : children) {
                y = c.forward(y, pass);
                if (pass.done()) {
                    return y;
                }
            }
            return y;
        }

        /** The receptive field after the children in order, recorded under this container's name too. */
        ReceptiveField chainField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            ReceptiveField rf = input;
            for (Layer c : children) {
                rf = c.receptiveField(rf, sink);
            }
            sink.put(name, rf);
            return rf;
        }

        @Override
        public String toString() {
            return name + ": " + describe();
        }
    }

    public static final class Sequential extends Container {
        public Sequential(String name, List<Layer> children) {
            super(name, children);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.SEQUENTIAL;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = chain(x, pass);
            return pass.done() ? y : pass.emit(name, y);
        }

        @Override
        public ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            return chainField(input, sink);
        }

        @Override
        public String describe() {
            return "Sequential(" + children.size() + " layers)";
        }
    }

    /**
     * A side branch: its children run in order on the input and their output is emitted under the tap's name,
     * then the input itself goes on to the next layer. Multi-scale feature stacks read one tap per scale.
     */
    public static final class Tap extends Container {
        public Tap(String name, List<Layer> children) {
            super(name, children);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.TAP;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = chain(x, pass);
            if (pass.done()) {
                return y;
            }
            pass.emit(name, y);
            return x;
        }

        @Override
        public ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            chainField(input, sink);
            return input;
        }

        @Override
        public String describe() {
            return "Tap(" + children.size() + " layers, a side branch)";
        }
    }

    /** SqueezeNet's Fire module: squeeze 1x1, then 1x1 and 3x3 expansions concatenated along channels. */
    public static final class Fire extends Container implements WindowedLayer {
        private final Layer squeeze;
        private final Layer squeezeRelu;
        private final Layer expand1;
        private final Layer expand1Relu;
        private final Layer expand3;
        private final Layer expand3Relu;

        public Fire(String name, int in, int squeezeChannels, int expand1x1, int expand3x3) {
            this(name, new Conv2d(Layers.child(name, "squeeze"), in, squeezeChannels, 1, 1, 0, true),
                    new Relu(Layers.child(name, "squeeze_activation")),
                    new Conv2d(Layers.child(name, "expand1x1"), squeezeChannels, expand1x1, 1, 1, 0, true),
                    new Relu(Layers.child(name, "expand1x1_activation")),
                    new Conv2d(Layers.child(name, "expand3x3"), squeezeChannels, expand3x3, 3, 1, 1, true),
                    new Relu(Layers.child(name, "expand3x3_activation")));
        }

        private Fire(String name, Layer s, Layer sr, Layer e1, Layer e1r, Layer e3, Layer e3r) {
            super(name, List.of(s, sr, e1, e1r, e3, e3r));
            squeeze = s;
            squeezeRelu = sr;
            expand1 = e1;
            expand1Relu = e1r;
            expand3 = e3;
            expand3Relu = e3r;
        }

        public Conv2d squeeze() {
            return (Conv2d) squeeze;
        }

        public Layer squeezeActivation() {
            return squeezeRelu;
        }

        public Conv2d expand1x1() {
            return (Conv2d) expand1;
        }

        public Layer expand1x1Activation() {
            return expand1Relu;
        }

        public Conv2d expand3x3() {
            return (Conv2d) expand3;
        }

        public Layer expand3x3Activation() {
            return expand3Relu;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.FIRE;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray s = squeezeRelu.forward(squeeze.forward(x, pass), pass);
            NDArray a = expand1Relu.forward(expand1.forward(s, pass), pass);
            NDArray b = expand3Relu.forward(expand3.forward(s, pass), pass);
            return pass.emit(name, a.concat(b, 1));
        }

        @Override
        public ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            ReceptiveField s = squeezeRelu.receptiveField(squeeze.receptiveField(input, sink), sink);
            ReceptiveField a = expand1Relu.receptiveField(expand1.receptiveField(s, sink), sink);
            ReceptiveField b = expand3Relu.receptiveField(expand3.receptiveField(s, sink), sink);
            ReceptiveField out = a.union(b);
            sink.put(name, out);
            return out;
        }

        @Override
        public int outSize(int len) {
            return WindowedOps.kernel(expand3x3()).outLen(WindowedOps.kernel(squeeze()).outLen(len, false), false);
        }

        @Override
        public long outChannels(long in) {
            return expand1x1().outChannels() + expand3x3().outChannels();
        }

        @Override
        public List<String> innerActivations() {
            return List.of(squeezeRelu.name());
        }

        @Override
        public Windows[] windows(Windows in, int outH, int outW, Windowing w) {
            return WindowedOps.fireWindows(this, in, outH, outW, w);
        }

        @Override
        public long[] macsPerPosition(boolean oneChannel) {
            return new long[] {WindowedOps.convMacs(squeeze(), squeeze().outChannels()),
                    WindowedOps.convMacs(expand1x1(), expand1x1().outChannels())
                            + WindowedOps.convMacs(expand3x3(), expand3x3().outChannels())};
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return WindowedOps.fire(this, in, outBase, w);
        }

        @Override
        public String describe() {
            Conv2d s = (Conv2d) squeeze;
            return "Fire(" + s.in + ", squeeze=" + s.out + ", expand1x1=" + ((Conv2d) expand1).out
                    + ", expand3x3=" + ((Conv2d) expand3).out + ")";
        }
    }

    /**
     * ResNet's BasicBlock. torchvision applies its one {@code relu} module twice; here {@code <block>.relu}
     * names the first application and the block's own name the output after the second.
     */
    public static final class BasicBlock extends Container implements WindowedLayer {
        private final Layer conv1;
        private final Layer bn1;
        private final Layer relu;
        private final Layer conv2;
        private final Layer bn2;
        private final Layer downsample;

        public BasicBlock(String name, int in, int out, int stride) {
            this(name, new Conv2d(Layers.child(name, "conv1"), in, out, 3, stride, 1, false),
                    new BatchNorm2d(Layers.child(name, "bn1"), out), new Relu(Layers.child(name, "relu")),
                    new Conv2d(Layers.child(name, "conv2"), out, out, 3, 1, 1, false),
                    new BatchNorm2d(Layers.child(name, "bn2"), out),
                    stride != 1 || in != out
                            ? new Sequential(Layers.child(name, "downsample"), List.of(
                                    new Conv2d(Layers.child(name, "downsample.0"), in, out, 1, stride, 0, false),
                                    new BatchNorm2d(Layers.child(name, "downsample.1"), out)))
                            : null);
        }

        private BasicBlock(String name, Layer c1, Layer b1, Layer r, Layer c2, Layer b2, Layer ds) {
            super(name, ds == null ? List.of(c1, b1, r, c2, b2) : List.of(c1, b1, r, c2, b2, ds));
            conv1 = c1;
            bn1 = b1;
            relu = r;
            conv2 = c2;
            bn2 = b2;
            downsample = ds;
        }

        public Conv2d conv1() {
            return (Conv2d) conv1;
        }

        public BatchNorm2d bn1() {
            return (BatchNorm2d) bn1;
        }

        public Layer relu() {
            return relu;
        }

        public Conv2d conv2() {
            return (Conv2d) conv2;
        }

        public BatchNorm2d bn2() {
            return (BatchNorm2d) bn2;
        }

        /** The 1x1 convolution and batch norm of the shortcut, or null when the shortcut is the identity. */
        public Sequential downsample() {
            return (Sequential) downsample;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.BASIC_BLOCK;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = relu.forward(bn1.forward(conv1.forward(x, pass), pass), pass);
            y = bn2.forward(conv2.forward(y, pass), pass);
            NDArray shortcut = downsample == null ? x : downsample.forward(x, pass);
            return pass.emit(name, pass.relu(name, y.add(shortcut)));
        }

        @Override
        public ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            ReceptiveField y = relu.receptiveField(bn1.receptiveField(conv1.receptiveField(input, sink), sink), sink);
            y = bn2.receptiveField(conv2.receptiveField(y, sink), sink);
            ReceptiveField s = downsample == null ? input : downsample.receptiveField(input, sink);
            ReceptiveField out = y.union(s);
            sink.put(name, out);
            return out;
        }

        /** Windowed when the shortcut is the identity or a convolution and a batch norm. */
        @Override
        public boolean windowable() {
            return downsample == null || downsample.children().size() == 2;
        }

        @Override
        public int outSize(int len) {
            return WindowedOps.kernel(conv2()).outLen(WindowedOps.kernel(conv1()).outLen(len, false), false);
        }

        @Override
        public long outChannels(long in) {
            return conv2().outChannels();
        }

        @Override
        public List<String> innerActivations() {
            return List.of(relu.name());
        }

        @Override
        public Windows[] windows(Windows in, int outH, int outW, Windowing w) {
            return WindowedOps.blockWindows(this, in, outH, outW, w);
        }

        @Override
        public long[] macsPerPosition(boolean oneChannel) {
            long out = WindowedOps.convMacs(conv2(), conv2().outChannels());
            Conv2d ds = WindowedOps.shortcutConv(this);
            if (ds != null) {
                out += WindowedOps.convMacs(ds, ds.outChannels());
            }
            return new long[] {WindowedOps.convMacs(conv1(), conv1().outChannels()), out};
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return WindowedOps.block(this, in, outBase, w);
        }

        @Override
        public String describe() {
            Conv2d c = (Conv2d) conv1;
            return "BasicBlock(" + c.in + ", " + c.out + ", stride=" + c.stride + ")";
        }
    }

    /** All layers under (and including) the given ones, depth first in evaluation order. */
    public static List<Layer> flatten(List<Layer> roots) {
        List<Layer> out = new ArrayList<>();
        for (Layer l : roots) {
            out.add(l);
            out.addAll(flatten(l.children()));
        }
        return out;
    }
}
