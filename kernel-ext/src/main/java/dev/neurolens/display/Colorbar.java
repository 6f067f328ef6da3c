package dev.neurolens.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A vertical colour scale with tick labels at round values (1, 2 or 5 times a power of ten), high values on
 * top. Drawn beside heat maps; also displayable on its own.
 */
public final class Colorbar implements Rendered {
    static final int BAR_WIDTH = 14;
    private static final int TICK = 4;
    private static final int LABEL_GAP = 3;

    private final Colormap colormap;
    private final double lo;
    private final double hi;
    private final int height;

    private Colorbar(Colormap colormap, double lo, double hi, int height) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("colorbar needs lo < hi, got [" + lo + ", " + hi + "]");
        }
        this.colormap = colormap;
        this.lo = lo;
        this.hi = hi;
        this.height = height;
    }

    public static Colorbar of(Colormap colormap, double lo, double hi) {
        return new Colorbar(colormap, lo, hi, 200);
    }

    public Colorbar height(int px) {
        return new Colorbar(colormap, lo, hi, px);
    }

    static Font labelFont() {
        return Draw.font(11, false);
    }

    /** Round tick values inside [lo, hi], about five of them. */
    public List<Double> ticks() {
        double step = niceStep((hi - lo) / 4);
        List<Double> out = new ArrayList<>();
        double first = Math.ceil(lo / step - 1e-9) * step;
        for (int i = 0; ; i++) {
            double t = first + i * step;
            if (t > hi + step * 1e-9) {
                break;
            }
            out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        }
        return out;
    }

    /** Tick labels with as many decimals as the step needs, and no more. */
    public List<String> labels() {
        double step = niceStep((hi - lo) / 4);
        List<String> out = new ArrayList<>();
        for (double t : ticks()) {
            out.add(format(t, step));
        }
        return out;
    }

    static String format(double v, double step) {
        double mag = Math.max(Math.abs(v), step);
        if (mag >= 1e5 || step < 1e-4) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return new BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    private static double niceStep(double rough) {
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double n = rough / mag;
        double nice = n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10;
        return nice * mag;
    }

    /** Width the bar and its labels take in pixels. */
    int width(FontMetrics fm) {
        int widest = 0;
        for (String s : labels()) {
            widest = Math.max(widest, fm.stringWidth(s));
        }
        return BAR_WIDTH + TICK + LABEL_GAP + widest;
    }

    /** Draws the bar with its top-left at (x, y), spanning h pixels of height including label overhang. */
    void drawOn(Graphics2D g, int x, int y, int h, Color text) {
        g.setFont(labelFont());
        FontMetrics fm = g.getFontMetrics();
        // Leave room for the half of the top and bottom labels that sticks out past the bar's ends.
        int margin = fm.getAscent() / 2;
        int top = y + margin;
        int barH = Math.max(2, h - 2 * margin);
        for (int row = 0; row < barH; row++) {
            double t = 1 - (row + 0.5) / barH;
            g.setColor(new Color(colormap.rgb(t)));
            g.fillRect(x, top + row, BAR_WIDTH, 1);
        }
        g.setColor(text);
        g.drawRect(x, top, BAR_WIDTH - 1, barH - 1);
        List<Double> ticks = ticks();
        List<String> labels = labels();
        for (int i = 0; i < ticks.size(); i++) {
            double t = (ticks.get(i) - lo) / (hi - lo);
            int ty = top + (int) Math.round((1 - t) * (barH - 1));
            g.drawLine(x + BAR_WIDTH, ty, x + BAR_WIDTH + TICK - 1, ty);
            g.drawString(labels.get(i), x + BAR_WIDTH + TICK + LABEL_GAP, ty + fm.getAscent() / 2 - 1);
        }
    }

    public BufferedImage render() {
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int w = width(probe.getFontMetrics(labelFont())) + 8;
        probe.dispose();
        BufferedImage out = new BufferedImage(w, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Draw.canvas(out, Color.WHITE);
        try {
            drawOn(g, 4, 0, height, Draw.textOn(Color.WHITE));
        } finally {
            g.dispose();
        }
        return out;
    }

    @Override
    public String toString() {
        return "Colorbar " + colormap.name() + " [" + lo + ", " + hi + "]";
    }
}
