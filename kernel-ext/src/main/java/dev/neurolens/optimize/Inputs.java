package dev.neurolens.optimize;

import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;

/** Turning pictures into inputs at any size, and checking them. */
public final class Inputs {
    private Inputs() {
    }

    /** Fails with a clear message when {@code t} holds NaN or infinity. */
    public static Tensor checkFinite(Tensor t, String what) {
        for (int i = 0; i < t.size(); i++) {
            float v = t.getFlat(i);
            if (!Float.isFinite(v)) {
                long[] s = t.shape();
                throw new IllegalArgumentException(what + " contains " + v + " at flat index " + i + " (shape "
                        + java.util.Arrays.toString(s) + "); replace NaN/infinite values before optimizing");
            }
        }
        return t;
    }

    /**
     * A picture as a normalized batch of one, the longer side scaled to {@code longSide} (aspect kept, no
     * crop); {@code longSide <= 0} keeps the picture's size.
     */
    public static Tensor image(BufferedImage image, Preprocessing p, int longSide) {
        BufferedImage img = longSide <= 0 ? image : resizeLong(image, longSide);
        return exact(img, p);
    }

    /** A picture as a normalized batch of one, resized to exactly {@code width x height}. */
    public static Tensor image(BufferedImage image, Preprocessing p, int width, int height) {
        BufferedImage img = image.getWidth() == width && image.getHeight() == height ? image
                : Preprocessing.resize(image, width, height);
        return exact(img, p);
    }

    /** The picture scaled so its longer side is {@code longSide} (aspect kept). */
    public static BufferedImage resizeLong(BufferedImage image, int longSide) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (Math.max(w, h) == longSide) {
            return image;
        }
        double s = (double) longSide / Math.max(w, h);
        return Preprocessing.resize(image, Math.max(1, (int) Math.round(w * s)), Math.max(1, (int) Math.round(h * s)));
    }

    private static Tensor exact(BufferedImage img, Preprocessing p) {
        // a preprocessing whose resize and crop are the picture's own size: normalization only
        int w = img.getWidth();
        int h = img.getHeight();
        float[] px = p.pixels(img);
        float[] mean = p.mean();
        float[] std = p.std();
        int c = p.channels();
        int plane = w * h;
        float[] out = new float[c * plane];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < plane; i++) {
                out[k * plane + i] = (px[k * plane + i] - mean[k]) / std[k];
            }
        }
        return Tensor.of(out, 1, c, h, w);
    }

    /** The picture for a normalized {@code [1, C, H, W]} tensor (denormalized, clamped). */
    public static BufferedImage picture(Tensor t, Preprocessing p) {
        return p.toImage(t);
    }
}
