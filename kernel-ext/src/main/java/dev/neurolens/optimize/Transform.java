package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
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
