package dev.neurolens.dissect;

import boofcv.alg.color.ColorHsv;
import boofcv.alg.filter.binary.BinaryImageOps;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayU8;
import boofcv.struct.image.Planar;
import dev.neurolens.model.Tensor;

import java.util.List;

/**
 * Colour names for any image, from hue, saturation and value (BoofCV's HSV), cleaned by a morphological
 * opening per colour so that isolated pixels and one-pixel slivers do not count as concepts. No training and no
 * data: the segmenter to dissect a generator of anything (a unit that paints "green" or "blue").
 *
 * <p>Rules, in order: black (value below 0.2), white (saturation below 0.15, value above 0.8), grey (other
 * unsaturated), brown (orange hues 10-50 degrees, dark), then by hue: red, orange, yellow, green, blue, purple.
 */
public final class ColorSegmenter implements Segmenter, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public static final List<String> COLORS = List.of("red", "orange", "yellow", "green", "blue", "purple", "brown",
            "white", "grey", "black");
    private static final int RED = 0;
    private static final int ORANGE = 1;
    private static final int YELLOW = 2;
    private static final int GREEN = 3;
    private static final int BLUE = 4;
    private static final int PURPLE = 5;
    private static final int BROWN = 6;
    private static final int WHITE = 7;
    private static final int GREY = 8;
    private static final int BLACK = 9;

    private final int cleanup;

    /** With one opening step (erode then dilate with a 3x3 square) per colour. */
    public ColorSegmenter() {
        this(1);
    }

    /** {@code cleanup} opening steps per colour; 0 keeps the raw per-pixel names. */
    public ColorSegmenter(int cleanup) {
        if (cleanup < 0) {
            throw new IllegalArgumentException("cleanup steps must be >= 0, got " + cleanup);
        }
        this.cleanup = cleanup;
    }

    @Override
    public List<String> concepts() {
        return COLORS;
    }

    /** The colour name index of one pixel from its HSV (hue in radians, saturation and value in [0, 1]). */
    static int name(float hue, float saturation, float value) {
        if (value < 0.2f) {
            return BLACK;
        }
        if (saturation < 0.15f) {
            return value > 0.8f ? WHITE : GREY;
        }
        double deg = Math.toDegrees(hue);
        if (deg >= 10 && deg < 50 && value < 0.6f) {
            return BROWN;
        }
        if (deg < 15 || deg >= 330) {
            return RED;
        }
        if (deg < 40) {
            return ORANGE;
        }
        if (deg < 70) {
            return YELLOW;
        }
        if (deg < 165) {
            return GREEN;
        }
        if (deg < 260) {
            return BLUE;
        }
        return PURPLE;
    }

    @Override
    public int[][] segment(Tensor images) {
        int[] nhw = Segmenter.checkImages(images);
        int h = nhw[1];
        int w = nhw[2];
        int plane = h * w;
        float[] all = images.toFloatArray();
        int[][] out = new int[nhw[0]][];
        Planar<GrayF32> rgb = new Planar<>(GrayF32.class, w, h, 3);
        Planar<GrayF32> hsv = new Planar<>(GrayF32.class, w, h, 3);
        for (int i = 0; i < nhw[0]; i++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(all, (i * 3 + c) * plane, rgb.getBand(c).data, 0, plane);
            }
            ColorHsv.rgbToHsv(rgb, hsv);
            int[] labels = new int[plane];
            for (int p = 0; p < plane; p++) {
                labels[p] = name(hsv.getBand(0).data[p], hsv.getBand(1).data[p], hsv.getBand(2).data[p]);
            }
            out[i] = cleanup == 0 ? labels : clean(labels, w, h);
        }
        return out;
    }

    /** Opening per colour; pixels no colour keeps become {@link #NONE}. */
    private int[] clean(int[] labels, int w, int h) {
        int[] out = new int[labels.length];
        java.util.Arrays.fill(out, NONE);
        GrayU8 mask = new GrayU8(w, h);
        GrayU8 tmp = new GrayU8(w, h);
        GrayU8 opened = new GrayU8(w, h);
        for (int c = 0; c < COLORS.size(); c++) {
            boolean any = false;
            for (int p = 0; p < labels.length; p++) {
                boolean in = labels[p] == c;
                mask.data[p] = (byte) (in ? 1 : 0);
                any |= in;
            }
            if (!any) {
                continue;
            }
            BinaryImageOps.erode8(mask, cleanup, tmp);
            BinaryImageOps.dilate8(tmp, cleanup, opened);
            for (int p = 0; p < labels.length; p++) {
                if (opened.data[p] != 0 && labels[p] == c) {
                    out[p] = c;
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ColorSegmenter[" + COLORS.size() + " colours, opening " + cleanup + "]";
    }
}
