package dev.neurolens.attribution;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Charts;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a sanity check: for each method and each step (trained, then each randomization), the
 * similarity of its maps to the trained model's, averaged over the images. Immutable. Shows itself as two
 * XChart line plots (Spearman rank correlation of |map|, and SSIM), with the table as text.
 */
public final class SanityReport implements Displayable {
    private final String title;
    private final String xAxisTitle;
    private final List<String> steps;
    private final List<String> methods;
    private final double[][] spearman;
    private final double[][] ssim;
    private final List<List<Attribution>> maps;

    private SanityReport(String title, String xAxisTitle, List<String> steps, List<String> methods, double[][] spearman, double[][] ssim,
                         List<List<Attribution>> maps) {
        this.title = title;
        this.xAxisTitle = xAxisTitle;
        this.steps = List.copyOf(steps);
        this.methods = List.copyOf(methods);
        this.spearman = spearman;
        this.ssim = ssim;
        this.maps = maps;
    }

    static SanityReport of(String title, String xAxisTitle, List<String> steps, AttributionMethod[] methods, List<List<Attribution>> maps) {
        double[][] rank = new double[methods.length][steps.size()];
        double[][] structure = new double[methods.length][steps.size()];
        List<String> names = new ArrayList<>();
        for (int m = 0; m < methods.length; m++) {
            names.add(methods[m].name());
            Attribution reference = maps.get(m).get(0);
            for (int k = 0; k < steps.size(); k++) {
                Attribution a = maps.get(m).get(k);
                for (int i = 0; i < a.size(); i++) {
                    rank[m][k] += Similarity.spearmanAbs(reference.map(i), a.map(i)) / a.size();
                    structure[m][k] += Similarity.ssim(reference.map(i), a.map(i)) / a.size();
                }
            }
        }
        List<List<Attribution>> frozen = new ArrayList<>();
        for (List<Attribution> row : maps) {
            frozen.add(List.copyOf(row));
        }
        return new SanityReport(title, xAxisTitle, steps, names, rank, structure, List.copyOf(frozen));
    }

    public List<String> steps() {
        return steps;
    }

    public List<String> methods() {
        return methods;
    }

    /** Spearman rank correlation of |map| with the trained model's map, per method and step. */
    public double spearman(String method, int step) {
        return spearman[index(method)][step];
    }

    public double ssim(String method, int step) {
        return ssim[index(method)][step];
    }

    /** Similarity after the last step (everything randomized, or shuffled labels). */
    public double finalSpearman(String method) {
        return spearman[index(method)][steps.size() - 1];
    }

    /** The maps of the first image, one row per method, one column per step. */
    public ImageGrid maps() {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            for (int k = 0; k < steps.size(); k++) {
                Attribution a = maps.get(m).get(k);
                cells.add(dev.neurolens.display.Heatmap.of(a.map(0)).colormap(a.signed() ? "coolwarm" : "inferno")
                        .colorbar(false).renderMap());
                captions.add(k == 0 ? methods.get(m) : steps.get(k));
            }
        }
        return ImageGrid.of(cells).captions(captions).columns(steps.size()).title(title);
    }

    public XYChart chart(boolean rankCorrelation) {
        XYChart chart = Charts.line(rankCorrelation ? title : "", xAxisTitle,
                rankCorrelation ? "Spearman rank correlation of |map|" : "SSIM of the maps");
        double[] xs = new double[steps.size()];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = k;
        }
        for (int m = 0; m < methods.size(); m++) {
            Charts.addLine(chart, methods.get(m), xs, rankCorrelation ? spearman[m] : ssim[m]);
        }
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisMin(-0.2);
        chart.getStyler().setYAxisMax(1.05);
        return chart;
    }

    public BufferedImage render() {
        BufferedImage a = ChartImage.of(chart(true)).render();
        BufferedImage b = ChartImage.of(chart(false)).render();
        BufferedImage out = new BufferedImage(Math.max(a.getWidth(), b.getWidth()), a.getHeight() + b.getHeight(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, 0, a.getHeight(), null);
        g.dispose();
        return out;
    }

    /** The numbers: one block per method, one line per step, Spearman and SSIM. */
    public String table() {
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append(String.format(Locale.ROOT, "%-3s %-20s", "k", "step"));
        for (String m : methods) {
            sb.append(String.format(Locale.ROOT, " | %-13s", m.length() > 13 ? m.substring(0, 13) : m));
        }
        sb.append('\n').append(String.format(Locale.ROOT, "%-3s %-20s", "", ""));
        for (int m = 0; m < methods.size(); m++) {
            sb.append(String.format(Locale.ROOT, " | %-13s", "rank   SSIM"));
        }
        sb.append('\n');
        for (int k = 0; k < steps.size(); k++) {
            sb.append(String.format(Locale.ROOT, "%-3d %-20s", k, steps.get(k)));
            for (int m = 0; m < methods.size(); m++) {
                sb.append(String.format(Locale.ROOT, " | %5.2f  %5.2f ", spearman[m][k], ssim[m][k]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private int index(String method) {
        int i = methods.indexOf(method);
        if (i < 0) {
            throw new IllegalArgumentException("no method '" + method + "' in this report; methods: " + methods);
        }
        return i;
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.png(Images.toPng(render()), table()).with(MimeBundle.TEXT, table());
    }

    @Override
    public String toString() {
        return table();
    }
}
