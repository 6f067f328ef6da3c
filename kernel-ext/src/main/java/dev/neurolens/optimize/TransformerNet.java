package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The feed-forward style network of Johnson et al. (2016) as in pytorch/examples' fast_neural_style
 * (same parameter names, so its .pth files load): reflection-padded convolutions, instance norm, five
 * residual blocks, nearest-neighbour upsampling. Pixels in and out are in [0, 255].
 *
 * <p>Conditional instance norm (Dumoulin et al. 2017): each instance norm holds one scale and shift per style,
 * {@code [S, C]}; a blend of styles uses the blend of their scales and shifts.
 */
final class TransformerNet {
    /** name, in channels, out channels, kernel, stride, upsample. */
    record ConvSpec(String name, int in, int out, int kernel, int stride, int upsample) {
    }

    static final ConvSpec[] HEAD = {new ConvSpec("conv1", 3, 32, 9, 1, 1), new ConvSpec("conv2", 32, 64, 3, 2, 1),
        new ConvSpec("conv3", 64, 128, 3, 2, 1)};
    static final ConvSpec[] TAIL = {new ConvSpec("deconv1", 128, 64, 3, 1, 2), new ConvSpec("deconv2", 64, 32, 3, 1, 2)};
    static final ConvSpec LAST = new ConvSpec("deconv3", 32, 3, 9, 1, 1);
    static final String[] HEAD_NORMS = {"in1", "in2", "in3"};
    static final String[] TAIL_NORMS = {"in4", "in5"};

    private TransformerNet() {
    }

