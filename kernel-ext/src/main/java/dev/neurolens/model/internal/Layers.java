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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leaf layer types the supported architectures use (the containers are in {@link Blocks}), evaluated
 * functionally with the semantics of the torch modules of the same name (eval mode unless the pass says training).
 */
public final class Layers {
    private Layers() {
    }

    static String child(String parent, String local) {
        return parent.isEmpty() ? local : parent + "." + local;
    }

    /** Base for leaves: no children. */
    abstract static class Leaf implements Layer {
        final String name;

        Leaf(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<Layer> children() {
            return List.of();
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            return Map.of();
        }

        @Override
        public ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink) {
            ReceptiveField out = field(input);
            sink.put(name, out);
            return out;
        }

        ReceptiveField field(ReceptiveField input) {
            return input;
        }

        @Override
        public String toString() {
            return name + ": " + describe();
        }
    }

    public static final class Conv2d extends Leaf implements WindowedLayer {
        final int in;
        final int out;
        final int kernel;
        final int stride;
        final int padding;
        final int dilation;
        final int groups;
        final boolean bias;

        public Conv2d(String name, int in, int out, int kernel, int stride, int padding, boolean bias) {
            this(name, in, out, kernel, stride, padding, 1, 1, bias);
        }

        public Conv2d(String name, int in, int out, int kernel, int stride, int padding, int dilation, int groups,
                      boolean bias) {
            super(name);
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.dilation = dilation;
            this.groups = groups;
            this.bias = bias;
        }

        public int inChannels() {
            return in;
        }

        public int outChannels() {
            return out;
        }

        public int kernel() {
            return kernel;
        }

        public int stride() {
            return stride;
        }

        public int padding() {
            return padding;
        }

        public int dilation() {
            return dilation;
        }

        public int groups() {
            return groups;
        }

        public boolean hasBias() {
            return bias;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.CONV2D;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray w = pass.parameter(name + ".weight");
            NDArray b = bias ? pass.parameter(name + ".bias") : null;
            NDList y = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                    new Shape(dilation, dilation), groups);
            return pass.emit(name, y.singletonOrThrow());
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> p = new LinkedHashMap<>();
            p.put(name + ".weight", new long[] {out, in / groups, kernel, kernel});
            if (bias) {
                p.put(name + ".bias", new long[] {out});
            }
            return p;
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            return input.then(kernel, stride, padding, dilation);
        }

        @Override
        public int outSize(int len) {
            return WindowedOps.kernel(this).outLen(len, false);
        }

        @Override
        public long outChannels(long in) {
            return out;
        }

        @Override
        public boolean computesOneChannel() {
            return groups == 1;
        }

        @Override
        public Windows[] windows(Windows in, int outH, int outW, Windowing w) {
            return new Windows[] {w.place(in.affected(WindowedOps.kernel(this), outH, outW), outH, outW)};
        }

        @Override
        public long[] macsPerPosition(boolean oneChannel) {
            return new long[] {WindowedOps.convMacs(this, oneChannel ? 1 : out)};
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return WindowedOps.conv(this, in, windows(in.windows(), WindowedOps.h(outBase), WindowedOps.w(outBase),
                    w)[0], outBase, restrict, w);
        }

