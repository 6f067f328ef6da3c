package dev.neurolens.model;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * torchvision-style input pipeline: resize the shorter side to {@code resize} (antialiased bilinear, like
 * PIL), center-crop to {@code crop}, scale to [0, 1], normalize with the model's mean and std. The inverse
 * turns an input-space tensor back into a picture for display. Immutable.
 */
public record Preprocessing(int channels, int resize, int crop, float[] mean, float[] std) {

    public Preprocessing {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need " + channels + " values");
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The same normalization at another size (e.g. 64 px inputs for quick experiments). */
    public Preprocessing withSize(int newResize, int newCrop) {
        return new Preprocessing(channels, newResize, newCrop, mean, std);
    }

    /** One picture as a batch of one, {@code [1, C, crop, crop]}. */
    public Tensor toTensor(BufferedImage image) {
        return toTensor(List.of(image));
    }

    public Tensor toTensor(List<BufferedImage> images) {
        for (int b = 0; b < images.size(); b++) {
            if (images.get(b) == null) {
                throw new IllegalArgumentException("picture " + b + " is null: ImageIO.read returns null for a file it"
                        + " cannot decode. Read pictures with dev.neurolens.data.Pictures.read(path), which says why");
            }
        }
        int plane = crop * crop;
        float[] out = new float[images.size() * channels * plane];
        for (int b = 0; b < images.size(); b++) {
            float[] px = pixels(centerCrop(resizeShorter(images.get(b), resize), crop));
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    out[(b * channels + c) * plane + i] = (px[c * plane + i] - mean[c]) / std[c];
                }
            }
        }
        return Tensor.wrap(out, images.size(), channels, crop, crop);
    }

    /** Undoes the normalization of {@code [C, H, W]} or {@code [1, C, H, W]} and clamps to a displayable picture. */
    public BufferedImage toImage(Tensor input) {
        Tensor t = input.rank() == 4 ? input.slice(0) : input;
        if (t.rank() != 3 || t.dim(0) != channels) {
            throw new IllegalArgumentException("expected [" + channels + ", H, W], got " + t);
        }
        int h = (int) t.dim(1);
        int w = (int) t.dim(2);
        BufferedImage img = new BufferedImage(w, h, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        float[] v = t.toFloatArray();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int c = 0; c < channels; c++) {
                    float f = v[(c * h + y) * w + x] * std[c] + mean[c];
                    rgb[c] = Math.round(Math.max(0f, Math.min(1f, f)) * 255f);
                }
                if (channels == 1) {
                    img.getRaster().setSample(x, y, 0, rgb[0]);
                } else {
                    img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
                }
            }
        }
        return img;
    }

    /** Pixel values in [0, 1], channel-major {@code [C, H, W]} (gray = ITU-R 601 luma, as PIL's "L"). */
    public float[] pixels(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[channels * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float g = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                int i = y * w + x;
                if (channels == 1) {
                    out[i] = image.getType() == BufferedImage.TYPE_BYTE_GRAY
                            ? image.getRaster().getSample(x, y, 0) / 255f
                            : 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[i] = r;
                    out[w * h + i] = g;
                    out[2 * w * h + i] = b;
                }
            }
        }
        return out;
    }

    /** Scales so the shorter side is {@code size}, keeping the aspect ratio. */
    public static BufferedImage resizeShorter(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (Math.min(w, h) == size) {
            return image;
        }
        int nw = w <= h ? size : (int) Math.round((double) w * size / h);
        int nh = h < w ? size : (int) Math.round((double) h * size / w);
        return resize(image, nw, nh);
    }

    public static BufferedImage centerCrop(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < size || h < size) {
            throw new IllegalArgumentException("image " + w + "x" + h + " is smaller than the crop " + size);
        }
        if (w == size && h == size) {
            return image;
        }
        int x = (int) Math.round((w - size) / 2.0);
        int y = (int) Math.round((h - size) / 2.0);
        return image.getSubimage(x, y, size, size); // a view of the same pixels and type (gray stays gray)
    }

    /**
     * Bilinear resampling whose triangle filter widens when shrinking (PIL's antialiased bilinear), so
     * downscaled photos do not alias.
     */
    public static BufferedImage resize(BufferedImage image, int width, int height) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] rgb = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                rgb[0][y * w + x] = (p >> 16) & 0xff;
                rgb[1][y * w + x] = (p >> 8) & 0xff;
                rgb[2][y * w + x] = p & 0xff;
            }
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        float[][] res = new float[3][];
        for (int c = 0; c < 3; c++) {
            float[] horiz = resample(rgb[c], w, h, width, true);
            res[c] = resample(horiz, width, h, height, false);
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int r = clamp(res[0][i]);
                int g = clamp(res[1][i]);
                int b = clamp(res[2][i]);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Resamples along x (horizontal) or y of a {@code w x h} plane to {@code n} samples. */
    private static float[] resample(float[] src, int w, int h, int n, boolean horizontal) {
        int len = horizontal ? w : h;
        int other = horizontal ? h : w;
        double scale = (double) len / n;
        double support = Math.max(1.0, scale);
        float[] out = new float[horizontal ? n * h : w * n];
        for (int i = 0; i < n; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support));
            int hi = Math.min(len, (int) Math.ceil(center + support));
            double[] weights = new double[hi - lo];
            double total = 0;
            for (int j = lo; j < hi; j++) {
                double d = Math.abs((j + 0.5 - center) / support);
                double wgt = Math.max(0, 1 - d);
                weights[j - lo] = wgt;
                total += wgt;
            }
            for (int o = 0; o < other; o++) {
                double acc = 0;
                for (int j = lo; j < hi; j++) {
                    acc += weights[j - lo] * (horizontal ? src[o * w + j] : src[j * w + o]);
                }
                float v = (float) (total == 0 ? 0 : acc / total);
                if (horizontal) {
                    out[o * n + i] = v;
                } else {
                    out[i * w + o] = v;
                }
            }
        }
        return out;
    }
}
