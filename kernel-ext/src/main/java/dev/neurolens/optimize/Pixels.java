package dev.neurolens.optimize;

import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;

/** RGB pictures as [1, 3, H, W] tensors of 0–255 values (the fast-style network's convention) and back. */
final class Pixels {
    private Pixels() {
    }

    static Tensor toTensor255(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] v = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                v[i] = (rgb >> 16) & 0xff;
                v[w * h + i] = (rgb >> 8) & 0xff;
                v[2 * w * h + i] = rgb & 0xff;
            }
        }
        return Tensor.of(v, 1, 3, h, w);
    }

    static BufferedImage toImage255(Tensor t) {
        Tensor s = t.rank() == 4 ? t.slice(0) : t;
        int h = (int) s.dim(1);
        int w = (int) s.dim(2);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = clamp(s.getFlat(i));
                int g = clamp(s.getFlat(w * h + i));
                int b = clamp(s.getFlat(2 * w * h + i));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Extends the picture by repeating its right and bottom edges. */
    static BufferedImage padEdges(BufferedImage img, int right, int bottom) {
        if (right == 0 && bottom == 0) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w + right, h + bottom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h + bottom; y++) {
            for (int x = 0; x < w + right; x++) {
                out.setRGB(x, y, img.getRGB(Math.min(x, w - 1), Math.min(y, h - 1)));
            }
        }
        return out;
    }
}