        @Override
        public String describe() {
            return "Conv2d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                    + (dilation != 1 ? ", dilation=" + dilation : "") + (groups != 1 ? ", groups=" + groups : "") + ")";
        }
    }

    /** Elementwise activations without weights: torch's Tanh, Sigmoid and LeakyReLU. */
    public static final class Activation extends Leaf implements WindowedLayer {
        private final LayerKind kind;
        private final float slope;

        private Activation(String name, LayerKind kind, float slope) {
            super(name);
            this.kind = kind;
            this.slope = slope;
        }

        /** The negative slope of a LeakyReLU (0 for the others). */
        public float slope() {
            return slope;
        }

        public static Activation tanh(String name) {
            return new Activation(name, LayerKind.TANH, 0f);
        }

        public static Activation sigmoid(String name) {
            return new Activation(name, LayerKind.SIGMOID, 0f);
        }

        public static Activation leakyRelu(String name, float slope) {
            return new Activation(name, LayerKind.LEAKY_RELU, slope);
        }

        @Override
        public LayerKind kind() {
            return kind;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = switch (kind) {
                case TANH -> x.tanh();
                case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
                default -> ai.djl.nn.Activation.leakyRelu(x, slope);
            };
            return pass.emit(name, y);
        }

        @Override
        public boolean channelwise() {
            return true;
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return new WindowedMap(in.windows(), switch (kind) {
                case TANH -> in.data().tanh();
                case SIGMOID -> ai.djl.nn.Activation.sigmoid(in.data());
                default -> ai.djl.nn.Activation.leakyRelu(in.data(), slope);
            }, outBase);
        }

        @Override
        public String describe() {
            return switch (kind) {
                case TANH -> "Tanh()";
                case SIGMOID -> "Sigmoid()";
                default -> "LeakyReLU(" + slope + ")";
            };
        }
    }

    public static final class Relu extends Leaf implements WindowedLayer {
        public Relu(String name) {
            super(name);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.RELU;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            return pass.emit(name, pass.relu(name, x));
        }

        @Override
        public boolean channelwise() {
            return true;
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return new WindowedMap(in.windows(), ai.djl.nn.Activation.relu(in.data()), outBase);
        }

        @Override
        public String describe() {
            return "ReLU()";
        }
    }

    /**
     * One step down an image pyramid: a binomial 5x5 blur ([1 4 6 4 1]/16 along each axis, reflected borders)
     * and every second pixel kept. Built from average pools, not a grouped convolution, so libtorch's oneDNN path
     * for few-channel convolutions is never involved.
     */
    public static final class BlurDown extends Leaf {
        public BlurDown(String name) {
            super(name);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.BLUR_DOWN;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            // [1 4 6 4 1]/16 is four 2-tap box filters in a row: three 2x2 average pools of stride 1 and a last
            // one of stride 2 blur and subsample, on the picture with 2 reflected pixels on every side
            NDArray y = reflect(reflect(x, 2), 3);
            Shape one = new Shape(1, 1);
            Shape two = new Shape(2, 2);
            Shape none = new Shape(0, 0);
            for (int i = 0; i < 3; i++) {
                y = Pool.avgPool2d(y, two, one, none, false, true);
            }
            return pass.emit(name, Pool.avgPool2d(y, two, two, none, false, true));
        }

        /** Two pixels reflected onto both ends along {@code axis} (2: rows, 3: columns): x2 x1 | x | x(n-2) x(n-3). */
        private static NDArray reflect(NDArray x, int axis) {
            long n = x.getShape().get(axis);
            if (n < 3) {
                throw new IllegalArgumentException("the picture is too small for another pyramid level: " + n
                        + " pixels along an axis; use a larger size");
            }
            String at = axis == 2 ? "..., {}:{}, :" : "..., {}:{}";
            return x.get(at, 2, 3).concat(x.get(at, 1, 2), axis).concat(x, axis)
                    .concat(x.get(at, n - 2, n - 1), axis).concat(x.get(at, n - 3, n - 2), axis);
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            return input.then(5, 2, 2, 1);
        }

        @Override
        public String describe() {
            return "BlurDown(binomial 5x5, stride 2)";
        }
    }

    public static final class MaxPool2d extends Leaf implements WindowedLayer {
        final int kernel;
        final int stride;
        final int padding;
        final boolean ceil;

        public MaxPool2d(String name, int kernel, int stride, int padding, boolean ceil) {
            super(name);
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.ceil = ceil;
        }

        public int kernel() {
            return kernel;
        }

        public int stride() {
            return stride;
        }

        public int padding() {
            return padding;
        }

        public boolean ceilMode() {
            return ceil;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.MAX_POOL2D;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride),
                    new Shape(padding, padding), ceil);
            return pass.emit(name, y);
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            return input.then(kernel, stride, padding, 1);
        }

        @Override
        public int outSize(int len) {
            return WindowedOps.kernel(this).outLen(len, ceil);
        }

        @Override
        public Windows[] windows(Windows in, int outH, int outW, Windowing w) {
            return new Windows[] {w.place(in.affected(WindowedOps.kernel(this), outH, outW), outH, outW)};
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return WindowedOps.pool(this, in, windows(in.windows(), WindowedOps.h(outBase), WindowedOps.w(outBase),
                    w)[0], outBase, w);
        }

        @Override
        public String describe() {
            return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                    + (ceil ? ", ceil_mode=True" : "") + ")";
        }
    }

    public static final class AdaptiveAvgPool2d extends Leaf implements WindowedLayer {
        final int height;
        final int width;

        public AdaptiveAvgPool2d(String name, int height, int width) {
            super(name);
            this.height = height;
            this.width = width;
        }

        public int height() {
            return height;
        }

        public int width() {
            return width;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.ADAPTIVE_AVG_POOL2D;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(height, width));
            return pass.emit(name, y);
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            return ReceptiveField.whole();
        }

        /** Not windowed: every output reads the whole map. */
        @Override
        public boolean windowable() {
            return false;
        }

        @Override
        public boolean globalAveragePool() {
            return height == 1 && width == 1;
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            throw new UnsupportedOperationException(name + ": adaptive pooling reads whole maps");
        }

        @Override
        public String describe() {
            return "AdaptiveAvgPool2d(" + height + ", " + width + ")";
        }
    }

    public static final class Flatten extends Leaf {
        public Flatten(String name) {
            super(name);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.FLATTEN;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            return pass.emit(name, x.reshape(x.getShape().get(0), -1));
        }

        @Override
        public String describe() {
            return "Flatten()";
        }
    }

    public static final class DropoutLayer extends Leaf implements WindowedLayer {
        final float rate;

        public DropoutLayer(String name, float rate) {
            super(name);
            this.rate = rate;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.DROPOUT;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray y = pass.training() ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
            return pass.emit(name, y);
        }

        @Override
        public boolean channelwise() {
            return true;
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return new WindowedMap(in.windows(), in.data(), outBase);
        }

        @Override
        public String describe() {
            return "Dropout(p=" + rate + ")";
        }
    }

    public static final class Dense extends Leaf {
        final int in;
        final int out;

        public Dense(String name, int in, int out) {
            super(name);
            this.in = in;
            this.out = out;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.LINEAR;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDList y = Linear.linear(x, pass.parameter(name + ".weight"), pass.parameter(name + ".bias"));
            return pass.emit(name, y.singletonOrThrow());
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> p = new LinkedHashMap<>();
            p.put(name + ".weight", new long[] {out, in});
            p.put(name + ".bias", new long[] {out});
            return p;
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            return ReceptiveField.whole();
        }

        @Override
        public String describe() {
            return "Linear(" + in + ", " + out + ")";
        }
    }

    public static final class BatchNorm2d extends Leaf implements WindowedLayer {
        final int channels;
        final float eps;

        public BatchNorm2d(String name, int channels) {
            super(name);
            this.channels = channels;
            this.eps = 1e-5f;
        }

        public float eps() {
            return eps;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.BATCH_NORM2D;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDList y = BatchNorm.batchNorm(x, pass.parameter(name + ".running_mean"),
                    pass.parameter(name + ".running_var"), pass.parameter(name + ".weight"),
                    pass.parameter(name + ".bias"), 1, 0.1f, eps, pass.training());
            return pass.emit(name, y.singletonOrThrow());
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> p = new LinkedHashMap<>();
            for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                p.put(name + "." + s, new long[] {channels});
            }
            return p;
        }

        @Override
        public WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w) {
            return new WindowedMap(in.windows(), WindowedOps.batchNorm(this, in.data(), restrict, w), outBase);
        }

        @Override
        public String describe() {
            return "BatchNorm2d(" + channels + ")";
        }
    }
}
