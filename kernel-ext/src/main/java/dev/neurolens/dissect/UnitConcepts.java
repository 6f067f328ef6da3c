package dev.neurolens.dissect;

import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.Progress;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What GAN dissection ({@link Dissection}) and network dissection ({@link NetworkDissection}) share: the two
 * passes over a layer's activations (thresholds, then unit masks against concept masks through {@link Tally}),
 * and what follows from the IoU matrix (best concept per unit, ranking, table, charts, image strips). The two
 * differ only in where a batch of activations and images comes from: a generator's codes or a classifier's
 * inputs. Immutable once built.
 */
final class UnitConcepts {
    /**
     * A batch of {@code n} samples: the layer's maps {@code n x U x h x w} and the images {@code n x 3 x H x W} in
     * [0, 1], with their concept labels when the data set has them (Broden masks), else null for the segmenter.
     */
    record Batch(Tensor activations, Tensor images, int[][] labels) {
        Batch(Tensor activations, Tensor images) {
            this(activations, images, null);
        }
    }

    /** Samples {@code [from, from + n)}; asked twice for the same range, so it must be deterministic. */
    @FunctionalInterface
    interface Source {
        Batch batch(int from, int n);
    }

    final String layer;
    final List<String> concepts;
    final float[] thresholds;
    final float[] activeMeans;
    final double[][] iou;
    final long[] conceptPixels;
    final boolean exact;
    final int mapH;
    final int mapW;
    final int[][] topSamples;
    final float[][][] topMaps;
    final Map<Integer, BufferedImage> images;

    private UnitConcepts(String layer, List<String> concepts, float[] thresholds, float[] activeMeans,
                         double[][] iou, long[] conceptPixels, boolean exact, int mapH, int mapW, int[][] topSamples,
                         float[][][] topMaps, Map<Integer, BufferedImage> images) {
        this.layer = layer;
        this.concepts = List.copyOf(concepts);
        this.thresholds = thresholds;
        this.activeMeans = activeMeans;
        this.iou = iou;
        this.conceptPixels = conceptPixels;
        this.exact = exact;
        this.mapH = mapH;
        this.mapW = mapW;
        this.topSamples = topSamples;
        this.topMaps = topMaps;
        this.images = Map.copyOf(images);
    }

    /** Both passes over all {@code samples} in this JVM: {@link #pass1}, then {@link #pass2}, then {@link #of}. */
    static UnitConcepts run(Source src, int samples, int batch, String layer, Supplier<String> layers,
                            Segmenter segmenter, double quantile, int reservoir, long seed, int topImages,
                            Progress bar) {
        Pass1 p1 = pass1(src, 0, samples, samples, batch, layer, layers, segmenter.concepts().size(), quantile,
                reservoir, seed, topImages, bar);
        float[] thresholds = p1.tally().thresholds();
        int[][] top = p1.best().ids();
        Pass2 p2 = pass2(src, 0, samples, batch, p1.tally().countsLike(), segmenter, thresholds, top, bar);
        return of(layer, segmenter, p1, thresholds, top, p2);
    }

    /** What pass 1 of some samples gives: each unit's value sketch and its best samples. Merges in place. */
    record Pass1(Tally tally, BestSamples best) implements java.io.Serializable {
        Pass1 merge(Pass1 other) {
            tally.merge(other.tally);
            best.merge(other.best);
            return this;
        }
    }

    /**
     * What pass 2 of some samples gives: the mask/concept counts, and the maps ({@code unit << 32 | rank}) and
     * pictures of the best samples among them. Merges in place.
     */
    record Pass2(Tally tally, HashMap<Long, float[]> maps, HashMap<Integer, float[]> pictures, long[] pictureShape)
            implements java.io.Serializable {
        Pass2 merge(Pass2 other) {
            tally.merge(other.tally);
            maps.putAll(other.maps);
            pictures.putAll(other.pictures);
            return other.pictureShape != null && pictureShape == null
                    ? new Pass2(tally, maps, pictures, other.pictureShape) : this;
        }
    }

    /**
     * Pass 1 over samples {@code [from, to)} of {@code samples}: every unit's values (for its {@code quantile}
     * threshold) and each sample's maximum (for the unit's top images).
     *
     * @param layers the layer names, for the error when the layer is not convolutional
     */
    static Pass1 pass1(Source src, int from, int to, int samples, int batch, String layer, Supplier<String> layers,
                       int concepts, double quantile, int reservoir, long seed, int topImages, Progress bar) {
        Tally tally = null;
        BestSamples best = null;
        for (int at = from; at < to; at += batch) {
            int n = Math.min(batch, to - at);
            Batch bt = src.batch(at, n);
            Tensor a = bt.activations();
            long[] s = a.shape();
            if (s.length != 4) {
                throw new IllegalArgumentException("layer '" + layer + "' gives " + Arrays.toString(s)
                        + "; dissection needs convolutional maps N x C x H x W; layers: " + layers.get());
            }
            int units = (int) s[1];
            int plane = (int) (s[2] * s[3]);
            if (tally == null) {
                tally = new Tally(units, concepts, (int) s[2], (int) s[3], (int) bt.images().dim(2),
                        (int) bt.images().dim(3), quantile, (long) samples * plane, reservoir, seed);
                best = new BestSamples(units, Math.min(topImages, samples));
            }
            float[] v = a.toFloatArray();
            tally.addValues(v, n, at);
            for (int i = 0; i < n; i++) {
                for (int u = 0; u < units; u++) {
                    float m = Float.NEGATIVE_INFINITY;
                    int base = (i * units + u) * plane;
                    for (int p = 0; p < plane; p++) {
                        m = Math.max(m, v[base + p]);
                    }
                    best.offer(u, at + i, m);
                }
            }
            if (bar != null) {
                bar.step(n);
            }
        }
        return new Pass1(tally, best);
    }

