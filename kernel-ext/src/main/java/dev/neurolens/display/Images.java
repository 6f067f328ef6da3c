package dev.neurolens.display;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

/**
 * Conversions from the shapes pictures come in (DJL arrays, float arrays, AWT images) to {@link BufferedImage},
 * and from there to PNG bytes.
 *
 * <p>Array layout is read from the shape: {@code HxW} is grayscale; a 3-D shape is {@code CxHxW} when its first
 * dimension is 1 or 3 and its last is not a channel count, otherwise {@code HxWxC} with C in {1, 3, 4}.
 * A leading batch dimension of 1 is dropped.
 */
public final class Images {
    /** How array values become 0..255 pixel levels. */
    public enum PixelRange {
        /** uint8 as is; floats in [0,1] as UNIT, in [0,255] as BYTE, anything else MIN_MAX. */
        AUTO,
        /** [0,1] to 0..255, clamped. */
        UNIT,
        /** [0,255] as is, clamped. */
        BYTE,
        /** The array's own minimum to black, maximum to white (one range for all channels, so hues survive). */
        MIN_MAX
    }

    /** Where an array's pixels are: image height, width, channels and whether channels come first. */
    record Layout(int height, int width, int channels, boolean channelsFirst) {
    }

    static {
        // The disk cache only slows in-memory encoding down.
        ImageIO.setUseCache(false);
    }

    private Images() {
    }

