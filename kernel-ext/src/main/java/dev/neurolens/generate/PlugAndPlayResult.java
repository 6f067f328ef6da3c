package dev.neurolens.generate;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Charts;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Tensor;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The chains of a {@link PlugAndPlay} run: a frame of every chain at each recorded step, each condition's score
 * per chain (a class's probability, a unit's activation), and the final codes. Shows itself as a strip (one row
 * per chain, time going right, the last column the final sample) above the scores over the steps.
 */
public final class PlugAndPlayResult implements Displayable {
    private static final int STRIP_COLUMNS = 8;
    private final String title;
    private final Tensor codes;
    private final List<Integer> steps;
    private final List<List<BufferedImage>> frames;
    private final List<float[][]> scores;
    private final List<String> names;
    private final boolean interrupted;
    private final String note;
    private final double seconds;

    PlugAndPlayResult(String title, Tensor codes, List<Integer> steps, List<List<BufferedImage>> frames,
                      List<float[][]> scores, List<String> names, boolean interrupted, String note,
                      double seconds) {
        this.title = title;
        this.codes = codes;
        this.steps = List.copyOf(steps);
        this.frames = List.copyOf(frames);
        this.scores = List.copyOf(scores);
        this.names = List.copyOf(names);
        this.interrupted = interrupted;
        this.note = note;
        this.seconds = seconds;
    }

    /** The final codes, {@code chains x d}. */
    public Tensor codes() {
        return codes;
    }

    public int chains() {
        return (int) codes.dim(0);
    }

    /** The final sample of every chain. */
    public List<BufferedImage> pictures() {
        return frames.isEmpty() ? List.of() : frames.get(frames.size() - 1);
    }

    /** The steps at which frames were recorded (0 first, the last step last). */
    public List<Integer> recordedSteps() {
        return steps;
    }

    /** {@code frames().get(k).get(c)}: chain c at {@code recordedSteps().get(k)}. */
    public List<List<BufferedImage>> frames() {
        return frames;
    }

    /** The conditions' names as scored: "p(Sneaker)" for a class, "layer:unit" for a unit. */
    public List<String> conditions() {
        return names;
    }

    /** Condition {@code name}'s score per recorded step and chain. */
    public float[][] score(String name) {
        int i = index(name);
        float[][] out = new float[scores.size()][];
        for (int k = 0; k < scores.size(); k++) {
            out[k] = scores.get(k)[i].clone();
        }
        return out;
    }

    /** Condition {@code name}'s score of every chain at the start. */
    public float[] startScore(String name) {
        return scores.get(0)[index(name)].clone();
    }

    /** Condition {@code name}'s score of every chain at the end. */
    public float[] finalScore(String name) {
        return scores.get(scores.size() - 1)[index(name)].clone();
    }

    /**
     * The first recorded step at which {@code name}'s score of every chain is at least {@code threshold}, or -1.
     */
    public int stepReaching(String name, double threshold) {
        int i = index(name);
        for (int k = 0; k < scores.size(); k++) {
            boolean all = true;
            for (float v : scores.get(k)[i]) {
                all &= v >= threshold;
            }
            if (all) {
                return steps.get(k);
            }
        }
        return -1;
    }

