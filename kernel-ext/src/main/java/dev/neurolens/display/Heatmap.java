package dev.neurolens.display;

import ai.djl.ndarray.NDArray;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * A 2-D map (attribution, activation channel, attention, confusion matrix) as colours, with a colorbar.
 * Defaults pick themselves from the data: a map with both signs is centred on 0 with a diverging colormap,
 * a one-signed map is stretched min-max over viridis. Small maps are enlarged with visible cells.
 *
 * <pre>{@code Heatmap.of(cam).colormap("inferno").title("Grad-CAM fire9")}</pre>
 */
public final class Heatmap implements Rendered {
    private final float[][] map;
    private final Colormap colormap;
    private final Normalization normalization;
    private final boolean colorbar;
    private final String title;
    private final int scale;
    private final boolean smooth;

    private Heatmap(float[][] map, Colormap colormap, Normalization normalization, boolean colorbar, String title,
            int scale, boolean smooth) {
        this.map = map;
        this.colormap = colormap;
        this.normalization = normalization;
        this.colorbar = colorbar;
        this.title = title;
        this.scale = scale;
        this.smooth = smooth;
    }

    public static Heatmap of(float[][] map) {
        return new Heatmap(copyOf(map), null, Normalization.auto(), true, null, 0, false);
    }

    /** An HxW array (dims of size 1 around it are fine), copied now so the array may be closed after. */
    public static Heatmap of(NDArray map) {
        return new Heatmap(Images.toMap(map), null, Normalization.auto(), true, null, 0, false);
    }

    public Heatmap colormap(Colormap c) {
        return new Heatmap(map, c, normalization, colorbar, title, scale, smooth);
    }

    public Heatmap colormap(String name) {
        return colormap(Colormap.named(name));
    }

    public Heatmap normalization(Normalization n) {
        return new Heatmap(map, colormap, n, colorbar, title, scale, smooth);
    }

    public Heatmap range(double lo, double hi) {
        return normalization(Normalization.fixed(lo, hi));
    }

    public Heatmap colorbar(boolean show) {
        return new Heatmap(map, colormap, normalization, show, title, scale, smooth);
    }

    public Heatmap title(String t) {
        return new Heatmap(map, colormap, normalization, colorbar, t, scale, smooth);
    }

    /** Each map cell becomes factor x factor pixels (default: enough to reach about 256 px). */
    public Heatmap scale(int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("scale must be >= 1, got " + factor);
        }
        return new Heatmap(map, colormap, normalization, colorbar, title, factor, smooth);
    }

    /** Bilinear interpolation between cells instead of crisp blocks. */
    public Heatmap smooth(boolean on) {
        return new Heatmap(map, colormap, normalization, colorbar, title, scale, on);
    }

    /** The value range {lo, hi} mapped to the ends of the colour scale. */
    public double[] valueRange() {
        return normalization.range(map);
    }

    public Colormap effectiveColormap() {
        return resolveColormap(colormap, normalization, map, Colormap.VIRIDIS);
    }

    static Colormap resolveColormap(Colormap chosen, Normalization n, float[][] map, Colormap sequential) {
        if (chosen != null) {
            return chosen;
        }
        return n.isSigned(map) ? Colormap.COOLWARM : sequential;
    }

    /** The coloured map alone, scaled, without title or colorbar. */
    public BufferedImage renderMap() {
        int h = map.length;
        int w = map[0].length;
        int f = scale > 0 ? scale : ImageView.autoScale(w, h);
        Colormap cm = effectiveColormap();
        double[] range = valueRange();
        float[][] values = smooth && f > 1 ? Images.resizeBilinear(map, h * f, w * f) : map;
        BufferedImage img = colorize(values, cm, range);
        return smooth || f == 1 ? img : Images.upscale(img, f);
    }

    static BufferedImage colorize(float[][] values, Colormap cm, double[] range) {
        int h = values.length;
        int w = values[0].length;
        int[] rgb = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = cm.rgb(Normalization.position(values[y][x], range));
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    public BufferedImage render() {
        double[] r = valueRange();
        return compose(renderMap(), title, colorbar ? Colorbar.of(effectiveColormap(), r[0], r[1]) : null);
    }

    /** Body with a title above and a colorbar to its right; the body alone when there is neither. */
    static BufferedImage compose(BufferedImage body, String title, Colorbar bar) {
        boolean hasTitle = title != null && !title.isEmpty();
        if (!hasTitle && bar == null) {
            return body;
        }
        int pad = 8;
        Font titleFont = Draw.font(14, true);
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        FontMetrics labelMetrics = probe.getFontMetrics(Colorbar.labelFont());
        int barW = bar == null ? 0 : 10 + bar.width(labelMetrics);
        int titleW = hasTitle ? probe.getFontMetrics(titleFont).stringWidth(title) : 0;
        probe.dispose();
        int titleH = hasTitle ? Draw.lineHeight(titleFont) + 4 : 0;
        // A title wider than the picture widens the canvas instead of being cut off.
        int width = Math.max(pad + body.getWidth() + barW + pad, titleW + 2 * pad);
        int height = pad + titleH + body.getHeight() + pad;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Draw.canvas(out, Color.WHITE);
        try {
            Color text = Draw.textOn(Color.WHITE);
            if (hasTitle) {
                g.setFont(titleFont);
                g.setColor(text);
                int cx = titleW > body.getWidth() ? width / 2 : pad + body.getWidth() / 2;
                Draw.centeredText(g, title, cx, pad + g.getFontMetrics().getAscent(), width - 2 * pad);
            }
            g.drawImage(body, pad, pad + titleH, null);
            if (bar != null) {
                bar.drawOn(g, pad + body.getWidth() + 10, pad + titleH, body.getHeight(), text);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    @Override
    public String toString() {
        double[] r = valueRange();
        return String.format(java.util.Locale.ROOT, "Heatmap %dx%d%s, %s [%.4g, %.4g]", map.length, map[0].length,
                title == null ? "" : " '" + title + "'", effectiveColormap().name(), r[0], r[1]);
    }

    static float[][] copyOf(float[][] map) {
        if (map.length == 0 || map[0].length == 0) {
            throw new IllegalArgumentException("empty map; expected at least 1x1 values");
        }
        float[][] c = new float[map.length][];
        for (int y = 0; y < map.length; y++) {
            if (map[y].length != map[0].length) {
                throw new IllegalArgumentException("ragged map: row 0 has " + map[0].length + " values, row " + y
                        + " has " + map[y].length);
            }
            c[y] = map[y].clone();
        }
        return c;
    }
}
