package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.neurolens.model.NDArrayOps;

import java.util.List;
import java.util.Random;

/**
 * A random, differentiable change applied to the image before the network sees it in each step (Lucid's
 * transformation robustness): the picture must keep working when shifted or rescaled, which removes
 * high-frequency noise that only fools one exact alignment.
 */
@FunctionalInterface
public interface Transform {

    NDArray apply(NDArray image, Random random);

    /** Shifts the image by up to {@code pixels} in x and y, wrapping around (a roll, as in CS231n's jitter). */
    static Transform jitter(int pixels) {
        if (pixels < 0) {
            throw new IllegalArgumentException("jitter must be >= 0 pixels, got " + pixels);
        }
        return (image, random) -> {
            if (pixels == 0) {
                return image;
            }
            int dy = random.nextInt(2 * pixels + 1) - pixels;
            int dx = random.nextInt(2 * pixels + 1) - pixels;
            return roll(roll(image, dy, 2), dx, 3);
        };
    }

    /** Rescales by a factor drawn from {@code factors} (bilinear, differentiable). */
    static Transform scale(double... factors) {
        double[] f = factors.clone();
        return (image, random) -> {
            double s = f[random.nextInt(f.length)];
            if (s == 1) {
                return image;
            }
            long h = image.getShape().get(2);
            long w = image.getShape().get(3);
            return resize(image, Math.max(1, Math.round(h * s)), Math.max(1, Math.round(w * s)));
        };
    }

    /**
     * A random rotation by up to {@code degrees}, scaling by a factor in {@code [minScale, maxScale]} and shift by up
     * to {@code pixels}, about the centre, keeping the size (Lucid's random rotate, scale and jitter in one bilinear
     * resampling, so it suits networks with a fixed input size). What the image leaves uncovered repeats its border.
     */
    static Transform affine(double degrees, double minScale, double maxScale, int pixels) {
        if (degrees < 0 || pixels < 0 || !(minScale > 0) || maxScale < minScale) {
            throw new IllegalArgumentException("affine jitter needs degrees >= 0, pixels >= 0 and 0 < minScale <= "
                    + "maxScale; got " + degrees + ", " + pixels + ", " + minScale + ", " + maxScale);
        }
        return (image, random) -> {
            double angle = Math.toRadians((2 * random.nextDouble() - 1) * degrees);
            double scale = minScale + random.nextDouble() * (maxScale - minScale);
            int dy = pixels == 0 ? 0 : random.nextInt(2 * pixels + 1) - pixels;
            int dx = pixels == 0 ? 0 : random.nextInt(2 * pixels + 1) - pixels;
            return warp(image, angle, scale, dy, dx);
        };
    }

    /**
     * Bilinear resampling of a [N, C, H, W] array: output pixel (y, x) reads the input at the point that rotating by
     * {@code angle} (radians) and scaling by {@code scale} about the centre, then shifting by (dy, dx), brings to it;
     * coordinates beyond the border are clamped to it. Differentiable (four gathers).
     */
    static NDArray warp(NDArray x, double angle, double scale, int dy, int dx) {
        long[] s = x.getShape().getShape();
        int h = (int) s[2];
        int w = (int) s[3];
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        double cos = Math.cos(angle) / scale;
        double sin = Math.sin(angle) / scale;
        long[][] index = new long[4][h * w];
        float[][] weight = new float[4][h * w];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                double oy = y - cy - dy;
                double ox = xx - cx - dx;
                double sy = Math.max(0, Math.min(h - 1, cos * oy - sin * ox + cy));
                double sx = Math.max(0, Math.min(w - 1, sin * oy + cos * ox + cx));
                int y0 = (int) Math.floor(sy);
                int x0 = (int) Math.floor(sx);
                int y1 = Math.min(h - 1, y0 + 1);
                int x1 = Math.min(w - 1, x0 + 1);
                double fy = sy - y0;
                double fx = sx - x0;
                int o = y * w + xx;
                index[0][o] = (long) y0 * w + x0;
                index[1][o] = (long) y0 * w + x1;
                index[2][o] = (long) y1 * w + x0;
                index[3][o] = (long) y1 * w + x1;
                weight[0][o] = (float) ((1 - fy) * (1 - fx));
                weight[1][o] = (float) ((1 - fy) * fx);
                weight[2][o] = (float) (fy * (1 - fx));
                weight[3][o] = (float) (fy * fx);
            }
        }
        NDManager m = x.getManager();
        NDArray flat = x.reshape(s[0], s[1], (long) h * w);
        NDArray out = null;
        for (int k = 0; k < 4; k++) {
            // the index arrays stay open with x's scope: autograd reads them again in the backward pass
            NDArray part = flat.get(new NDIndex(":, :, {}", m.create(index[k]))).mul(m.create(weight[k]));
            out = out == null ? part : out.add(part);
        }
        return out.reshape(s);
    }

    /** Applies the transforms in order. */
    static Transform compose(List<Transform> transforms) {
        List<Transform> t = List.copyOf(transforms);
        return (image, random) -> {
            NDArray x = image;
            for (Transform tr : t) {
                x = tr.apply(x, random);
            }
            return x;
        };
    }

    /** Cyclic shift along an axis of a [N, C, H, W] array. */
    static NDArray roll(NDArray x, int shift, int axis) {
        long n = x.getShape().get(axis);
        int s = (int) Math.floorMod(shift, n);
        if (s == 0) {
            return x;
        }
        String head = axis == 2 ? ":, :, {}:, :" : ":, :, :, {}:";
        String tail = axis == 2 ? ":, :, :{}, :" : ":, :, :, :{}";
        return x.get(new NDIndex(head, n - s)).concat(x.get(new NDIndex(tail, n - s)), axis);
    }

    /** Bilinear resize of a [N, C, H, W] array (align_corners = false, as torch's interpolate), differentiable. */
    static NDArray resize(NDArray x, long height, long width) {
        return NDArrayOps.resizeBilinear(x, height, width);
    }
}
