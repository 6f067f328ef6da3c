package dev.neurolens.attribution;

import dev.neurolens.display.Images;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.Arrays;

/** Shared input checks and heap-side map arithmetic for the techniques. */
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
            return resize(x, crop, crop);
        }
        return x;
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

    /** Bilinear resize of every plane of {@code [N, C, H, W]} (align_corners=False, as torch). */
    static Tensor resize(Tensor x, int h, int w) {
        int n = (int) x.dim(0);
        int c = (int) x.dim(1);
        int sh = (int) x.dim(2);
        int sw = (int) x.dim(3);
        float[] v = x.toFloatArray();
        float[] out = new float[n * c * h * w];
        for (int p = 0; p < n * c; p++) {
            float[][] plane = new float[sh][sw];
            for (int yy = 0; yy < sh; yy++) {
                System.arraycopy(v, (p * sh + yy) * sw, plane[yy], 0, sw);
            }
            float[][] r = Images.resizeBilinear(plane, h, w);
            for (int yy = 0; yy < h; yy++) {
                System.arraycopy(r[yy], 0, out, (p * h + yy) * w, w);
            }
        }
        return Tensor.of(out, n, c, h, w);
    }

    /** Per image, the largest absolute value over channels: {@code [N, C, H, W]} to {@code [N][H][W]}. */
    static float[][][] maxAbsOverChannels(Tensor t) {
        return overChannels(t, (acc, v) -> Math.max(acc, Math.abs(v)));
    }

    /** Per image, the sum over channels (signed). */
    static float[][][] sumOverChannels(Tensor t) {
        return overChannels(t, (acc, v) -> acc + v);
    }

    private interface FloatFold {
        float apply(float acc, float value);
    }

    /** Folds the channels of each pixel, starting from 0. */
    private static float[][][] overChannels(Tensor t, FloatFold fold) {
        int n = (int) t.dim(0);
        int c = (int) t.dim(1);
        int h = (int) t.dim(2);
        int w = (int) t.dim(3);
        float[] v = t.toFloatArray();
        float[][][] out = new float[n][h][w];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * h * w;
                for (int yy = 0; yy < h; yy++) {
                    float[] row = out[i][yy];
                    for (int xx = 0; xx < w; xx++) {
                        row[xx] = fold.apply(row[xx], v[base + yy * w + xx]);
                    }
                }
            }
        }
        return out;
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

    static float[][][] upsample(float[][][] maps, int h, int w) {
        float[][][] out = new float[maps.length][][];
        for (int i = 0; i < maps.length; i++) {
            out[i] = maps[i].length == h && maps[i][0].length == w ? maps[i] : Images.resizeBilinear(maps[i], h, w);
        }
        return out;
    }
}
