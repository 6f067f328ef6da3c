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
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GAN Dissection (Bau et al., ICLR 2019) of one generator layer: which units draw which concept. Each unit's
 * activation map is upsampled (bilinear) to the image and thresholded at the unit's top quantile over all
 * samples and positions (by default the value exceeded by 1% of them); the IoU of that mask with each concept's
 * pixels, found by a {@link Segmenter} in the same generated images and summed over the samples, says how well
 * the unit matches the concept. Two passes over the same seeded codes: thresholds first, then IoU.
 *
 * <pre>{@code
 * Dissection d = Dissection.builder(generator, "layer3").segmenter(SceneSegmenter.builtin()).samples(200).run();
 * d.unitsFor("tree", 10);   // up to ten units whose tree IoU reaches 0.04, best first
 * d.strip(d.unitsFor("tree", 1)[0]);
 * }</pre>
 * Immutable; shows a summary chart, the best units as a table and image strips of the best units.
 */
public final class Dissection implements Displayable {
    /** Units whose best IoU is below this are counted as matching no concept in the summary (as netdissect's 0.04). */
    public static final double MIN_IOU = 0.04;

    private final UnitConcepts core;
    private final int samples;
    private final long seed;
    private final double quantile;
    private final double seconds;

    private Dissection(Builder b, UnitConcepts core, double seconds) {
        this.core = core;
        this.samples = b.steps();
        this.seed = b.seed();
        this.quantile = b.quantile;
        this.seconds = seconds;
    }

    public static Builder builder(Generator generator, String layer) {
        return new Builder(generator, layer);
    }

    /** Dissects {@code layer} over 200 samples with the default settings. */
    public static Dissection of(Generator generator, String layer, Segmenter segmenter) {
        return builder(generator, layer).segmenter(segmenter).run();
    }

    public static final class Builder extends RunBuilder<Builder> {
        private final Generator generator;
        private final String layer;
        private Segmenter segmenter;
        private int batch = 16;
        private double quantile = 0.99;
        private int topImages = 6;
        private int reservoir = 1 << 15;

        private Builder(Generator generator, String layer) {
            super(200);
            seed(1);
            live(false);
            this.generator = generator;
            this.layer = layer;
        }

        /** Labels concepts in the generated images (required), e.g. {@link SceneSegmenter#builtin()}. */
        public Builder segmenter(Segmenter s) {
            this.segmenter = s;
            return this;
        }

        /** Number of generated images (codes {@code generator.sampleZ(samples, seed)}): a run's steps. */
        public Builder samples(int n) {
            return steps(n);
        }

        @Override
        public Builder steps(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("samples must be positive, got " + n);
            }
            return super.steps(n);
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

        /** Show a progress bar while the two passes run: the same as {@code live(on)}. */
        public Builder progress(boolean on) {
            return live(on);
        }

