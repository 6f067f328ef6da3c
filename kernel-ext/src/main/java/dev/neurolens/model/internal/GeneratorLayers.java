package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.ForwardPass;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.ReceptiveField;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The leaf layers only generators use: transposed convolution, Progressive GAN's pixel norm and weight scaling,
 * and nearest upsampling. Torch semantics, as in {@link Layers}.
 */
public final class GeneratorLayers {
    private GeneratorLayers() {
    }

    /**
     * Transposed convolution as torch's {@code ConvTranspose2d} (weight {@code in x out x k x k}): the layer
     * generators upsample with. Each input location writes a {@code out x k x k} patch, which is what lets
     * a rewrite treat its weight as an associative memory from keys (input channels) to values (patches).
     */
    public static final class ConvTranspose2d extends Layers.Leaf {
        final int in;
        final int out;
        final int kernel;
        final int stride;
        final int padding;
        final int outputPadding;
        final boolean bias;

        public ConvTranspose2d(String name, int in, int out, int kernel, int stride, int padding, int outputPadding,
                               boolean bias) {
            super(name);
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.outputPadding = outputPadding;
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

        public boolean hasBias() {
            return bias;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.CONV_TRANSPOSE2D;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray w = pass.parameter(name + ".weight");
            NDArray b = bias ? pass.parameter(name + ".bias") : null;
            return pass.emit(name, TransposedConv.apply(x, w, b, stride, padding, outputPadding));
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> p = new LinkedHashMap<>();
            p.put(name + ".weight", new long[] {in, out, kernel, kernel});
            if (bias) {
                p.put(name + ".bias", new long[] {out});
            }
            return p;
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            // an upsampling layer has no receptive field in input pixels; patches are not defined past it
            return ReceptiveField.whole();
        }

        @Override
        public String describe() {
            return "ConvTranspose2d(" + in + ", " + out + ", kernel=" + kernel + ", stride=" + stride + ", padding="
                    + padding + (outputPadding != 0 ? ", output_padding=" + outputPadding : "") + ")";
        }
    }

    /**
     * Progressive GAN's pixel norm: each position's feature vector divided by its root mean square over
     * channels, {@code x / sqrt(mean_c(x^2) + 1e-8)}.
     */
    public static final class PixelNorm extends Layers.Leaf {
        public PixelNorm(String name) {
            super(name);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.PIXEL_NORM;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            return pass.emit(name, x.div(x.square().mean(new int[] {1}, true).add(1e-8f).sqrt()));
        }

        @Override
        public String describe() {
            return "PixelNorm()";
        }
    }

    /**
     * Progressive GAN's equalized learning rate applied after a bias-free convolution:
     * {@code x * gain / sqrt(fanIn) + b}, with the bias {@code b} as parameter {@code <name>.b}.
     */
    public static final class WScale extends Layers.Leaf {
        final int channels;
        final float scale;

        public WScale(String name, int channels, int fanIn, double gain) {
            super(name);
            this.channels = channels;
            this.scale = (float) (gain / Math.sqrt(fanIn));
        }

        /** The constant factor {@code gain / sqrt(fanIn)}. */
        public float scale() {
            return scale;
        }

        @Override
        public LayerKind kind() {
            return LayerKind.WSCALE;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            NDArray b = pass.parameter(name + ".b").reshape(1, channels, 1, 1);
            return pass.emit(name, x.mul(scale).add(b));
        }

        @Override
        public Map<String, long[]> parameterShapes() {
            return Map.of(name + ".b", new long[] {channels});
        }

        @Override
        public String describe() {
            return "WScale(" + channels + ", scale=" + scale + ")";
        }
    }

    /** Nearest-neighbour upsampling by 2, as torch's {@code interpolate(x, scale_factor=2, mode='nearest')}. */
    public static final class UpsampleNearest extends Layers.Leaf {
        public UpsampleNearest(String name) {
            super(name);
        }

        @Override
        public LayerKind kind() {
            return LayerKind.UPSAMPLE_NEAREST;
        }

        @Override
        public NDArray forward(NDArray x, ForwardPass pass) {
            Shape s = x.getShape();
            long n = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            // each pixel becomes a 2x2 block: broadcast over two new unit axes, then fold them in
            NDArray y = x.reshape(n, c, h, 1, w, 1).broadcast(new Shape(n, c, h, 2, w, 2)).reshape(n, c, 2 * h, 2 * w);
            return pass.emit(name, y);
        }

        @Override
        ReceptiveField field(ReceptiveField input) {
            // like a transposed convolution: past an upsampling, units have no patch in input pixels
            return ReceptiveField.whole();
        }

        @Override
        public String describe() {
            return "Upsample(scale_factor=2, mode=nearest)";
        }
    }
}