    public static byte[] toPng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, image.getWidth() * image.getHeight()));
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Any supported picture as a BufferedImage: BufferedImage, {@link ImageView}, DJL {@code NDArray} or
     * {@code Image}, {@code float[][]} (grayscale HxW).
     */
    public static BufferedImage toImage(Object source) {
        if (source instanceof BufferedImage b) {
            return b;
        }
        if (source instanceof ImageView v) {
            return v.image();
        }
        if (source instanceof NDArray a) {
            return fromNDArray(a);
        }
        if (source instanceof float[][] m) {
            return fromFloats(m);
        }
        if (source instanceof ai.djl.modality.cv.Image img && img.getWrappedImage() instanceof BufferedImage b) {
            return b;
        }
        throw new IllegalArgumentException("can't show " + (source == null ? "null" : source.getClass().getName())
                + " as an image; pass a BufferedImage, NDArray, float[][] or ImageView");
    }

    public static BufferedImage fromNDArray(NDArray array) {
        return fromNDArray(array, PixelRange.AUTO);
    }

    public static BufferedImage fromNDArray(NDArray array, PixelRange range) {
        long[] shape = array.getShape().getShape();
        Layout layout = layout(shape);
        if (array.getDataType() == DataType.UINT8) {
            int[] u8 = array.toUint8Array();
            float[] v = new float[u8.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = u8[i];
            }
            return fromValues(v, layout, range == PixelRange.AUTO ? PixelRange.BYTE : range);
        }
        if (array.getDataType() == DataType.FLOAT32) {
            return fromValues(array.toFloatArray(), layout, range);
        }
        if (!array.getDataType().isFloating() && !array.getDataType().isInteger()) {
            throw new IllegalArgumentException("can't show an array of " + array.getDataType() + " as an image");
        }
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return fromValues(f.toFloatArray(), layout, range);
        }
    }

    /** A grayscale image from rows of values ({@code map[y][x]}). */
    public static BufferedImage fromFloats(float[][] map) {
        return fromFloats(map, PixelRange.AUTO);
    }

    public static BufferedImage fromFloats(float[][] map, PixelRange range) {
        int h = map.length;
        int w = h == 0 ? 0 : map[0].length;
        float[] flat = new float[h * w];
        for (int y = 0; y < h; y++) {
            if (map[y].length != w) {
                throw new IllegalArgumentException("ragged rows: row 0 has " + w + " values, row " + y + " has "
                        + map[y].length);
            }
            System.arraycopy(map[y], 0, flat, y * w, w);
        }
        return fromValues(flat, layout(new long[] {h, w}), range);
    }

    /** An image from row-major values with the given shape (HxW, HxWxC, CxHxW). */
    public static BufferedImage fromFloats(float[] data, long... shape) {
        return fromFloats(data, PixelRange.AUTO, shape);
    }

    public static BufferedImage fromFloats(float[] data, PixelRange range, long... shape) {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + shapeString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
        return fromValues(data, layout(shape), range);
    }

    /**
     * Whether a shape reads as a picture rather than some other tensor: 3-D after dropping a batch of 1, with a
     * channel dimension and both sides at least 8. 2-D shapes are left out: they are as often weight matrices
     * or logits as grayscale images.
     */
    public static boolean isImageShape(long[] shape) {
        long[] s = dropBatch(shape);
        if (s.length != 3) {
            return false;
        }
        try {
            Layout l = layout(s);
            return l.height() >= 8 && l.width() >= 8;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Splits a batch ([N,C,H,W], [N,H,W,C] or [N,H,W]) into images; a single image gives a list of one. */
    public static List<BufferedImage> fromBatch(NDArray batch) {
        long[] shape = batch.getShape().getShape();
        boolean single = shape.length == 2 || (shape.length == 3 && tryLayout(shape))
                || (shape.length == 4 && shape[0] == 1);
        if (single) {
            return List.of(fromNDArray(batch));
        }
        if (shape.length < 3 || shape.length > 4) {
            throw new IllegalArgumentException("shape " + shapeString(shape)
                    + " is not a batch of images; expected NxCxHxW, NxHxWxC or NxHxW");
        }
        List<BufferedImage> out = new ArrayList<>();
        for (long i = 0; i < shape[0]; i++) {
            try (NDArray one = batch.get(i)) {
                out.add(fromNDArray(one));
            }
        }
        return out;
    }

    /** Integer upscale with nearest-neighbour, so each source pixel becomes a crisp factor x factor block. */
    public static BufferedImage upscale(BufferedImage image, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("upscale factor must be >= 1, got " + factor);
        }
        if (factor == 1) {
            return image;
        }
        return resize(image, image.getWidth() * factor, image.getHeight() * factor, false);
    }

    /** Resize to w x h; smooth picks bilinear, otherwise nearest-neighbour. */
    public static BufferedImage resize(BufferedImage image, int w, int h, boolean smooth) {
        BufferedImage out = new BufferedImage(w, h, image.getColorModel().hasAlpha()
                ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, smooth
                    ? RenderingHints.VALUE_INTERPOLATION_BILINEAR
                    : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Bilinear resize of a map to h x w with pixel centres aligned (as torch's align_corners=False), so a 7x7
     * CAM lands on a 224x224 picture where its cells actually were.
     */
    public static float[][] resizeBilinear(float[][] map, int h, int w) {
        int sh = map.length;
        int sw = map[0].length;
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            double fy = clamp((y + 0.5) * sh / h - 0.5, 0, sh - 1);
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, sh - 1);
            double dy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = clamp((x + 0.5) * sw / w - 0.5, 0, sw - 1);
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, sw - 1);
                double dx = fx - x0;
                double top = map[y0][x0] * (1 - dx) + map[y0][x1] * dx;
                double bottom = map[y1][x0] * (1 - dx) + map[y1][x1] * dx;
                out[y][x] = (float) (top * (1 - dy) + bottom * dy);
            }
        }
        return out;
    }

    /** A 2-D array (HxW, with any leading or trailing dims of 1, e.g. 1x1xHxW) as rows of floats. */
    public static float[][] toMap(NDArray array) {
        long[] full = array.getShape().getShape();
        int from = 0;
        int to = full.length;
        while (to - from > 2 && full[from] == 1) {
            from++;
        }
        while (to - from > 2 && full[to - 1] == 1) {
            to--;
        }
        if (to - from != 2) {
            throw new IllegalArgumentException("shape " + shapeString(full)
                    + " is not a 2-D map; expected HxW (leading or trailing dims of size 1 are fine)");
        }
        int h = (int) full[from];
        int w = (int) full[from + 1];
        float[] flat;
        if (array.getDataType() == DataType.FLOAT32) {
            flat = array.toFloatArray();
        } else {
            try (NDArray f = array.toType(DataType.FLOAT32, true)) {
                flat = f.toFloatArray();
            }
        }
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(flat, y * w, out[y], 0, w);
        }
        return out;
    }

    static Layout layout(long[] rawShape) {
        long[] s = dropBatch(rawShape);
        Layout l = null;
        if (s.length == 2) {
            l = new Layout((int) s[0], (int) s[1], 1, false);
        } else if (s.length == 3) {
            boolean firstIsChannel = s[0] == 1 || s[0] == 3;
            boolean lastIsChannel = s[2] == 1 || s[2] == 3 || s[2] == 4;
            if (lastIsChannel) {
                l = new Layout((int) s[0], (int) s[1], (int) s[2], false);
            } else if (firstIsChannel) {
                l = new Layout((int) s[1], (int) s[2], (int) s[0], true);
            }
        }
        if (l == null || l.height() < 1 || l.width() < 1) {
            throw new IllegalArgumentException("shape " + shapeString(rawShape) + " can't be shown as an image: "
                    + "expected HxW, HxWxC or CxHxW with C in {1, 3} (HxWx4 for RGBA), optionally with a leading "
                    + "batch dimension of 1; for a batch use ImageGrid, for a signed map use Heatmap");
        }
        return l;
    }

    private static boolean tryLayout(long[] shape) {
        try {
            layout(shape);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long[] dropBatch(long[] shape) {
        int start = 0;
        while (shape.length - start > 3 && shape[start] == 1) {
            start++;
        }
        return Arrays.copyOfRange(shape, start, shape.length);
    }

    static String shapeString(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    private static BufferedImage fromValues(float[] v, Layout l, PixelRange range) {
        double[] lohi = levels(v, range);
        double lo = lohi[0];
        double scale = lohi[1] > lohi[0] ? 255.0 / (lohi[1] - lohi[0]) : 0;
        int h = l.height();
        int w = l.width();
        int c = l.channels();
        int plane = h * w;
        BufferedImage img = new BufferedImage(w, h, c == 4 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] argb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r;
            int g;
            int b;
            int a = 255;
            if (c == 1) {
                r = g = b = level(v[p], lo, scale);
            } else if (l.channelsFirst()) {
                r = level(v[p], lo, scale);
                g = level(v[plane + p], lo, scale);
                b = level(v[2 * plane + p], lo, scale);
            } else {
                int i = p * c;
                r = level(v[i], lo, scale);
                g = level(v[i + 1], lo, scale);
                b = level(v[i + 2], lo, scale);
                if (c == 4) {
                    a = level(v[i + 3], lo, scale);
                }
            }
            argb[p] = a << 24 | r << 16 | g << 8 | b;
        }
        img.setRGB(0, 0, w, h, argb, 0, w);
        return img;
    }

    /** The value range mapped to 0..255 as {lo, hi}. */
    private static double[] levels(float[] v, PixelRange range) {
        if (range == PixelRange.UNIT) {
            return new double[] {0, 1};
        }
        if (range == PixelRange.BYTE) {
            return new double[] {0, 255};
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            if (x < min) {
                min = x;
            }
            if (x > max) {
                max = x;
            }
        }
        if (min > max) {
            // Empty or all NaN: any range works.
            return new double[] {0, 1};
        }
        if (range == PixelRange.AUTO) {
            if (min >= 0 && max <= 1) {
                return new double[] {0, 1};
            }
            if (min >= 0 && max <= 255) {
                return new double[] {0, 255};
            }
        }
        return new double[] {min, max};
    }

    private static int level(float x, double lo, double scale) {
        if (Float.isNaN(x)) {
            return 0;
        }
        long q = Math.round((x - lo) * scale);
        return (int) Math.max(0, Math.min(255, q));
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