    /** Pass 2 over samples {@code [from, to)}: unit masks against concept masks, into {@code empty}. */
    static Pass2 pass2(Source src, int from, int to, int batch, Tally empty, Segmenter segmenter,
                       float[] thresholds, int[][] top, Progress bar) {
        HashMap<Long, float[]> maps = new HashMap<>();
        HashMap<Integer, float[]> pictures = new HashMap<>();
        java.util.Set<Integer> wanted = new java.util.HashSet<>();
        for (int[] t : top) {
            for (int id : t) {
                wanted.add(id);
            }
        }
        long[] shape = null;
        for (int at = from; at < to; at += batch) {
            int n = Math.min(batch, to - at);
            Batch bt = src.batch(at, n);
            Tensor img = bt.images();
            Tensor a = bt.activations();
            float[] v = a.toFloatArray();
            int[][] labels = bt.labels() != null ? bt.labels() : segmenter.segment(img);
            empty.addMasks(v, n, labels, thresholds);
            for (int i = 0; i < n; i++) {
                if (wanted.contains(at + i)) {
                    Tensor one = img.slice(i);
                    pictures.put(at + i, one.toFloatArray());
                    shape = one.shape();
                }
            }
            int units = (int) a.dim(1);
            int plane = (int) (a.dim(2) * a.dim(3));
            for (int u = 0; u < units; u++) {
                for (int j = 0; j < top[u].length; j++) {
                    int id = top[u][j];
                    if (id >= at && id < at + n) {
                        int base = ((id - at) * units + u) * plane;
                        maps.put((long) u << 32 | j, Arrays.copyOfRange(v, base, base + plane));
                    }
                }
            }
            if (bar != null) {
                bar.step(n);
            }
        }
        return new Pass2(empty, maps, pictures, shape);
    }

    /** The result of both passes (merged over all samples). */
    static UnitConcepts of(String layer, Segmenter segmenter, Pass1 p1, float[] thresholds, int[][] top, Pass2 p2) {
        Tally t = p2.tally();
        int units = thresholds.length;
        float[][][] topMaps = new float[units][][];
        for (int u = 0; u < units; u++) {
            topMaps[u] = new float[top[u].length][];
            for (int j = 0; j < top[u].length; j++) {
                topMaps[u][j] = p2.maps().get((long) u << 32 | j);
            }
        }
        Map<Integer, BufferedImage> images = new HashMap<>();
        p2.pictures().forEach((id, px) -> images.put(id, Images.fromFloats(px, Images.PixelRange.UNIT,
                p2.pictureShape())));
        return new UnitConcepts(layer, segmenter.concepts(), thresholds, t.activeMeans(thresholds), t.iou(),
                t.conceptPixels(), p1.tally().exact(), p1.tally().mapH(), p1.tally().mapW(), top, topMaps, images);
    }

    int units() {
        return thresholds.length;
    }

    double[][] iouCopy() {
        double[][] c = new double[iou.length][];
        for (int u = 0; u < iou.length; u++) {
            c[u] = iou[u].clone();
        }
        return c;
    }

    int best(int unit) {
        int b = 0;
        for (int c = 1; c < concepts.size(); c++) {
            if (iou[unit][c] > iou[unit][b]) {
                b = c;
            }
        }
        return b;
    }

    String bestConcept(int unit) {
        return concepts.get(best(unit));
    }

    double bestIoU(int unit) {
        return iou[unit][best(unit)];
    }

    int conceptIndex(String concept) {
        int c = concepts.indexOf(concept);
        if (c < 0) {
            throw new IllegalArgumentException("unknown concept '" + concept + "'; concepts: "
                    + String.join(", ", concepts));
        }
        return c;
    }

    /** Up to {@code k} units whose IoU for {@code concept} is at least {@code minIoU}, highest first. */
    int[] unitsFor(String concept, int k, double minIoU) {
        int c = conceptIndex(concept);
        return IntStream.range(0, units()).boxed().filter(u -> iou[u][c] >= minIoU)
                .sorted(Comparator.comparingDouble((Integer u) -> -iou[u][c]).thenComparing(u -> u))
                .limit(Math.max(0, Math.min(k, units()))).mapToInt(Integer::intValue).toArray();
    }

