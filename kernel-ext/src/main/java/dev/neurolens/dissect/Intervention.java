package dev.neurolens.dissect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.Rendered;
import dev.neurolens.generate.Generator;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerHook;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Causal tests of dissected units (GAN Dissection, section 4): switch units off (ablation) or force them on
 * inside a region (insertion), and count with a {@link Segmenter} how the concept's pixels change over the same
 * seeded samples. Immutable settings; each test returns an immutable result showing before/after images.
 *
 * <pre>{@code
 * Intervention iv = Intervention.on(generator, "layer3").segmenter(seg).samples(100);
 * iv.ablate(d.unitsFor("tree", 20), "tree").reduction();        // share of tree pixels removed
 * iv.ablateRandom(20, "tree", 7).reduction();                    // the same number of random units
 * iv.insert(units, d.activeMeans(units), Intervention.rect(2, 4, 4, 6), "tree").successRate();
 * }</pre>
 */
public final class Intervention {
    private final Generator generator;
    private final String layer;
    private final Segmenter segmenter;
    private final int samples;
    private final long seed;
    private final int batch;
    private final int shown;
    private Run baseline;

    private Intervention(Generator generator, String layer, Segmenter segmenter, int samples, long seed, int batch,
                         int shown) {
        this.generator = generator;
        this.layer = layer;
        this.segmenter = segmenter;
        this.samples = samples;
        this.seed = seed;
        this.batch = batch;
        this.shown = shown;
    }

    /** Interventions on {@code layer} of {@code generator}: 100 samples, seed 1; set a segmenter before use. */
    public static Intervention on(Generator generator, String layer) {
        return new Intervention(generator, layer, null, 100, 1, 16, 6);
    }

    public Intervention segmenter(Segmenter s) {
        return new Intervention(generator, layer, s, samples, seed, batch, shown);
    }

    /** Number of samples (codes {@code generator.sampleZ(n, seed)}). */
    public Intervention samples(int n) {
        Check.atLeastOne("samples", n);
        return new Intervention(generator, layer, segmenter, n, seed, batch, shown);
    }

    public Intervention seed(long s) {
        return new Intervention(generator, layer, segmenter, samples, s, batch, shown);
    }

    public Intervention batch(int n) {
        return new Intervention(generator, layer, segmenter, samples, seed, Math.max(1, n), shown);
    }

    /** Samples shown before/after in the results' pictures. */
    public Intervention shown(int n) {
        return new Intervention(generator, layer, segmenter, samples, seed, batch, Math.max(0, n));
    }

