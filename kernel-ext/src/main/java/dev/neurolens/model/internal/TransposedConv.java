package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * torch's {@code conv_transpose2d} built from ordinary convolutions, because DJL's PyTorch engine does not
 * implement deconvolution. The sub-pixel form: output pixels with the same position modulo the stride read
 * the input through the same sparse subset of kernel taps, so each of the {@code stride^2} phases is a small
 * stride-1 convolution with those taps reversed; the phases are then interleaved. No zeros are multiplied,
 * and every op is differentiable, so gradients flow to the input and the weights.
 */
final class TransposedConv {
    private TransposedConv() {
    }

    /**
     * @param x input {@code N x Cin x H x W}
     * @param w weight {@code Cin x Cout x k x k} (torch's ConvTranspose2d layout)
     * @param b bias {@code Cout} or null
     */
    static NDArray apply(NDArray x, NDArray w, NDArray b, int stride, int padding, int outputPadding) {
        // ops on a weight allocate in the weight's (network-long) manager: work on a copy owned by the pass,
        // so the taps die with the caller's scope (the copy is differentiable: gradients reach w)
        NDArray wx = w.duplicate();
        wx.attach(x.getManager());
        w = wx;
        long h = x.getShape().get(2);
        long wd = x.getShape().get(3);
        int k = (int) w.getShape().get(2);
        long outH = (h - 1) * stride - 2L * padding + k + outputPadding;
        long outW = (wd - 1) * stride - 2L * padding + k + outputPadding;
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("transposed convolution of a " + h + "x" + wd + " input with kernel "
                    + k + ", stride " + stride + ", padding " + padding + " has no output");
        }
        if (outH % stride != 0 || outW % stride != 0 || k < stride) {
            throw new UnsupportedOperationException("transposed convolution with output " + outH + "x" + outW
                    + " not a multiple of stride " + stride + " (or kernel < stride) is not supported");
        }
        NDArray[] rows = new NDArray[stride];
        for (int cy = 0; cy < stride; cy++) {
            Phase py = new Phase(cy, k, stride, padding, h, outH);
            NDArray[] cols = new NDArray[stride];
            for (int cx = 0; cx < stride; cx++) {
                Phase px = new Phase(cx, k, stride, padding, wd, outW);
                NDArray kernel = taps(w, py, px).transpose(1, 0, 2, 3);
                NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, kernel, null, new Shape(1, 1),
                        new Shape(py.pad, px.pad), new Shape(1, 1), 1).singletonOrThrow();
                cols[cx] = y.get(":, :, " + py.from + ":" + (py.from + outH / stride) + ", " + px.from + ":"
                        + (px.from + outW / stride));
            }
            NDArray row = stride == 1 ? cols[0] : NDArrays.stack(new NDList(cols), 4);
            rows[cy] = row.reshape(row.getShape().get(0), row.getShape().get(1), outH / stride, outW);
        }
        NDArray out = stride == 1 ? rows[0] : NDArrays.stack(new NDList(rows), 3);
        out = out.reshape(out.getShape().get(0), out.getShape().get(1), outH, outW);
        if (b != null) {
            NDArray bx = b.reshape(1, -1, 1, 1);
            bx.attach(x.getManager());
            out = out.add(bx);
        }
        return out;
    }

    /** The kernel taps one output phase uses, reversed so a correlation applies them. */
    private static NDArray taps(NDArray w, Phase py, Phase px) {
        NDArray[] ys = new NDArray[py.taps.length];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = w.get(":, :, " + py.taps[i] + ", :");
        }
        NDArray rowsSel = ys.length == 1 ? ys[0].expandDims(2) : NDArrays.stack(new NDList(ys), 2);
        NDArray[] xs = new NDArray[px.taps.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = rowsSel.get(":, :, :, " + px.taps[i]);
        }
        return xs.length == 1 ? xs[0].expandDims(3) : NDArrays.stack(new NDList(xs), 3);
    }

    /**
     * One axis of one phase: output positions {@code y = q * stride + c}. With {@code t = y + padding}, the
     * taps are {@code ky = t mod stride + j * stride} reading input {@code t / stride - j}.
     */
    private static final class Phase {
        final int[] taps;
        final int pad;
        final long from;

        Phase(int c, int k, int stride, int padding, long in, long out) {
            int r = Math.floorMod(c + padding, stride);
            int count = (k - r + stride - 1) / stride;
            taps = new int[count];
            for (int m = 0; m < count; m++) {
                taps[m] = r + (count - 1 - m) * stride;
            }
            long qMin = -Math.floorDiv(r - padding, stride);
            long qMax = qMin + out / stride - 1;
            pad = (int) Math.max(Math.max(count - 1, qMax - in + 1), 0);
            from = qMin + pad - (count - 1);
        }
    }
}
