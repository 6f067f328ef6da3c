package dev.neurolens.display;

import ai.djl.ndarray.NDArray;

import java.awt.image.BufferedImage;

/**
 * A map laid over the picture it explains (Grad-CAM, occlusion, saliency): the map is resized bilinearly to
 * the picture, coloured, and alpha-blended, {@code out = (1 - alpha) * picture + alpha * colour}. Cells whose
 * value is NaN leave the picture untouched, which is how a caller masks regions out.
 *
 * <pre>{@code HeatmapOverlay.of(cat, cam).alpha(0.45).colormap("jet").title("tabby cat, 0.83")}</pre>
 */
public final class HeatmapOverlay implements Rendered {
    /** Photos are shrunk to this longest side by default; overlays are for seeing, not pixel-peeping. */
    static final int DEFAULT_MAX_SIDE = 512;

    private final BufferedImage image;
    private final float[][] map;
    private final Colormap colormap;
    private final Normalization normalization;
    private final double alpha;
    private final boolean colorbar;
    private final String title;
    private final double scale;
    private final boolean alphaByValue;

    private HeatmapOverlay(BufferedImage image, float[][] map, Colormap colormap, Normalization normalization,
            double alpha, boolean colorbar, String title, double scale, boolean alphaByValue) {
        this.image = image;
        this.map = map;
        this.colormap = colormap;
        this.normalization = normalization;
        this.alpha = alpha;
        this.colorbar = colorbar;
        this.title = title;
        this.scale = scale;
        this.alphaByValue = alphaByValue;
    }

    /** image: anything {@link Images#toImage} takes; map: float[][] or an HxW NDArray, of any size. */
    public static HeatmapOverlay of(Object image, Object map) {
        float[][] m;
        if (map instanceof float[][] f) {
            m = Heatmap.copyOf(f);
        } else if (map instanceof NDArray a) {
            m = Images.toMap(a);
        } else {
            throw new IllegalArgumentException("map must be float[][] or NDArray, got "
                    + (map == null ? "null" : map.getClass().getName()));
        }
        return new HeatmapOverlay(Images.toImage(image), m, null, Normalization.auto(), 0.5, true, null, 0, false);
    }

    public HeatmapOverlay colormap(Colormap c) {
        return new HeatmapOverlay(image, map, c, normalization, alpha, colorbar, title, scale, alphaByValue);
    }

    public HeatmapOverlay colormap(String name) {
        return colormap(Colormap.named(name));
    }

    public HeatmapOverlay normalization(Normalization n) {
        return new HeatmapOverlay(image, map, colormap, n, alpha, colorbar, title, scale, alphaByValue);
    }

    public HeatmapOverlay range(double lo, double hi) {
        return normalization(Normalization.fixed(lo, hi));
    }

    /** Weight of the map colour, 0 (picture only) to 1 (map only). */
    public HeatmapOverlay alpha(double a) {
        if (!(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + a);
        }
        return new HeatmapOverlay(image, map, colormap, normalization, a, colorbar, title, scale, alphaByValue);
    }

    public HeatmapOverlay colorbar(boolean show) {
        return new HeatmapOverlay(image, map, colormap, normalization, alpha, show, title, scale, alphaByValue);
    }

    public HeatmapOverlay title(String t) {
        return new HeatmapOverlay(image, map, colormap, normalization, alpha, colorbar, t, scale, alphaByValue);
    }

    /**
     * Display size relative to the picture. Default: small pictures enlarged by a whole factor toward 256 px,
     * large ones shrunk to 512 px on the longest side.
     */
    public HeatmapOverlay scale(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("scale must be > 0, got " + factor);
        }
        return new HeatmapOverlay(image, map, colormap, normalization, alpha, colorbar, title, factor, alphaByValue);
    }

    /**
     * Scale alpha by how strong each value is (distance from 0 on a signed scale, from the bottom otherwise), so
     * weak regions show the picture clearly instead of a wash of the map's low or neutral colour.
     */
    public HeatmapOverlay alphaByValue(boolean on) {
        return new HeatmapOverlay(image, map, colormap, normalization, alpha, colorbar, title, scale, on);
    }

    public double[] valueRange() {
        return normalization.range(map);
    }

    /** Jet by default, as in the Grad-CAM paper; a diverging map when the normalization centres on 0. */
    public Colormap effectiveColormap() {
        return Heatmap.resolveColormap(colormap, normalization, map, Colormap.JET);
    }

    double effectiveScale() {
        if (scale > 0) {
            return scale;
        }
        int side = Math.max(image.getWidth(), image.getHeight());
        return side > DEFAULT_MAX_SIDE ? DEFAULT_MAX_SIDE / (double) side : ImageView.autoScale(image.getWidth(),
                image.getHeight());
    }

    /** The blended picture alone, at display size. */
    public BufferedImage renderOverlay() {
        double s = effectiveScale();
        int w = Math.max(1, (int) Math.round(image.getWidth() * s));
        int h = Math.max(1, (int) Math.round(image.getHeight() * s));
        BufferedImage base = w == image.getWidth() && h == image.getHeight() ? image
                : Images.resize(image, w, h, s < 1 || s != Math.rint(s));
        float[][] values = map.length == h && map[0].length == w ? map : Images.resizeBilinear(map, h, w);
        Colormap cm = effectiveColormap();
        double[] range = valueRange();
        boolean signed = normalization.isSigned(map);
        int[] px = base.getRGB(0, 0, w, h, null, 0, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = values[y][x];
                if (Float.isNaN(v)) {
                    continue;
                }
                int i = y * w + x;
                double t = Normalization.position(v, range);
                double a = alphaByValue ? alpha * strength(t, signed) : alpha;
                px[i] = blend(px[i], cm.rgb(t), a);
            }
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    private static double strength(double t, boolean signed) {
        double c = Math.max(0, Math.min(1, t));
        return signed ? Math.abs(2 * c - 1) : c;
    }

    static int blend(int base, int over, double a) {
        int r = (int) Math.round(((base >> 16) & 0xFF) * (1 - a) + ((over >> 16) & 0xFF) * a);
        int g = (int) Math.round(((base >> 8) & 0xFF) * (1 - a) + ((over >> 8) & 0xFF) * a);
        int b = (int) Math.round((base & 0xFF) * (1 - a) + (over & 0xFF) * a);
        return r << 16 | g << 8 | b;
    }

    public BufferedImage render() {
        double[] r = valueRange();
        return Heatmap.compose(renderOverlay(), title, colorbar ? Colorbar.of(effectiveColormap(), r[0], r[1]) : null);
    }

    @Override
    public String toString() {
        double[] r = valueRange();
        return String.format(java.util.Locale.ROOT, "HeatmapOverlay %dx%d map on %dx%d image%s, %s [%.4g, %.4g]",
                map.length, map[0].length, image.getHeight(), image.getWidth(),
                title == null ? "" : " '" + title + "'", effectiveColormap().name(), r[0], r[1]);
    }
}