    private int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no condition '" + name + "'; conditions: " + String.join(", ", names));
        }
        return i;
    }

    /**
     * How different the final samples are: the root mean squared pixel difference ([0, 1] pixels) averaged over
     * all pairs of chains (0 when they all drew the same picture).
     */
    public double diversity() {
        return diversity(pictures());
    }

    /** {@link #diversity()} of any set of same-sized pictures (to compare with pixel-space visualizations). */
    public static double diversity(List<BufferedImage> pictures) {
        int n = pictures.size();
        if (n < 2) {
            return 0;
        }
        // RGB in [0, 1], whatever the pictures' type
        dev.neurolens.model.Preprocessing rgb = new dev.neurolens.model.Preprocessing(3, 1, 1, new float[3],
                new float[] {1, 1, 1});
        List<float[]> px = new ArrayList<>();
        for (BufferedImage b : pictures) {
            px.add(rgb.pixels(b));
        }
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                float[] a = px.get(i);
                float[] b = px.get(j);
                if (a.length != b.length) {
                    throw new IllegalArgumentException("pictures differ in size");
                }
                double s = 0;
                for (int k = 0; k < a.length; k++) {
                    s += (a[k] - b[k]) * (double) (a[k] - b[k]);
                }
                sum += Math.sqrt(s / a.length);
                pairs++;
            }
        }
        return sum / pairs;
    }

    public boolean interrupted() {
        return interrupted;
    }

    /** Why the chains ended early (a NaN, with its step), or null. */
    public String note() {
        return note;
    }

    public double seconds() {
        return seconds;
    }

    /** Every condition's mean over chains (and its least chain, dashed) against the step. */
    public XYChart chart() {
        XYChart chart = Charts.line("conditions over the chains", "step", "score (probability or activation)");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        double[] x = new double[steps.size()];
        for (int k = 0; k < x.length; k++) {
            x[k] = steps.get(k);
        }
        for (int i = 0; i < names.size(); i++) {
            double[] mean = new double[x.length];
            double[] least = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                float[] v = scores.get(k)[i];
                mean[k] = PlugAndPlay.mean(v);
                float lo = Float.MAX_VALUE;
                for (float f : v) {
                    lo = Math.min(lo, f);
                }
                least[k] = lo;
            }
            Charts.addLine(chart, names.get(i) + " mean", x, mean);
            Charts.addLine(chart, names.get(i) + " lowest chain", x, least);
        }
        return chart;
    }

    /** One row per chain, up to 8 recorded steps evenly spaced (first and last included), captioned with scores. */
    public ImageGrid strip() {
        int k = frames.size();
        int cols = Math.min(STRIP_COLUMNS, k);
        List<Integer> picks = new ArrayList<>();
        for (int j = 0; j < cols; j++) {
            int idx = cols == 1 ? k - 1 : (int) Math.round(j * (k - 1) / (double) (cols - 1));
            if (!picks.contains(idx)) {
                picks.add(idx);
            }
        }
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int c = 0; c < chains(); c++) {
            for (int idx : picks) {
                cells.add(frames.get(idx).get(c));
                captions.add(steps.get(idx) + ":" + caption(scores.get(idx), c, names));
            }
        }
        return ImageGrid.of(cells).captions(captions).columns(picks.size()).cellSize(100)
                .title(String.format(Locale.ROOT, "%s · %d chains (rows) · step: score%s", title, chains(),
                        names.size() > 1 ? "s" : ""));
    }

    /** The chains' current pictures in one row, captioned with their scores (the live frame). */
    static ImageGrid row(List<BufferedImage> pictures, float[][] scores, List<String> names, String title) {
        List<String> captions = new ArrayList<>();
        for (int c = 0; c < pictures.size(); c++) {
            captions.add("chain " + c + caption(scores, c, names));
        }
        return ImageGrid.of(pictures).captions(captions).columns(Math.min(8, pictures.size())).cellSize(112)
                .title(title);
    }

    /** " p 0.93" (" a 2.31" for a unit) for one condition, " 0.41/0.47" for several, in the conditions' order. */
    private static String caption(float[][] scores, int chain, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        if (names.size() == 1) {
            return String.format(Locale.ROOT, " %s %.2f", names.get(0).startsWith("p(") ? "p" : "a",
                    scores[0][chain]);
        }
        StringBuilder sb = new StringBuilder(" ");
        for (int i = 0; i < Math.min(3, names.size()); i++) {
            sb.append(i > 0 ? "/" : "").append(String.format(Locale.ROOT, "%.2f", scores[i][chain]));
        }
        return sb.toString();
    }

    public BufferedImage render() {
        if (frames.isEmpty()) {
            throw new IllegalStateException("no frames: " + this);
        }
        return strip().render();
    }

    @Override
    public MimeBundle mimeBundle() {
        if (frames.isEmpty()) {
            return MimeBundle.text(toString());
        }
        byte[] png = Images.toPng(render());
        String html = "<div><img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\" style=\"max-width:100%\"/>"
                + (names.isEmpty() ? "" : "<br/><img src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(ChartImage.of(chart()).size(640, 340).toPng())
                + "\" style=\"max-width:640px\"/>") + "</div>";
        return MimeBundle.png(png, toString()).with(MimeBundle.HTML, html);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(title);
        if (steps.isEmpty()) {
            return sb.append(" · interrupted before the first step").toString();
        }
        sb.append(String.format(Locale.ROOT, " · %d chains, %d steps%s", chains(), steps.get(steps.size() - 1),
                interrupted ? " (interrupted)" : note != null ? " (" + note + ")" : ""));
        for (String n : names) {
            float[] end = finalScore(n);
            float lo = Float.MAX_VALUE;
            for (float f : end) {
                lo = Math.min(lo, f);
            }
            sb.append(String.format(Locale.ROOT, " · %s mean %.3f, lowest %.3f", n, PlugAndPlay.mean(end), lo));
        }
        return sb.toString();
    }
}