    /**
     * A hook that sets {@code units} to {@code values} (one per unit) where {@code region} (at the layer's
     * resolution, {@code [y][x]}) is true; {@code region == null} means everywhere. Zeros ablate.
     */
    public static LayerHook set(int[] units, float[] values, boolean[][] region) {
        if (values.length != units.length) {
            throw new IllegalArgumentException(units.length + " units but " + values.length + " values");
        }
        int[] us = units.clone();
        float[] vs = values.clone();
        return out -> {
            Shape s = out.getShape();
            int c = (int) s.get(1);
            int h = (int) s.get(2);
            int w = (int) s.get(3);
            if (region != null && (region.length != h || region[0].length != w)) {
                throw new IllegalArgumentException("the region is " + region.length + "x" + region[0].length
                        + " but " + "the layer's maps are " + h + "x" + w);
            }
            float[] keep = new float[c * h * w];
            float[] add = new float[c * h * w];
            Arrays.fill(keep, 1f);
            for (int i = 0; i < us.length; i++) {
                int u = us[i];
                if (u < 0 || u >= c) {
                    throw new IllegalArgumentException("unit " + u + " out of range: the layer has " + c);
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (region == null || region[y][x]) {
                            keep[(u * h + y) * w + x] = 0f;
                            add[(u * h + y) * w + x] = vs[i];
                        }
                    }
                }
            }
            NDArray k = out.getManager().create(keep, new Shape(1, c, h, w));
            NDArray a = out.getManager().create(add, new Shape(1, c, h, w));
            return out.mul(k).add(a);
        };
    }

    /** Zeros {@code units} where {@code region} is true (everywhere when null). */
    public static LayerHook zero(int[] units, boolean[][] region) {
        return set(units, new float[units.length], region);
    }

    /** A rectangle of feature-map cells {@code [y0, y1) x [x0, x1)} in an {@code h x w} layer. */
    public static boolean[][] rect(int h, int w, int y0, int x0, int y1, int x1) {
        if (y0 < 0 || x0 < 0 || y1 > h || x1 > w || y0 >= y1 || x0 >= x1) {
            throw new IllegalArgumentException("rectangle [" + y0 + ", " + y1 + ") x [" + x0 + ", " + x1
                    + ") is empty or outside the " + h + "x" + w + " maps");
        }
        boolean[][] r = new boolean[h][w];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                r[y][x] = true;
            }
        }
        return r;
    }

    /** Images and label maps for the samples, with {@code hook} on the layer (null: unchanged). */
    private Run generate(LayerHook hook) {
        if (segmenter == null) {
            throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) first");
        }
        Tensor z = generator.sampleZ(samples, seed);
        int[][] labels = new int[samples][];
        List<BufferedImage> images = new ArrayList<>();
        long[] layerShape = null;
        long[] imageShape = null;
        for (int from = 0; from < samples; from += batch) {
            int n = Math.min(batch, samples - from);
            Forward spec = Forward.capture(layer);
            if (hook != null) {
                spec = spec.hook(layer, hook);
            }
            Map<String, Tensor> out = generator.generate(z.rows(from, n), spec);
            Tensor img = out.get(Generator.OUTPUT);
            layerShape = out.get(layer).shape();
            imageShape = img.shape();
            int[][] l = segmenter.segment(img);
            System.arraycopy(l, 0, labels, from, n);
            for (int i = 0; i < n && from + i < shown; i++) {
                images.add(Images.fromFloats(img.slice(i).toFloatArray(), Images.PixelRange.UNIT, img.slice(i).shape()));
            }
        }
        return new Run(labels, images, layerShape, imageShape);
    }

    /** The unedited samples, computed once per configuration: every ablation and insertion compares with them. */
    private synchronized Run baseline() {
        if (baseline == null) {
            baseline = generate(null);
        }
        return baseline;
    }

    private record Run(int[][] labels, List<BufferedImage> images, long[] layerShape, long[] imageShape) {
    }

    /** Switches {@code units} off everywhere and counts the concept's pixels before and after. */
    public Ablation ablate(int[] units, String concept) {
        return ablate(units, null, concept);
    }

    /** Switches {@code units} off inside {@code region} (layer resolution; null = everywhere). */
    public Ablation ablate(int[] units, boolean[][] region, String concept) {
        int c = conceptOrThrow(concept);
        Run before = baseline();
        Run after = generate(zero(units, region));
        return new Ablation(layer, concept, units.clone(), counts(before.labels, c, null), counts(after.labels, c, null),
                before.images, after.images);
    }

    /** Ablates {@code k} units drawn at random (seeded) from the layer: the baseline for {@link #ablate}. */
    public Ablation ablateRandom(int k, String concept, long unitSeed) {
        int channels = (int) generator.generate(generator.sampleZ(1, 0), Forward.capture(layer)).get(layer).dim(1);
        return ablate(randomUnits(channels, k, unitSeed), concept);
    }

    /** {@code k} distinct units of {@code channels}, seeded. */
    public static int[] randomUnits(int channels, int k, long seed) {
        if (k > channels) {
            throw new IllegalArgumentException("cannot draw " + k + " of " + channels + " units");
        }
        List<Integer> all = new ArrayList<>();
        for (int u = 0; u < channels; u++) {
            all.add(u);
        }
        java.util.Collections.shuffle(all, new Random(seed));
        return all.subList(0, k).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Sets {@code units} to {@code values} inside {@code region} (layer resolution) and counts the concept's
     * pixels inside the matching image region before and after; a sample counts as a success when the concept
     * grew there by at least {@code minShare} of the region (default 10%).
     */
    public Insertion insert(int[] units, float[] values, boolean[][] region, String concept) {
        return insert(units, values, region, concept, 0.1);
    }

    public Insertion insert(int[] units, float[] values, boolean[][] region, String concept, double minShare) {
        int c = conceptOrThrow(concept);
        Run before = baseline();
        Run after = generate(set(units, values, region));
        boolean[] imageRegion = imageRegion(region, (int) before.imageShape[2], (int) before.imageShape[3]);
        return new Insertion(layer, concept, units.clone(), region, imageRegion, counts(before.labels, c, imageRegion),
                counts(after.labels, c, imageRegion), minShare, before.images, after.images,
                (int) before.imageShape[2], (int) before.imageShape[3]);
    }

    /**
     * Insertion at every {@code cell x cell} square of the layer's grid (stride {@code cell}): where does forcing
     * the units on make the concept appear? Context matters: a door needs a wall.
     */
    public InsertionMap insertEverywhere(int[] units, float[] values, int cell, String concept) {
        long[] s = generator.generate(generator.sampleZ(1, 0), Forward.capture(layer)).get(layer).shape();
        int h = (int) s[2];
        int w = (int) s[3];
        List<Insertion> all = new ArrayList<>();
        int rows = 0;
        int cols = 0;
        for (int y = 0; y + cell <= h; y += cell) {
            rows++;
            cols = 0;
            for (int x = 0; x + cell <= w; x += cell) {
                cols++;
                all.add(insert(units, values, rect(h, w, y, x, y + cell, x + cell), concept));
            }
        }
        return new InsertionMap(layer, concept, units.clone(), rows, cols, all);
    }

    private static boolean[] imageRegion(boolean[][] region, int imgH, int imgW) {
        int h = region.length;
        int w = region[0].length;
        boolean[] r = new boolean[imgH * imgW];
        for (int y = 0; y < imgH; y++) {
            for (int x = 0; x < imgW; x++) {
                r[y * imgW + x] = region[y * h / imgH][x * w / imgW];
            }
        }
        return r;
    }

    private static long[] counts(int[][] labels, int c, boolean[] within) {
        long[] n = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            for (int p = 0; p < labels[i].length; p++) {
                if (labels[i][p] == c && (within == null || within[p])) {
                    n[i]++;
                }
            }
        }
        return n;
    }

    private int conceptOrThrow(String concept) {
        if (segmenter == null) {
            throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) first");
        }
        return segmenter.concept(concept);
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    private static BufferedImage beforeAfter(List<BufferedImage> before, List<BufferedImage> after, String title,
                                             List<String> captions) {
        List<BufferedImage> tiles = new ArrayList<>(before);
        tiles.addAll(after);
        return ImageGrid.of(tiles).columns(Math.max(1, before.size())).captions(captions).title(title).render();
    }

    /** Concept pixels per sample before and after switching units off. */
    public static final class Ablation implements Rendered {
        private final String layer;
        private final String concept;
        private final int[] units;
        private final long[] before;
        private final long[] after;
        private final List<BufferedImage> beforeImages;
        private final List<BufferedImage> afterImages;

        private Ablation(String layer, String concept, int[] units, long[] before, long[] after,
                         List<BufferedImage> beforeImages, List<BufferedImage> afterImages) {
            this.layer = layer;
            this.concept = concept;
            this.units = units;
            this.before = before;
            this.after = after;
            this.beforeImages = List.copyOf(beforeImages);
            this.afterImages = List.copyOf(afterImages);
        }

        public int[] units() {
            return units.clone();
        }

        public String concept() {
            return concept;
        }

        public long pixelsBefore() {
            return sum(before);
        }

        public long pixelsAfter() {
            return sum(after);
        }

        /** Concept pixels per sample before (copy). */
        public long[] before() {
            return before.clone();
        }

        public long[] after() {
            return after.clone();
        }

        /** Share of the concept's pixels removed: {@code 1 - after / before} (0 when there were none). */
        public double reduction() {
            long b = pixelsBefore();
            return b == 0 ? 0 : 1 - pixelsAfter() / (double) b;
        }

        public BufferedImage render() {
            List<String> caps = new ArrayList<>();
            for (int i = 0; i < beforeImages.size(); i++) {
                caps.add(concept + " " + before[i] + " px");
            }
            for (int i = 0; i < afterImages.size(); i++) {
                caps.add("ablated: " + after[i] + " px");
            }
            return beforeAfter(beforeImages, afterImages, toString(), caps);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Ablation[%d units of %s: %s pixels %d -> %d, %.1f%% removed, %d samples]",
                    units.length, layer, concept, pixelsBefore(), pixelsAfter(), 100 * reduction(), before.length);
        }
    }

    /** Concept pixels inside a region per sample before and after forcing units on there. */
    public static final class Insertion implements Rendered {
        private final String layer;
        private final String concept;
        private final int[] units;
        private final boolean[][] region;
        private final boolean[] imageRegion;
        private final long[] before;
        private final long[] after;
        private final double minShare;
        private final List<BufferedImage> beforeImages;
        private final List<BufferedImage> afterImages;
        private final int imgH;
        private final int imgW;

        private Insertion(String layer, String concept, int[] units, boolean[][] region, boolean[] imageRegion,
                          long[] before, long[] after, double minShare, List<BufferedImage> beforeImages,
                          List<BufferedImage> afterImages, int imgH, int imgW) {
            this.layer = layer;
            this.concept = concept;
            this.units = units;
            this.region = region;
            this.imageRegion = imageRegion;
            this.before = before;
            this.after = after;
            this.minShare = minShare;
            this.beforeImages = List.copyOf(beforeImages);
            this.afterImages = List.copyOf(afterImages);
            this.imgH = imgH;
            this.imgW = imgW;
        }

        public String concept() {
            return concept;
        }

        public int[] units() {
            return units.clone();
        }

        /** Pixels of the image region. */
        public int regionPixels() {
            int n = 0;
            for (boolean b : imageRegion) {
                n += b ? 1 : 0;
            }
            return n;
        }

        public long[] before() {
            return before.clone();
        }

        public long[] after() {
            return after.clone();
        }

        /** Per sample: did the concept grow inside the region by at least {@code minShare} of it? */
        public boolean[] succeeded() {
            boolean[] s = new boolean[before.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = after[i] - before[i] >= minShare * regionPixels();
            }
            return s;
        }

        public double successRate() {
            int n = 0;
            for (boolean b : succeeded()) {
                n += b ? 1 : 0;
            }
            return n / (double) before.length;
        }

        /** Mean concept pixels added inside the region per sample. */
        public double meanAdded() {
            return (sum(after) - sum(before)) / (double) before.length;
        }

        public BufferedImage render() {
            List<BufferedImage> b = new ArrayList<>();
            List<BufferedImage> a = new ArrayList<>();
            for (BufferedImage img : beforeImages) {
                b.add(outline(img));
            }
            for (BufferedImage img : afterImages) {
                a.add(outline(img));
            }
            List<String> caps = new ArrayList<>();
            for (int i = 0; i < b.size(); i++) {
                caps.add(concept + " " + before[i] + " px");
            }
            boolean[] ok = succeeded();
            for (int i = 0; i < a.size(); i++) {
                caps.add((ok[i] ? "appeared: " : "no: ") + after[i] + " px");
            }
            return beforeAfter(b, a, toString(), caps);
        }

        private BufferedImage outline(BufferedImage img) {
            int scale = 2;
            BufferedImage out = Images.upscale(img, scale);
            Graphics2D g = out.createGraphics();
            g.setColor(new Color(0xFFD700));
            for (int y = 0; y < imgH; y++) {
                for (int x = 0; x < imgW; x++) {
                    boolean in = imageRegion[y * imgW + x];
                    boolean edge = in && (x == 0 || y == 0 || x == imgW - 1 || y == imgH - 1
                            || !imageRegion[y * imgW + x - 1] || !imageRegion[y * imgW + x + 1]
                            || !imageRegion[(y - 1) * imgW + x] || !imageRegion[(y + 1) * imgW + x]);
                    if (edge) {
                        g.fillRect(x * scale, y * scale, scale, scale);
                    }
                }
            }
            g.dispose();
            return out;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Insertion[%d units of %s: %s appeared in %.0f%% of %d samples, "
                    + "%+.1f px in a %d px region]", units.length, layer, concept, 100 * successRate(), before.length,
                    meanAdded(), regionPixels());
        }
    }

    /** Insertion success per location of the layer's grid: where a concept can be painted. */
    public static final class InsertionMap implements Rendered {
        private final String layer;
        private final String concept;
        private final int[] units;
        private final int rows;
        private final int cols;
        private final List<Insertion> cells;

        private InsertionMap(String layer, String concept, int[] units, int rows, int cols, List<Insertion> cells) {
            this.layer = layer;
            this.concept = concept;
            this.units = units;
            this.rows = rows;
            this.cols = cols;
            this.cells = List.copyOf(cells);
        }

        public Insertion at(int row, int col) {
            return cells.get(row * cols + col);
        }

        /** Success rate per location, {@code [row][col]}. */
        public double[][] successRates() {
            double[][] r = new double[rows][cols];
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    r[y][x] = at(y, x).successRate();
                }
            }
            return r;
        }

        public Table table() {
            IntColumn row = IntColumn.create("row");
            IntColumn col = IntColumn.create("col");
            DoubleColumn rate = DoubleColumn.create("success rate");
            DoubleColumn added = DoubleColumn.create("pixels added");
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    row.append(y);
                    col.append(x);
                    rate.append(Math.round(at(y, x).successRate() * 1000) / 1000.0);
                    added.append(Math.round(at(y, x).meanAdded() * 10) / 10.0);
                }
            }
            return Table.create(concept + " insertion in " + layer, row, col, rate, added);
        }

        /** A grid of the success rate per location (white 0 .. dark green 1) with the rate written in. */
        public BufferedImage render() {
            int cell = 48;
            BufferedImage out = new BufferedImage(cols * cell, rows * cell + 18, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setColor(Color.BLACK);
            g.drawString(concept + " insertion success", 2, 13);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    double r = at(y, x).successRate();
                    g.setColor(new Color((int) (255 - 215 * r), (int) (255 - 120 * r), (int) (255 - 215 * r)));
                    g.fillRect(x * cell, 18 + y * cell, cell - 1, cell - 1);
                    g.setColor(r > 0.5 ? Color.WHITE : Color.BLACK);
                    g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * r), x * cell + 10, 18 + y * cell + 28);
                }
            }
            g.dispose();
            return out;
        }

        @Override
        public String toString() {
            double mean = 0;
            double lo = 1;
            double hi = 0;
            for (Insertion i : cells) {
                mean += i.successRate() / cells.size();
                lo = Math.min(lo, i.successRate());
                hi = Math.max(hi, i.successRate());
            }
            return String.format(Locale.ROOT, "InsertionMap[%d units of %s, %s: %dx%d locations, success %.0f%% "
                    + "(min %.0f%%, max %.0f%%)]", units.length, layer, concept, rows, cols, 100 * mean, 100 * lo,
                    100 * hi);
        }
    }

}
