package dev.neurolens.dissect;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Progress;
import dev.neurolens.display.TableHtml;
import dev.neurolens.generate.Generator;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * GAN Dissection (Bau et al., ICLR 2019) of one generator layer: which units draw which concept. Each unit's
 * activation map is upsampled (bilinear) to the image and thresholded at the unit's top quantile over all
 * samples and positions (by default the value exceeded by 1% of them); the IoU of that mask with each concept's
 * pixels, found by a {@link Segmenter} in the same generated images and summed over the samples, says how well
 * the unit matches the concept. Two passes over the same seeded codes: thresholds first, then IoU.
 *
 * <pre>{@code
 * Dissection d = Dissection.builder(generator, "layer3").segmenter(SceneSegmenter.builtin()).samples(200).run();
 * d.unitsFor("tree", 10);   // the ten units that best match trees
 * d.strip(d.unitsFor("tree", 1)[0]);
 * }</pre>
 * Immutable; shows a summary chart, the best units as a table and image strips of the best units.
 */
public final class Dissection implements Displayable {
    /** Units whose best IoU is below this are counted as matching no concept in the summary (as netdissect's 0.04). */
    public static final double MIN_IOU = 0.04;

    private final String layer;
    private final List<String> concepts;
    private final float[] thresholds;
    private final float[] activeMeans;
    private final double[][] iou;
    private final long[] conceptPixels;
    private final int samples;
    private final long seed;
    private final double quantile;
    private final boolean exactThresholds;
    private final int mapH;
    private final int mapW;
    private final int[][] topSamples;
    private final float[][][] topMaps;
    private final Map<Integer, BufferedImage> images;
    private final double seconds;

    private Dissection(Builder b, float[] thresholds, float[] activeMeans, double[][] iou, long[] conceptPixels, boolean exact, int mapH,
                       int mapW, int[][] topSamples, float[][][] topMaps, Map<Integer, BufferedImage> images,
                       double seconds) {
        this.layer = b.layer;
        this.concepts = List.copyOf(b.segmenter.concepts());
        this.thresholds = thresholds;
        this.activeMeans = activeMeans;
        this.iou = iou;
        this.conceptPixels = conceptPixels;
        this.samples = b.samples;
        this.seed = b.seed;
        this.quantile = b.quantile;
        this.exactThresholds = exact;
        this.mapH = mapH;
        this.mapW = mapW;
        this.topSamples = topSamples;
        this.topMaps = topMaps;
        this.images = Map.copyOf(images);
        this.seconds = seconds;
    }

    public static Builder builder(Generator generator, String layer) {
        return new Builder(generator, layer);
    }

    /** Dissects {@code layer} over 200 samples with the default settings. */
    public static Dissection of(Generator generator, String layer, Segmenter segmenter) {
        return builder(generator, layer).segmenter(segmenter).run();
    }

    public static final class Builder {
        private final Generator generator;
        private final String layer;
        private Segmenter segmenter;
        private int samples = 200;
        private int batch = 16;
        private double quantile = 0.99;
        private long seed = 1;
        private int topImages = 6;
        private int reservoir = 1 << 15;
        private boolean progress;

        private Builder(Generator generator, String layer) {
            this.generator = generator;
            this.layer = layer;
        }

        /** Labels concepts in the generated images (required), e.g. {@link SceneSegmenter#builtin()}. */
        public Builder segmenter(Segmenter s) {
            this.segmenter = s;
            return this;
        }

        /** Number of generated images (codes {@code generator.sampleZ(samples, seed)}). */
        public Builder samples(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("samples must be positive, got " + n);
            }
            this.samples = n;
            return this;
        }

