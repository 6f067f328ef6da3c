package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Devices;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.Arrays;

/** Shared input checks and the native map arithmetic of the techniques. */
final class Support {
    private Support() {
    }

    /**
     * A batch the model can take: a single image {@code [C, H, W]} gets a batch axis; a channel count the model
     * does not take is an error saying what to pass; a spatial size a fixed-size model cannot take is resized.
     */
    static Tensor prepare(Model model, Tensor input) {
        input.requireFinite("the input to attribute");
        Tensor x = input.rank() == 3 ? input.reshape(prepend(1, input.shape())) : input;
        int channels = model.info().channels();
        int crop = model.info().crop();
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new IllegalArgumentException(model.info().name() + " takes " + channels + "-channel input [N, "
                    + channels + ", " + crop + ", " + crop + "]; got " + Arrays.toString(input.shape())
                    + ". Pass a BufferedImage to have it converted, resized and normalized.");
        }
        if ((x.dim(2) != crop || x.dim(3) != crop) && !sizeAgnostic(model)) {
            try (NDManager scope = scope(model)) {
                return Tensor.from(resize(x.toNDArray(scope), crop, crop));
            }
        }
        return x;
    }

    /** A native scope for a technique's arithmetic: the network's own, or one on the current device. */
    static NDManager scope(Model model) {
        return model instanceof Network net ? net.newScope() : NDManager.newBaseManager(Devices.current(), "PyTorch");
    }

    /** Networks that end in adaptive pooling take any size; others (fixed linear input) need the crop size. */
    static boolean sizeAgnostic(Model model) {
        if (model instanceof Network net) {
            for (String n : net.layerNames()) {
                if (net.layer(n).kind() == LayerKind.ADAPTIVE_AVG_POOL2D) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    static Network requireNetwork(Model model, String method) {
        if (model instanceof Network net) {
            return net;
        }
        throw new IllegalArgumentException(method + " needs a Network (a model built from an architecture, whose "
                + "layers it can hook); " + model.info().name() + " is a " + model.getClass().getSimpleName()
                + ". Occlusion, gradient, SmoothGrad and integrated gradients work on any model.");
    }

    /**
     * Bilinear resize of the last two axes of {@code [..., H, W]} (align_corners=False, as torch), as two
     * products with interpolation matrices in double precision, so the values are those of the float-free
     * definition rounded once.
     */
    static NDArray resize(NDArray x, int h, int w) {
        Shape s = x.getShape();
        int d = s.dimension();
        int sh = (int) s.get(d - 2);
        int sw = (int) s.get(d - 1);
        if (sh == h && sw == w) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rows = m.create(interpolation(sh, h), new Shape(h, sh));
        NDArray cols = m.create(interpolation(sw, w), new Shape(w, sw)).transpose();
        NDArray r = rows.matMul(x.toType(DataType.FLOAT64, false).matMul(cols));
        return r.toType(DataType.FLOAT32, false);
    }

    /** Row i: the weights of the source samples of output i, {@code [to, from]} (torch's source index rule). */
    private static double[] interpolation(int from, int to) {
        double[] wts = new double[to * from];
        for (int i = 0; i < to; i++) {
            double f = Math.max(0, Math.min(from - 1, (i + 0.5) * from / to - 0.5));
            int i0 = (int) f;
            int i1 = Math.min(i0 + 1, from - 1);
            double frac = f - i0;
            wts[i * from + i0] += 1 - frac;
            wts[i * from + i1] += frac;
        }
        return wts;
    }

    /** Per image, the largest absolute value over channels: {@code [N, C, H, W]} to {@code [N, H, W]}. */
    static NDArray maxAbsOverChannels(NDArray t) {
        return t.abs().max(new int[] {1});
    }

    /** Per image, the sum over channels (signed). */
    static NDArray sumOverChannels(NDArray t) {
        return t.sum(new int[] {1});
    }

    /** Rows {@code from .. from+count} of a batch. */
    static Tensor rows(Tensor x, int from, int count) {
        long[] s = x.shape();
        int per = x.size() / (int) s[0];
        float[] v = x.toFloatArray();
        s[0] = count;
        return Tensor.of(Arrays.copyOfRange(v, from * per, (from + count) * per), s);
    }

    static long[] prepend(long first, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = first;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
