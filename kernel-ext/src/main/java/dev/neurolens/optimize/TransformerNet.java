package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.neurolens.model.NDArrayOps;

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
    /** pytorch/examples' width: channels of the first convolution (then 2x and 4x). */
    static final int WIDTH = 32;
    static final int RESIDUAL_BLOCKS = 5;
    /** The last convolution, whose weights alone set how far the output moves in [0, 255] pixels. */
    static final String OUTPUT = "deconv3";
    /** Slope below zero of the leaky ReLUs of networks trained here. */
    static final float LEAK = 0.2f;

    /** name, in channels, out channels, kernel, stride, upsample. */
    record ConvSpec(String name, int in, int out, int kernel, int stride, int upsample) {
    }

    static final String[] HEAD_NORMS = {"in1", "in2", "in3"};
    static final String[] TAIL_NORMS = {"in4", "in5"};

    private TransformerNet() {
    }

    static ConvSpec[] head(int w) {
        return new ConvSpec[] {new ConvSpec("conv1", 3, w, 9, 1, 1), new ConvSpec("conv2", w, 2 * w, 3, 2, 1),
            new ConvSpec("conv3", 2 * w, 4 * w, 3, 2, 1)};
    }

    static ConvSpec[] residual(int w, int r) {
        return new ConvSpec[] {new ConvSpec("res" + r + ".conv1", 4 * w, 4 * w, 3, 1, 1),
            new ConvSpec("res" + r + ".conv2", 4 * w, 4 * w, 3, 1, 1)};
    }

    static ConvSpec[] tail(int w) {
        return new ConvSpec[] {new ConvSpec("deconv1", 4 * w, 2 * w, 3, 1, 2), new ConvSpec("deconv2", 2 * w, w, 3, 1, 2)};
    }

    static ConvSpec last(int w) {
        return new ConvSpec(OUTPUT, w, 3, 9, 1, 1);
    }

    /** Parameter shapes for {@code styles} styles at pytorch/examples' width. */
    static Map<String, long[]> shapes(int styles) {
        return shapes(styles, WIDTH);
    }

    /**
     * Parameter shapes for {@code styles} styles and {@code width} first-layer channels (instance norms are
     * [S, C]; plain [C] when S = 1).
     */
    static Map<String, long[]> shapes(int styles, int width) {
        Map<String, long[]> m = new LinkedHashMap<>();
        ConvSpec[] head = head(width);
        for (int i = 0; i < head.length; i++) {
            conv(m, head[i]);
            norm(m, HEAD_NORMS[i], head[i].out(), styles);
        }
        for (int r = 1; r <= RESIDUAL_BLOCKS; r++) {
            ConvSpec[] res = residual(width, r);
            conv(m, res[0]);
            norm(m, "res" + r + ".in1", res[0].out(), styles);
            conv(m, res[1]);
            norm(m, "res" + r + ".in2", res[1].out(), styles);
        }
        ConvSpec[] tail = tail(width);
        for (int i = 0; i < tail.length; i++) {
            conv(m, tail[i]);
            norm(m, TAIL_NORMS[i], tail[i].out(), styles);
        }
        conv(m, last(width));
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
        return init(styles, WIDTH, seed);
    }

    static Map<String, float[]> init(int styles, int width, long seed) {
        Random r = new Random(seed);
        Map<String, long[]> shapes = shapes(styles, width);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : shapes.entrySet()) {
            long[] s = e.getValue();
            int n = 1;
            for (long d : s) {
                n *= (int) d;
            }
            float[] v = new float[n];
            String k = e.getKey();
            if (k.contains(".conv2d.")) {
                long[] ws = shapes.get(k.replace(".bias", ".weight"));
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
     * 1); with {@code residual} the network's output is added to {@code x}. New arrays belong to x's manager.
     * Without {@code inference} every intermediate is kept (what autograd needs when training); with it each is
     * closed as soon as the next one exists, as python frees them, so memory stays at two or three feature maps
     * instead of all of them (at 512 px that is the difference between reusing warm memory and faulting in about a
     * gigabyte per pass).
     *
     * <p>{@code leaky}: leaky ReLUs (slope {@value #LEAK} below zero) instead of ReLUs. With conditional instance
     * norm a style's shifts can push every channel of a layer below zero; with ReLUs no gradient then reaches them
     * and that style stays the photo for good (seen here within the first thousand steps).
     */
    static NDArray forward(Map<String, NDArray> p, NDArray x, NDArray blend, boolean inference, boolean residual,
                           boolean leaky) {
        int w = (int) p.get("conv1.conv2d.weight").getShape().get(0);
        Step step = new Step(p, blend, inference, leaky);
        NDArray y = x;
        ConvSpec[] head = head(w);
        for (int i = 0; i < head.length; i++) {
            y = step.convNormRelu(head[i], HEAD_NORMS[i], y, y != x, true);
        }
        for (int r = 1; r <= RESIDUAL_BLOCKS; r++) {
            ConvSpec[] res = residual(w, r);
            NDArray h = step.convNormRelu(res[0], "res" + r + ".in1", y, false, true);
            h = step.convNormRelu(res[1], "res" + r + ".in2", h, true, false);
            NDArray sum = h.add(y);
            step.drop(h, true);
            step.drop(y, true);
            y = sum;
        }
        ConvSpec[] tail = tail(w);
        for (int i = 0; i < tail.length; i++) {
            y = step.convNormRelu(tail[i], TAIL_NORMS[i], y, true, true);
        }
        NDArray out = conv(p, last(w), y);
        step.drop(y, true);
        if (!residual) {
            return out;
        }
        NDArray sum = out.add(x);
        step.drop(out, true);
        return sum;
    }

    /** One layer at a time, closing what is no longer needed when inferring. */
    private record Step(Map<String, NDArray> p, NDArray blend, boolean inference, boolean leaky) {
        NDArray convNormRelu(ConvSpec c, String norm, NDArray in, boolean dropIn, boolean relu) {
            NDArray a = conv(p, c, in);
            drop(in, dropIn);
            NDArray b = norm(p, norm, a, blend);
            drop(a, true);
            if (!relu) {
                return b;
            }
            NDArray r = leaky ? Activation.leakyRelu(b, LEAK) : Activation.relu(b);
            drop(b, true);
            return r;
        }

        void drop(NDArray a, boolean wanted) {
            if (inference && wanted) {
                a.close();
            }
        }
    }

    private static NDArray conv(Map<String, NDArray> p, ConvSpec c, NDArray x) {
        NDArray in = c.upsample() > 1 ? upsamplePad(x, c.upsample(), c.kernel() / 2) : reflectionPad(x, c.kernel() / 2);
        NDList out = ai.djl.nn.convolutional.Conv2d.conv2d(in, p.get(c.name() + ".conv2d.weight"),
                p.get(c.name() + ".conv2d.bias"), new Shape(c.stride(), c.stride()), new Shape(0, 0), new Shape(1, 1), 1);
        if (in != x) {
            in.close(); // the convolution's input stays alive in autograd's graph when training, not via this handle
        }
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
        NDArray y = NDArrayOps.batchNormTraining(folded, runMean, runVar, g, b, 0.1, 1e-5);
        NDArray out = y.reshape(s);
        // views and temporaries: closing their handles frees nothing autograd needs, and lets the caller free the
        // storage by closing the result alone
        for (NDArray a : new NDArray[] {folded, runMean, runVar, y}) {
            a.close();
        }
        closeIfNew(g, gamma);
        closeIfNew(b, beta);
        closeIfNew(gamma, p.get(name + ".weight"));
        closeIfNew(beta, p.get(name + ".bias"));
        return out;
    }

    private static void closeIfNew(NDArray a, NDArray from) {
        if (a != from) {
            a.close();
        }
    }

    /** A [C] parameter as is; a [S, C] one blended by the style weights. */
    private static NDArray affine(NDArray param, NDArray blend) {
        if (param.getShape().dimension() == 1) {
            return param;
        }
        long s = param.getShape().get(0);
        return blend.reshape(s, 1).mul(param).sum(new int[] {0});
    }

    /** Reflection padding of the last two axes (torch.nn.ReflectionPad2d): one gather per axis. */
    static NDArray reflectionPad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        return upsamplePad(x, 1, pad);
    }

    /**
     * Nearest-neighbour upsampling by {@code factor} followed by reflection padding, as one gather per axis: output
     * row i reads input row reflect(i - pad) / factor (what interpolate-then-pad computes, without the upsampled
     * intermediate).
     */
    static NDArray upsamplePad(NDArray x, int factor, int pad) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (pad >= h * factor || pad >= w * factor) {
            throw new IllegalArgumentException("image " + w + "x" + h + " is too small for reflection padding " + pad);
        }
        NDManager m = x.getManager();
        NDArray rows = m.create(sourceIndex(h, factor, pad));
        NDArray cols = m.create(sourceIndex(w, factor, pad));
        // the index arrays stay open until x's scope closes: DJL's arrays may wrap Java-owned memory, and the
        // autograd graph reads the indices again in the backward pass (closing them early gave garbage indices)
        return x.get(new NDIndex(":, :, {}", rows)).get(new NDIndex(":, :, :, {}", cols));
    }

    private static long[] sourceIndex(long n, int factor, int pad) {
        long up = n * factor;
        long[] idx = new long[(int) (up + 2L * pad)];
        for (int i = 0; i < idx.length; i++) {
            long j = i - pad;
            if (j < 0) {
                j = -j;
            } else if (j >= up) {
                j = 2 * (up - 1) - j;
            }
            idx[i] = j / factor;
        }
        return idx;
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