        public Builder batch(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("batch must be positive, got " + n);
            }
            this.batch = n;
            return this;
        }

        /** The unit mask is where the upsampled activation exceeds this quantile of the unit's values (0.99). */
        public Builder quantile(double q) {
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("quantile must be in (0, 1), e.g. 0.99 for the top 1%; got " + q);
            }
            this.quantile = q;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Top-activating images kept per unit for {@link #strip}. */
        public Builder topImages(int k) {
            this.topImages = Math.max(1, k);
            return this;
        }

        /** Values kept per unit for its quantile; beyond it a uniform sample (thresholds then approximate). */
        public Builder reservoir(int values) {
            if (values < 100) {
                throw new IllegalArgumentException("keep at least 100 values per unit, got " + values);
            }
            this.reservoir = values;
            return this;
        }

        /** Show a progress bar while the two passes run. */
        public Builder progress(boolean on) {
            this.progress = on;
            return this;
        }

        public Dissection run() {
            if (segmenter == null) {
                throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) for the "
                        + "scenes GAN, or .segmenter(new ColorSegmenter()) for colour concepts in any image");
            }
            return Dissection.run(this);
        }
    }

    private static Dissection run(Builder b) {
        long start = System.nanoTime();
        Generator g = b.generator;
        Tensor z = g.sampleZ(b.samples, b.seed);
        int k = b.segmenter.concepts().size();
        Tally tally = null;
        int units = 0;
        int h = 0;
        int w = 0;
        float[][] maxima = null;
        try (Progress bar = b.progress ? Progress.builder().total(2L * b.samples)
                .label("dissecting " + b.layer).start() : null) {
            // pass 1: thresholds and each unit's top-activating samples
            for (int from = 0; from < b.samples; from += b.batch) {
                int n = Math.min(b.batch, b.samples - from);
                Map<String, Tensor> out = g.generate(slice(z, from, n), Forward.capture(b.layer));
                Tensor a = out.get(b.layer);
                long[] s = a.shape();
                if (s.length != 4) {
                    throw new IllegalArgumentException("layer '" + b.layer + "' gives " + Arrays.toString(s)
                            + "; dissection needs convolutional maps N x C x H x W; layers: " + g.layerNames());
                }
                if (tally == null) {
                    units = (int) s[1];
                    h = (int) s[2];
                    w = (int) s[3];
                    Tensor img = out.get(Generator.OUTPUT);
                    tally = new Tally(units, k, h, w, (int) img.dim(2), (int) img.dim(3), b.reservoir, b.seed);
                    maxima = new float[units][b.samples];
                }
                float[] v = a.toFloatArray();
                tally.addValues(v, n);
                int plane = h * w;
                for (int i = 0; i < n; i++) {
                    for (int u = 0; u < units; u++) {
                        float m = Float.NEGATIVE_INFINITY;
                        int base = (i * units + u) * plane;
                        for (int p = 0; p < plane; p++) {
                            m = Math.max(m, v[base + p]);
                        }
                        maxima[u][from + i] = m;
                    }
                }
                if (bar != null) {
                    bar.step(n);
                }
            }
            float[] thresholds = tally.thresholds(b.quantile);
            int kTop = Math.min(b.topImages, b.samples);
            int[][] top = new int[units][];
            Map<Integer, int[]> wanted = new HashMap<>();
            for (int u = 0; u < units; u++) {
                float[] m = maxima[u];
                top[u] = IntStream.range(0, b.samples).boxed()
                        .sorted(Comparator.comparingDouble((Integer i) -> -m[i]).thenComparing(i -> i))
                        .limit(kTop).mapToInt(Integer::intValue).toArray();
                for (int j = 0; j < kTop; j++) {
                    wanted.put(top[u][j], null);
                }
            }
            float[][][] topMaps = new float[units][kTop][];
            Map<Integer, BufferedImage> images = new HashMap<>();
            // pass 2: the same codes again, segmented, masks against concepts
            for (int from = 0; from < b.samples; from += b.batch) {
                int n = Math.min(b.batch, b.samples - from);
                Map<String, Tensor> out = g.generate(slice(z, from, n), Forward.capture(b.layer));
                Tensor img = out.get(Generator.OUTPUT);
                float[] v = out.get(b.layer).toFloatArray();
                int[][] labels = b.segmenter.segment(img);
                tally.addMasks(v, n, labels, thresholds);
                for (int i = 0; i < n; i++) {
                    if (wanted.containsKey(from + i)) {
                        images.put(from + i, Images.fromFloats(img.slice(i).toFloatArray(), Images.PixelRange.UNIT, img.slice(i).shape()));
                    }
                }
                int plane = h * w;
                for (int u = 0; u < units; u++) {
                    for (int j = 0; j < kTop; j++) {
                        int sIdx = top[u][j];
                        if (sIdx >= from && sIdx < from + n) {
                            int base = ((sIdx - from) * units + u) * plane;
                            topMaps[u][j] = Arrays.copyOfRange(v, base, base + plane);
                        }
                    }
                }
                if (bar != null) {
                    bar.step(n);
                }
            }
            return new Dissection(b, thresholds, tally.activeMeans(thresholds), tally.iou(), tally.conceptPixels(), tally.exact(), h, w, top,
                    topMaps, images, (System.nanoTime() - start) / 1e9);
        }
    }

    static Tensor slice(Tensor z, int from, int n) {
        long[] s = z.shape();
        int per = z.size() / (int) s[0];
        float[] all = z.toFloatArray();
        s[0] = n;
        return Tensor.of(Arrays.copyOfRange(all, from * per, (from + n) * per), s);
    }

    public String layer() {
        return layer;
    }

    public List<String> concepts() {
        return concepts;
    }

    public int units() {
        return thresholds.length;
    }

    public int samples() {
        return samples;
    }

    public long seed() {
        return seed;
    }

    public double quantile() {
        return quantile;
    }

    /** Whether the thresholds are exact quantiles (every value fit in the reservoir). */
    public boolean exactThresholds() {
        return exactThresholds;
    }

    /** Per-unit activation thresholds (copy). */
    public float[] thresholds() {
        return thresholds.clone();
    }

    public float threshold(int unit) {
        return thresholds[unit];
    }

    /**
     * The unit's mean activation where it exceeds its threshold: the value to set it to when inserting its
     * concept ({@link Intervention#insert}).
     */
    public float activeMean(int unit) {
        return activeMeans[unit];
    }

    /** {@link #activeMean} of several units. */
    public float[] activeMeans(int... units) {
        float[] v = new float[units.length];
        for (int i = 0; i < units.length; i++) {
            v[i] = activeMeans[units[i]];
        }
        return v;
    }

    public double seconds() {
        return seconds;
    }

    /** IoU of a unit's mask with a concept's pixels, summed over all samples. */
    public double iou(int unit, String concept) {
        return iou[unit][conceptIndex(concept)];
    }

    /** The full {@code [unit][concept]} IoU matrix (copy). */
    public double[][] iou() {
        double[][] c = new double[iou.length][];
        for (int u = 0; u < iou.length; u++) {
            c[u] = iou[u].clone();
        }
        return c;
    }

    /** Pixels of each concept the segmenter found over the samples. */
    public long conceptPixels(String concept) {
        return conceptPixels[conceptIndex(concept)];
    }

    /** The concept a unit matches best. */
    public String bestConcept(int unit) {
        return concepts.get(best(unit));
    }

    public double bestIoU(int unit) {
        return iou[unit][best(unit)];
    }

    private int best(int unit) {
        int b = 0;
        for (int c = 1; c < concepts.size(); c++) {
            if (iou[unit][c] > iou[unit][b]) {
                b = c;
            }
        }
        return b;
    }

    /** The {@code k} units with the highest IoU for {@code concept}, best first. */
    public int[] unitsFor(String concept, int k) {
        int c = conceptIndex(concept);
        return IntStream.range(0, units()).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -iou[u][c]).thenComparing(u -> u))
                .limit(Math.max(0, Math.min(k, units()))).mapToInt(Integer::intValue).toArray();
    }

    /** Units whose best concept is {@code concept} with IoU at least {@link #MIN_IOU}, per concept. */
    public Map<String, Integer> unitsPerConcept() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        for (String c : concepts) {
            m.put(c, 0);
        }
        for (int u = 0; u < units(); u++) {
            if (bestIoU(u) >= MIN_IOU) {
                m.merge(bestConcept(u), 1, Integer::sum);
            }
        }
        return m;
    }

    private int conceptIndex(String concept) {
        int c = concepts.indexOf(concept);
        if (c < 0) {
            throw new IllegalArgumentException("unknown concept '" + concept + "'; concepts: "
                    + String.join(", ", concepts));
        }
        return c;
    }

    /** One row per unit (unit, best concept, IoU, threshold), highest IoU first. */
    public Table table() {
        Integer[] order = IntStream.range(0, units()).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -bestIoU(u)).thenComparing(u -> u))
                .toArray(Integer[]::new);
        IntColumn unit = IntColumn.create("unit");
        StringColumn concept = StringColumn.create("concept");
        DoubleColumn score = DoubleColumn.create("IoU");
        DoubleColumn threshold = DoubleColumn.create("threshold");
        for (int u : order) {
            unit.append(u);
            concept.append(bestConcept(u));
            score.append(Math.round(bestIoU(u) * 1000) / 1000.0);
            threshold.append(Math.round(thresholds[u] * 1000) / 1000.0);
        }
        return Table.create(layer + " units by IoU", unit, concept, score, threshold);
    }

    /** Units per concept (left) and the IoU of the best units (right). */
    public ChartImage summaryChart() {
        return ChartImage.of(unitsChart()).size(560, 300);
    }

    private CategoryChart unitsChart() {
        Map<String, Integer> per = unitsPerConcept();
        List<String> names = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        per.forEach((c, n) -> {
            if (n > 0) {
                names.add(c);
                counts.add(n);
            }
        });
        if (names.isEmpty()) {
            names.add("none");
            counts.add(0);
        }
        CategoryChart chart = new CategoryChartBuilder().width(560).height(300)
                .title(layer + ": units per concept (IoU >= " + MIN_IOU + ")").xAxisTitle("concept")
                .yAxisTitle("units").build();
        style(chart, new Color(0x1F77B4));
        chart.addSeries("units", names, counts);
        return chart;
    }

    private CategoryChart iouChart(int n) {
        Integer[] order = IntStream.range(0, units()).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -bestIoU(u)).thenComparing(u -> u))
                .limit(n).toArray(Integer[]::new);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int u : order) {
            names.add(u + " " + bestConcept(u));
            values.add(bestIoU(u));
        }
        CategoryChart chart = new CategoryChartBuilder().width(560).height(300)
                .title("best " + order.length + " units").xAxisTitle("unit, concept").yAxisTitle("IoU").build();
        style(chart, new Color(0xFF7F0E));
        chart.getStyler().setXAxisLabelRotation(60);
        chart.addSeries("IoU", names, values);
        return chart;
    }

    private static void style(CategoryChart chart, Color color) {
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setSeriesColors(new Color[] {color});
    }

    /** Both summary charts side by side. */
    public BufferedImage renderSummary() {
        BufferedImage a = BitmapEncoder.getBufferedImage(unitsChart());
        BufferedImage b = BitmapEncoder.getBufferedImage(iouChart(20));
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        gr.setColor(Color.WHITE);
        gr.fillRect(0, 0, out.getWidth(), out.getHeight());
        gr.drawImage(a, 0, 0, null);
        gr.drawImage(b, a.getWidth(), 0, null);
        gr.dispose();
        return out;
    }

    /**
     * The unit's top-activating samples with its mask: outside dimmed, the mask's edge outlined in yellow.
     */
    public ImageGrid strip(int unit) {
        if (unit < 0 || unit >= units()) {
            throw new IllegalArgumentException("unit " + unit + " out of range: " + layer + " has " + units());
        }
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int j = 0; j < topSamples[unit].length; j++) {
            int s = topSamples[unit][j];
            BufferedImage img = images.get(s);
            tiles.add(highlight(img, mask(topMaps[unit][j], thresholds[unit], img.getHeight(), img.getWidth()), 2));
            captions.add("sample " + s);
        }
        return ImageGrid.of(tiles).captions(captions).columns(tiles.size())
                .title(String.format(Locale.ROOT, "%s unit %d: %s (IoU %.3f)", layer, unit, bestConcept(unit),
                        bestIoU(unit)));
    }

    /** Strips of the {@code k} best units for {@code concept}, one row each. */
    public ImageGrid strips(String concept, int k) {
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int cols = topSamples.length == 0 ? 1 : topSamples[0].length;
        for (int u : unitsFor(concept, k)) {
            for (int j = 0; j < topSamples[u].length; j++) {
                BufferedImage img = images.get(topSamples[u][j]);
                tiles.add(highlight(img, mask(topMaps[u][j], thresholds[u], img.getHeight(), img.getWidth()), 2));
                captions.add(j == 0 ? String.format(Locale.ROOT, "unit %d, IoU %.2f", u, iou(u, concept)) : "");
            }
        }
        return ImageGrid.of(tiles).captions(captions).columns(cols).title(layer + ": best units for " + concept);
    }

    private boolean[] mask(float[] map, float threshold, int imgH, int imgW) {
        float[] big = new Tally.Upsampler(mapH, mapW, imgH, imgW).apply(map);
        boolean[] m = new boolean[big.length];
        for (int p = 0; p < m.length; p++) {
            m[p] = big[p] > threshold;
        }
        return m;
    }

    /** {@code image} scaled by {@code scale}, dimmed outside {@code mask}, with the mask's boundary in yellow. */
    static BufferedImage highlight(BufferedImage image, boolean[] mask, int scale) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int sx = x / scale;
                int sy = y / scale;
                int rgb = image.getRGB(sx, sy);
                boolean in = mask[sy * w + sx];
                if (!in) {
                    int r = ((rgb >> 16) & 255) * 3 / 10 + 60;
                    int g = ((rgb >> 8) & 255) * 3 / 10 + 60;
                    int b = (rgb & 255) * 3 / 10 + 60;
                    rgb = (r << 16) | (g << 8) | b;
                } else if (edge(mask, w, h, sx, sy) && (x % scale == 0 || y % scale == 0
                        || x % scale == scale - 1 || y % scale == scale - 1)) {
                    rgb = 0xFFD700;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static boolean edge(boolean[] mask, int w, int h, int x, int y) {
        return x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1] || !mask[y * w + x + 1]
                || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x];
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = Images.toPng(renderSummary());
        StringBuilder html = new StringBuilder("<div><p>").append(dev.neurolens.display.Html.escape(toString())).append("</p>");
        html.append("<img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                .append("\" style=\"max-width:100%\"/>");
        html.append(TableHtml.of(table()).maxRows(15).html());
        Integer[] best = IntStream.range(0, units()).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -bestIoU(u)).thenComparing(u -> u))
                .limit(3).toArray(Integer[]::new);
        for (int u : best) {
            html.append("<img src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(strip(u).toPng())).append("\"/>");
        }
        html.append("</div>");
        return MimeBundle.png(png, toString()).with(MimeBundle.HTML, html.toString());
    }

    @Override
    public String toString() {
        Map<String, Integer> per = unitsPerConcept();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "Dissection[%s: %d units, %d samples, top %.1f%% threshold%s, %.1f s; units per concept:", layer,
                units(), samples, (1 - quantile) * 100, exactThresholds ? "" : " (sampled)", seconds));
        per.forEach((c, n) -> {
            if (n > 0) {
                s.append(' ').append(c).append(' ').append(n);
            }
        });
        return s.append(']').toString();
    }

}