    /** Units whose best concept is each concept with IoU at least {@code minIoU}. */
    Map<String, Integer> unitsPerConcept(double minIoU) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String c : concepts) {
            m.put(c, 0);
        }
        for (int u = 0; u < units(); u++) {
            if (bestIoU(u) >= minIoU) {
                m.merge(bestConcept(u), 1, Integer::sum);
            }
        }
        return m;
    }

    Integer[] byBestIoU() {
        return IntStream.range(0, units()).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -bestIoU(u)).thenComparing(u -> u))
                .toArray(Integer[]::new);
    }

    /** One row per unit (unit, best concept, IoU, threshold), highest IoU first. */
    Table table() {
        IntColumn unit = IntColumn.create("unit");
        StringColumn concept = StringColumn.create("concept");
        DoubleColumn score = DoubleColumn.create("IoU");
        DoubleColumn threshold = DoubleColumn.create("threshold");
        for (int u : byBestIoU()) {
            unit.append(u);
            concept.append(bestConcept(u));
            score.append(Math.round(bestIoU(u) * 1000) / 1000.0);
            threshold.append(Math.round(thresholds[u] * 1000) / 1000.0);
        }
        return Table.create(layer + " units by IoU", unit, concept, score, threshold);
    }

    CategoryChart unitsChart(double minIoU) {
        List<String> names = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        unitsPerConcept(minIoU).forEach((c, n) -> {
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
                .title(layer + ": units per concept (IoU >= " + minIoU + ")").xAxisTitle("concept")
                .yAxisTitle("units").build();
        style(chart, new Color(0x1F77B4));
        chart.addSeries("units", names, counts);
        return chart;
    }

    CategoryChart iouChart(int n) {
        Integer[] order = Arrays.copyOf(byBestIoU(), Math.min(n, units()));
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

    static void style(CategoryChart chart, Color color) {
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setSeriesColors(new Color[] {color});
    }

    /** Units per concept and the IoU of the 20 best units, side by side. */
    BufferedImage renderSummary(double minIoU) {
        return beside(BitmapEncoder.getBufferedImage(unitsChart(minIoU)), BitmapEncoder.getBufferedImage(iouChart(20)));
    }

    static BufferedImage beside(BufferedImage a, BufferedImage b) {
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

    /** The unit's top-activating samples with its mask: outside dimmed, the mask's edge outlined in yellow. */
    ImageGrid strip(int unit, String sampleWord) {
        if (unit < 0 || unit >= units()) {
            throw new IllegalArgumentException("unit " + unit + " out of range: " + layer + " has " + units());
        }
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int j = 0; j < topSamples[unit].length; j++) {
            int s = topSamples[unit][j];
            tiles.add(topTile(unit, j));
            captions.add(sampleWord + " " + s);
        }
        return ImageGrid.of(tiles).captions(captions).columns(tiles.size())
                .title(String.format(Locale.ROOT, "%s unit %d: %s (IoU %.3f)", layer, unit, bestConcept(unit),
                        bestIoU(unit)));
    }

    /** Strips of the {@code k} best units for {@code concept}, one row each. */
    ImageGrid strips(String concept, int k, double minIoU) {
        int c = conceptIndex(concept);
        int[] units = unitsFor(concept, k, minIoU);
        if (units.length == 0) {
            int best = unitsFor(concept, 1, Double.NEGATIVE_INFINITY)[0];
            throw new IllegalArgumentException(String.format(Locale.ROOT, "no unit of %s reaches IoU %.2f for '%s' "
                    + "(the best, unit %d, has %.3f); strips(\"%s\", %d, 0) shows the best units anyway", layer, minIoU,
                    concept, best, iou[best][c], concept, k));
        }
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int cols = topSamples.length == 0 ? 1 : Math.max(1, topSamples[0].length);
        for (int u : units) {
            for (int j = 0; j < topSamples[u].length; j++) {
                tiles.add(topTile(u, j));
                captions.add(j == 0 ? String.format(Locale.ROOT, "unit %d, IoU %.2f", u, iou[u][c]) : "");
            }
        }
        String title = minIoU > 0 ? layer + ": best units for " + concept + (units.length < k
                ? String.format(Locale.ROOT, " (%d of the %d asked reach IoU %.2f)", units.length, k, minIoU) : "")
                : layer + ": the " + units.length + " units with the highest IoU for " + concept + ", labelled or not";
        return ImageGrid.of(tiles).captions(captions).columns(cols).title(title);
    }

    /** The {@code j}-th top image of {@code unit}, its mask outlined. */
    BufferedImage topTile(int unit, int j) {
        BufferedImage img = images.get(topSamples[unit][j]);
        return highlight(img, mask(topMaps[unit][j], thresholds[unit], img.getHeight(), img.getWidth()), 2);
    }

    /** The unit mask: the map upsampled (bilinear) to the image, above the threshold. */
    boolean[] mask(float[] map, float threshold, int imgH, int imgW) {
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
}
