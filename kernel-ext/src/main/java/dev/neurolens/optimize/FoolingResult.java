package dev.neurolens.optimize;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Rendered;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A fooling image: the original, the fooled version, the perturbation amplified, the class probabilities before
 * and after, and the size of the change in pixel units against its {@link Budget}. Immutable; shows itself as
 * pictures beside a bar chart under a title that states the budget.
 */
public final class FoolingResult implements Rendered {
    private final Preprocessing preprocessing;
    private final List<String> labels;
    private final Tensor original;
    private final Tensor fooled;
    private final float[] before;
    private final float[] after;
    private final int target;
    private final int steps;
    private final Budget budget;
    private final boolean interrupted;

    FoolingResult(Preprocessing preprocessing, List<String> labels, Tensor original, Tensor fooled, float[] before,
                  float[] after, int target, int steps, Budget budget, boolean interrupted) {
        this.preprocessing = preprocessing;
        this.labels = List.copyOf(labels);
        this.original = original;
        this.fooled = fooled;
        this.before = before.clone();
        this.after = after.clone();
        this.target = target;
        this.steps = steps;
        this.budget = budget;
        this.interrupted = interrupted;
    }

    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (Math.exp(logits[i] - max) / sum);
        }
        return p;
    }

    /** True when the network predicts the target class for the fooled picture. */
    public boolean succeeded() {
        return argMax(after) == target;
    }

    public Budget budget() {
        return budget;
    }

    /** Whether the run was interrupted before it fooled the network or ran out of steps. */
    public boolean interrupted() {
        return interrupted;
    }

    public int steps() {
        return steps;
    }

    public int target() {
        return target;
    }

    /** The class the network predicted for the original. */
    public int originalClass() {
        return argMax(before);
    }

    public int fooledClass() {
        return argMax(after);
    }

    public float[] probabilitiesBefore() {
        return before.clone();
    }

    public float[] probabilitiesAfter() {
        return after.clone();
    }

    public Tensor original() {
        return original;
    }

    public Tensor fooled() {
        return fooled;
    }

    /** The L∞ norm of the change: the largest change of a pixel, in pixel units [0, 1]. */
    public double linf() {
        double m = 0;
        for (double d : pixelChange()) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    /** The L2 norm of the change over all pixels and channels, in pixel units [0, 1]. */
    public double l2() {
        double s = 0;
        for (double d : pixelChange()) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** Fooled minus original in pixel units, [C, H, W] flattened. */
    private double[] pixelChange() {
        float[] std = preprocessing.std();
        int plane = (int) (original.size() / original.dim(1));
        double[] d = new double[original.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((double) fooled.getFlat(i) - original.getFlat(i)) * std[i / plane];
        }
        return d;
    }

    public BufferedImage originalImage() {
        return preprocessing.toImage(original);
    }

    public BufferedImage fooledImage() {
        return preprocessing.toImage(fooled);
    }

    /** The change in pixel space, times {@code magnify}, around mid gray. */
    public BufferedImage perturbation(double magnify) {
        double[] change = pixelChange();
        int c = (int) original.dim(1);
        int h = (int) original.dim(2);
        int w = (int) original.dim(3);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    int ch = Math.min(k, c - 1);
                    int i = (ch * h + y) * w + x;
                    double d = change[i] * magnify;
                    rgb[k] = (int) Math.round(255 * Math.max(0, Math.min(1, 0.5 + d)));
                }
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return img;
    }

    /**
     * A magnification that takes the largest change to half the gray range: the L∞ budget's when there is one, so
     * that pictures fooled at the same budget are amplified alike.
     */
    public double autoMagnify() {
        double m = budget.norm() == Budget.Norm.LINF ? budget.eps() : linf();
        return m <= 0 ? 1 : Math.max(1, Math.round(0.5 / m));
    }

    public BufferedImage render() {
        double mag = autoMagnify();
        String orig = String.format(Locale.ROOT, "original: %s %.0f%%", label(originalClass()),
                100 * before[originalClass()]);
        String fool = String.format(Locale.ROOT, "fooled: %s %.0f%%", label(fooledClass()), 100 * after[fooledClass()]);
        BufferedImage grid = ImageGrid.of(originalImage(), fooledImage(), perturbation(mag))
                .captions(orig, fool, String.format(Locale.ROOT, "difference ×%.0f", mag)).cellSize(200).render();
        Set<Integer> shown = new LinkedHashSet<>();
        for (int i : top(before, 4)) {
            shown.add(i);
        }
        for (int i : top(after, 4)) {
            shown.add(i);
        }
        shown.add(target);
        List<String> names = new ArrayList<>();
        List<Double> pb = new ArrayList<>();
        List<Double> pa = new ArrayList<>();
        for (int i : shown) {
            String l = label(i);
            names.add(l.length() > 14 ? l.substring(0, 13) + "…" : l);
            pb.add((double) before[i]);
            pa.add((double) after[i]);
        }
        CategoryChart chart = new CategoryChartBuilder().width(460).height(grid.getHeight()).title("probabilities")
                .yAxisTitle("p").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries("before", names, pb);
        chart.addSeries("after", names, pa);
        BufferedImage bars = ChartImage.of(chart).size(460, Math.max(260, grid.getHeight())).pixelRatio(1).render();
        int titleH = 26;
        BufferedImage out = new BufferedImage(grid.getWidth() + bars.getWidth(), titleH + Math.max(grid.getHeight(),
                bars.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x222222));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title(), 8, 18);
        g.drawImage(grid, 0, titleH, null);
        g.drawImage(bars, grid.getWidth(), titleH, null);
        g.dispose();
        return out;
    }

    /** What was asked and what it took: target, budget, outcome, achieved norms. */
    public String title() {
        return String.format(Locale.ROOT, "fooling → %s · %s · %s · achieved L∞ %.4f (%.1f/255), L2 %.3f",
                label(target), budget, succeeded() ? "fooled" : "not fooled", linf(), 255 * linf(), l2());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "fooling %s → %s at %s: %s after %d steps%s (p=%.2f), L∞ %.4f, L2 %.4f",
                label(originalClass()), label(target), budget, succeeded() ? "succeeded" : "failed", steps,
                interrupted ? " (interrupted)" : "", after[target], linf(), l2());
    }

    private String label(int i) {
        return i < labels.size() ? labels.get(i) : "class " + i;
    }

    private static int argMax(float[] p) {
        int b = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[b]) {
                b = i;
            }
        }
        return b;
    }

    private static int[] top(float[] p, int k) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
        int[] out = new int[Math.min(k, p.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = order[i];
        }
        return out;
    }
}
