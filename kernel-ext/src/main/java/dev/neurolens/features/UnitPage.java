package dev.neurolens.features;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.TableHtml;
import dev.neurolens.model.Network;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Everything about one unit on one page, after OpenAI Microscope: its top-k patches over a data set, each above its
 * guided backprop (which pixels of the patch drive the unit, as in Springenberg et al. 2015), the
 * histogram of its per-image maximum, how it correlates with each class (a Tablesaw table), and a slot for a
 * feature visualization of the channel, to be filled by an optimization ({@link #withVisualization}).
 * Immutable.
 *
 * <pre>{@code UnitPage.of(net, "conv3", 17, ImageSet.fashionMnistTest())}</pre>
 */
public final class UnitPage implements Displayable {
    private final String model;
    private final String layer;
    private final int unit;
    private final TopPatchesResult top;
    private final float[] maxima;
    private final int[] labels;
    private final List<String> classNames;
    private final BufferedImage visualization;
    private final String dataName;

    private UnitPage(String model, String layer, int unit, TopPatchesResult top, float[] maxima, int[] labels,
            List<String> classNames, BufferedImage visualization, String dataName) {
        this.model = model;
        this.layer = layer;
        this.unit = unit;
        this.top = top;
        this.maxima = maxima;
        this.labels = labels;
        this.classNames = classNames;
        this.visualization = visualization;
        this.dataName = dataName;
    }

    /** Streams {@code data} once for the unit's top-16 patches and per-image maxima. */
    public static UnitPage of(Network net, String layer, int unit, ImageSet data) {
        return of(net, layer, unit, data, 16, false);
    }

    public static UnitPage of(Network net, String layer, int unit, ImageSet data, int k, boolean live) {
        TopPatchesResult top = TopPatches.builder(net, layer).units(unit).k(k).recordMaxima(true).live(live)
                .run(data);
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return new UnitPage(net.name(), layer, unit, top, top.maxima(unit), labels, data.labelNames(), null,
                data.name());
    }

    /** The same page with a channel visualization in its slot (from the optimization techniques). */
    public UnitPage withVisualization(BufferedImage image) {
        return new UnitPage(model, layer, unit, top, maxima, labels, classNames, image, dataName);
    }

    public TopPatchesResult topPatches() {
        return top;
    }

    /** Each image's strongest activation of this unit. */
    public float[] maxima() {
        return maxima.clone();
    }

    /**
     * Per class: images, mean and std of the unit's maximum, its Pearson correlation with the class indicator
     * (point-biserial), and how many of the top-k patches come from the class. Sorted by correlation.
     */
    public Table classCorrelation() {
        int classes = classNames.size();
        int n = maxima.length;
        double mean = 0;
        for (float v : maxima) {
            mean += v;
        }
        mean /= n;
        double var = 0;
        for (float v : maxima) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / n);
        StringColumn name = StringColumn.create("class");
        IntColumn count = IntColumn.create("images");
        DoubleColumn cm = DoubleColumn.create("mean activation");
        DoubleColumn cs = DoubleColumn.create("std");
        DoubleColumn corr = DoubleColumn.create("correlation");
        IntColumn inTop = IntColumn.create("in top-" + top.k());
        for (int c = 0; c < classes; c++) {
            int m = 0;
            double s = 0;
            double s2 = 0;
            for (int i = 0; i < n; i++) {
                if (labels[i] == c) {
                    m++;
                    s += maxima[i];
                    s2 += (double) maxima[i] * maxima[i];
                }
            }
            double mu = m == 0 ? Double.NaN : s / m;
            double p = m / (double) n;
            // point-biserial: (mean_in - mean_all) / sd * sqrt(p / (1 - p))
            double r = m == 0 || m == n || sd == 0 ? Double.NaN : (mu - mean) / sd * Math.sqrt(p / (1 - p));
            int t = 0;
            for (TopPatchesResult.Hit h : top.hitsOfUnit(unit)) {
                t += labels[h.image()] == c ? 1 : 0;
            }
            name.append(classNames.get(c));
            count.append(m);
            cm.append(round(mu));
            cs.append(round(m == 0 ? Double.NaN : Math.sqrt(Math.max(0, s2 / m - mu * mu))));
            corr.append(round(r));
            inTop.append(t);
        }
        Table table = Table.create(model + " " + layer + " unit " + unit + " by class", name, count, cm, cs, corr,
                inTop);
        return table.sortDescendingOn("correlation");
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Histogram of the per-image maxima. */
    public BufferedImage histogram() {
        int bins = 40;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : maxima) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double width = hi > lo ? (hi - lo) / bins : 1;
        double[] counts = new double[bins];
        for (float v : maxima) {
            counts[Math.min(bins - 1, (int) ((v - lo) / width))]++;
        }
        List<String> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            xs.add(String.format(Locale.ROOT, "%.2f", lo + (b + 0.5) * width));
            ys.add(counts[b]);
        }
        CategoryChart chart = new CategoryChartBuilder().width(520).height(300)
                .title("max activation per image (" + maxima.length + " images)").xAxisTitle("activation")
                .yAxisTitle("images").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.95);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setXAxisTickMarkSpacingHint(60);
        chart.getStyler().setSeriesColors(new Color[] {new Color(0x1F77B4)});
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("images", xs, ys);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** The slot: the visualization when set, else a placeholder saying what will go there. */
    public BufferedImage visualizationSlot() {
        if (visualization != null) {
            return visualization;
        }
        BufferedImage img = new BufferedImage(180, 180, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0xF2F2F2));
            g.fillRect(0, 0, 180, 180);
            g.setColor(Color.GRAY);
            g.drawRect(0, 0, 179, 179);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("channel visualization", 28, 84);
            g.drawString("(feature optimization)", 26, 102);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Rows of up to eight top patches, each row followed by the guided backprop of its patches (the lecture's pairs). */
    private ImageGrid patchGrid() {
        List<TopPatchesResult.Hit> hits = top.hitsOfUnit(unit);
        List<BufferedImage> crops = top.cropsOfUnit(unit);
        List<BufferedImage> guided = top.guidedBackpropOfUnit(unit);
        int columns = Math.max(1, Math.min(8, hits.size()));
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int row = 0; row < hits.size(); row += columns) {
            for (int pass = 0; pass < 2; pass++) {
                for (int j = row; j < row + columns; j++) {
                    if (j >= hits.size()) {
                        cells.add(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
                        captions.add("");
                    } else if (pass == 0) {
                        TopPatchesResult.Hit h = hits.get(j);
                        String cls = labels[h.image()] >= 0 && labels[h.image()] < classNames.size()
                                ? classNames.get(labels[h.image()]) : "";
                        cells.add(crops.get(j));
                        captions.add(String.format(Locale.ROOT, "%.2f %s", h.value(), cls));
                    } else {
                        cells.add(guided.get(j));
                        captions.add("");
                    }
                }
            }
        }
        return ImageGrid.of(cells).columns(columns).cellSize(72).padding(3).captions(captions)
                .title("top-" + hits.size() + " patches, each above its guided backprop");
    }

    /** Patches, slot and histogram in one picture (the table is in the HTML view). */
    public BufferedImage render() {
        BufferedImage patches = patchGrid().render();
        BufferedImage slot = visualizationSlot();
        BufferedImage hist = histogram();
        int w = Math.max(patches.getWidth(), slot.getWidth() + 20 + hist.getWidth()) + 20;
        int h = 36 + patches.getHeight() + 10 + Math.max(slot.getHeight(), hist.getHeight()) + 10;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title(), 10, 24);
            g.drawImage(patches, 10, 36, null);
            int y = 36 + patches.getHeight() + 10;
            g.drawImage(slot, 10, y, null);
            g.drawImage(hist, 10 + slot.getWidth() + 20, y, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private String title() {
        return model + " " + layer + " unit " + unit + " on " + dataName;
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = Images.toPng(render());
        String html = "<div><img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\" style=\"max-width:100%\"/>" + TableHtml.of(classCorrelation()).html() + "</div>";
        return MimeBundle.png(png, toString()).with(MimeBundle.HTML, html);
    }

    @Override
    public String toString() {
        return "UnitPage[" + title() + "]";
    }
}