    /** Parameter shapes for {@code styles} styles (instance norms are [S, C]; plain [C] when S = 1). */
    static Map<String, long[]> shapes(int styles) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < HEAD.length; i++) {
            conv(m, HEAD[i]);
            norm(m, HEAD_NORMS[i], HEAD[i].out(), styles);
        }
        for (int r = 1; r <= 5; r++) {
            conv(m, new ConvSpec("res" + r + ".conv1", 128, 128, 3, 1, 1));
            norm(m, "res" + r + ".in1", 128, styles);
            conv(m, new ConvSpec("res" + r + ".conv2", 128, 128, 3, 1, 1));
            norm(m, "res" + r + ".in2", 128, styles);
        }
        for (int i = 0; i < TAIL.length; i++) {
            conv(m, TAIL[i]);
            norm(m, TAIL_NORMS[i], TAIL[i].out(), styles);
        }
        conv(m, LAST);
        return m;
    }

    private static void conv(Map<String, long[]> m, ConvSpec c) {
        m.put(c.name() + ".conv2d.weight", new long[] {c.out(), c.in(), c.kernel(), c.kernel()});
        m.put(c.name() + ".conv2d.bias", new long[] {c.out()});
    }

    private static void norm(Map<String, long[]> m, String name, int c, int styles) {
        long[] s = styles == 1 ? new long[] {c} : new long[] {styles, c};
        m.put(name + ".weight", s);
        m.put(name + ".bias", s);
    }

    /** torch's default init: conv weights and biases uniform in ±1/sqrt(fan_in); norms scale 1, shift 0. */
    static Map<String, float[]> init(int styles, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : shapes(styles).entrySet()) {
            long[] s = e.getValue();
            int n = 1;
            for (long d : s) {
                n *= (int) d;
            }
            float[] v = new float[n];
            String k = e.getKey();
            if (k.contains(".conv2d.")) {
                String w = k.replace(".bias", ".weight");
                long[] ws = shapes(styles).get(w);
                double bound = 1 / Math.sqrt(ws[1] * ws[2] * ws[3]);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                }
            } else if (k.endsWith(".weight")) {
                java.util.Arrays.fill(v, 1f);
            }
            out.put(k, v);
        }
        return out;
    }

    /**
     * Stylizes {@code x} ([N, 3, H, W], pixels in [0, 255]); {@code blend} holds one weight per style (summing to
     * 1). New arrays belong to x's manager.
     */
    static NDArray forward(Map<String, NDArray> p, NDArray x, NDArray blend) {
        NDArray y = x;
        for (int i = 0; i < HEAD.length; i++) {
            y = Activation.relu(norm(p, HEAD_NORMS[i], conv(p, HEAD[i], y), blend));
        }
        for (int r = 1; r <= 5; r++) {
            String b = "res" + r;
            NDArray h = Activation.relu(norm(p, b + ".in1", conv(p, new ConvSpec(b + ".conv1", 128, 128, 3, 1, 1), y),
                    blend));
            h = norm(p, b + ".in2", conv(p, new ConvSpec(b + ".conv2", 128, 128, 3, 1, 1), h), blend);
            y = h.add(y);
        }
        for (int i = 0; i < TAIL.length; i++) {
            y = Activation.relu(norm(p, TAIL_NORMS[i], conv(p, TAIL[i], y), blend));
        }
        return conv(p, LAST, y);
    }

    private static NDArray conv(Map<String, NDArray> p, ConvSpec c, NDArray x) {
        NDArray in = x;
        if (c.upsample() > 1) {
            long h = x.getShape().get(2) * c.upsample();
            long w = x.getShape().get(3) * c.upsample();
            in = JniUtils.interpolate((PtNDArray) x, new long[] {h, w}, 0, false); // nearest
        }
        in = reflectionPad(in, c.kernel() / 2);
        NDList out = ai.djl.nn.convolutional.Conv2d.conv2d(in, p.get(c.name() + ".conv2d.weight"),
                p.get(c.name() + ".conv2d.bias"), new Shape(c.stride(), c.stride()), new Shape(0, 0), new Shape(1, 1), 1);
        return out.singletonOrThrow();
    }

    /**
     * Instance norm (eps 1e-5, biased variance, as torch.nn.InstanceNorm2d) with blended per-style affine:
     * torch's own route, batch norm in training mode over the batch folded into the channels.
     */
    static NDArray norm(Map<String, NDArray> p, String name, NDArray x, NDArray blend) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        NDArray gamma = affine(p.get(name + ".weight"), blend);
        NDArray beta = affine(p.get(name + ".bias"), blend);
        NDManager m = x.getManager();
        NDArray folded = x.reshape(1, n * c, s.get(2), s.get(3));
        NDArray g = n == 1 ? gamma : gamma.tile(n);
        NDArray b = n == 1 ? beta : beta.tile(n);
        // running statistics are required by the kernel but unused in training mode (updated, then dropped)
        NDArray runMean = m.zeros(new Shape(n * c));
        NDArray runVar = m.ones(new Shape(n * c));
        NDArray y = JniUtils.batchNorm((PtNDArray) folded, (PtNDArray) runMean, (PtNDArray) runVar, (PtNDArray) g,
                (PtNDArray) b, true, 0.1, 1e-5);
        return y.reshape(s);
    }

    /** A [C] parameter as is; a [S, C] one blended by the style weights. */
    private static NDArray affine(NDArray param, NDArray blend) {
        if (param.getShape().dimension() == 1) {
            return param;
        }
        long s = param.getShape().get(0);
        return blend.reshape(s, 1).mul(param).sum(new int[] {0});
    }

    /** Reflection padding of the last two axes (torch.nn.ReflectionPad2d). */
    static NDArray reflectionPad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (pad >= h || pad >= w) {
            throw new IllegalArgumentException("image " + w + "x" + h + " is too small for reflection padding " + pad);
        }
        NDArray top = x.get(new NDIndex(":, :, 1:{}, :", pad + 1)).flip(2);
        NDArray bottom = x.get(new NDIndex(":, :, {}:{}, :", h - pad - 1, h - 1)).flip(2);
        NDArray v = top.concat(x, 2).concat(bottom, 2);
        NDArray left = v.get(new NDIndex(":, :, :, 1:{}", pad + 1)).flip(3);
        NDArray right = v.get(new NDIndex(":, :, :, {}:{}", w - pad - 1, w - 1)).flip(3);
        return left.concat(v, 3).concat(right, 3);
    }

    /** One-hot or blended style weights as a native [S] array. */
    static NDArray blend(NDManager m, double[] weights) {
        float[] w = new float[weights.length];
        double sum = 0;
        for (double d : weights) {
            if (d < 0) {
                throw new IllegalArgumentException("style blend weights must be >= 0, got " + d);
            }
            sum += d;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("style blend weights sum to 0");
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (weights[i] / sum);
        }
        return m.create(w);
    }
}