        public Dissection run() {
            if (segmenter == null) {
                throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) for the "
                        + "scenes GAN, or .segmenter(new ColorSegmenter()) for colour concepts in any image");
            }
            return LastResults.keep(Dissection.run(this));
        }
    }

    private static Dissection run(Builder b) {
        long start = System.nanoTime();
        Generator g = b.generator;
        Tensor z = g.sampleZ(b.steps(), b.seed());
        UnitConcepts.Source src = (from, n) -> {
            Map<String, Tensor> out = g.generate(slice(z, from, n), Forward.capture(b.layer));
            return new UnitConcepts.Batch(out.get(b.layer), out.get(Generator.OUTPUT));
        };
        try (Progress bar = b.live() ? Progress.builder().total(2L * b.steps())
                .label("dissecting " + b.layer).start() : null) {
            UnitConcepts core = UnitConcepts.run(src, b.steps(), b.batch, b.layer, () -> g.layerNames().toString(),
                    b.segmenter, b.quantile, b.reservoir, b.seed(), b.topImages, bar);
            return new Dissection(b, core, (System.nanoTime() - start) / 1e9);
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
        return core.layer;
    }

    public List<String> concepts() {
        return core.concepts;
    }

    public int units() {
        return core.units();
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
        return core.exact;
    }

    /** Per-unit activation thresholds (copy). */
    public float[] thresholds() {
        return core.thresholds.clone();
    }

    public float threshold(int unit) {
        return core.thresholds[unit];
    }

    /**
     * The unit's mean activation where it exceeds its threshold: the value to set it to when inserting its
     * concept ({@link Intervention#insert}).
     */
    public float activeMean(int unit) {
        return core.activeMeans[unit];
    }

    /** {@link #activeMean} of several units. */
    public float[] activeMeans(int... units) {
        float[] v = new float[units.length];
        for (int i = 0; i < units.length; i++) {
            v[i] = core.activeMeans[units[i]];
        }
        return v;
    }

    public double seconds() {
        return seconds;
    }

    /** IoU of a unit's mask with a concept's pixels, summed over all samples. */
    public double iou(int unit, String concept) {
        return core.iou[unit][core.conceptIndex(concept)];
    }

    /** The full {@code [unit][concept]} IoU matrix (copy). */
    public double[][] iou() {
        return core.iouCopy();
    }

    /** Pixels of each concept the segmenter found over the samples. */
    public long conceptPixels(String concept) {
        return core.conceptPixels[core.conceptIndex(concept)];
    }

    /** The concept a unit matches best. */
    public String bestConcept(int unit) {
        return core.bestConcept(unit);
    }

    public double bestIoU(int unit) {
        return core.bestIoU(unit);
    }

    /**
     * The best units for {@code concept}: up to {@code k} units whose IoU for it reaches {@link #MIN_IOU} (the
     * labelling threshold), highest first; fewer, or none, when fewer reach it. A unit counts even when another
     * concept suits it better.
     */
    public int[] unitsFor(String concept, int k) {
        return core.unitsFor(concept, k, MIN_IOU);
    }

    /**
     * Up to {@code k} units whose IoU for {@code concept} is at least {@code minIoU}, highest first; {@code
     * unitsFor(concept, k, 0)} ranks every unit, labelled or not (for controls and dose-response curves).
     */
    public int[] unitsFor(String concept, int k, double minIoU) {
        return core.unitsFor(concept, k, minIoU);
    }

    /** Units whose best concept is {@code concept} with IoU at least {@link #MIN_IOU}, per concept. */
    public Map<String, Integer> unitsPerConcept() {
        return core.unitsPerConcept(MIN_IOU);
    }

    /** One row per unit (unit, best concept, IoU, threshold), highest IoU first. */
    public Table table() {
        return core.table();
    }

    /** Units per concept (left) and the IoU of the best units (right). */
    public ChartImage summaryChart() {
        return ChartImage.of(core.unitsChart(MIN_IOU)).size(560, 300);
    }

    /** Both summary charts side by side. */
    public BufferedImage renderSummary() {
        return core.renderSummary(MIN_IOU);
    }

    /**
     * The unit's top-activating samples with its mask: outside dimmed, the mask's edge outlined in yellow.
     */
    public ImageGrid strip(int unit) {
        return core.strip(unit, "sample");
    }

    /**
     * Strips of the best units for {@code concept} ({@link #unitsFor(String, int)}), one row each; the title says
     * when fewer than {@code k} reach the labelling threshold.
     */
    public ImageGrid strips(String concept, int k) {
        return core.strips(concept, k, MIN_IOU);
    }

    /** Strips of {@link #unitsFor(String, int, double)}: {@code minIoU} 0 shows the top {@code k}, labelled or not. */
    public ImageGrid strips(String concept, int k, double minIoU) {
        return core.strips(concept, k, minIoU);
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = Images.toPng(renderSummary());
        StringBuilder html = new StringBuilder("<div><p>").append(dev.neurolens.display.Html.escape(toString())).append("</p>");
        html.append("<img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                .append("\" style=\"max-width:100%\"/>");
        html.append(TableHtml.of(table()).maxRows(15).html());
        Integer[] best = core.byBestIoU();
        for (int u : Arrays.copyOf(best, Math.min(3, best.length))) {
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
                "Dissection[%s: %d units, %d samples, top %.1f%% threshold%s, %.1f s; units per concept:", core.layer,
                units(), samples, (1 - quantile) * 100, core.exact ? "" : " (sampled)", seconds));
        per.forEach((c, n) -> {
            if (n > 0) {
                s.append(' ').append(c).append(' ').append(n);
            }
        });
        return s.append(']').toString();
    }

}
