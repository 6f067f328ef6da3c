package dev.neurolens.dissect;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Progress;
import dev.neurolens.display.TableHtml;
import dev.neurolens.run.Check;
import dev.neurolens.run.DataParallel;
import dev.neurolens.run.RunBuilder;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every dissection reads the same way, whether its units are a generator's ({@link Dissection}) or a
 * classifier's ({@link NetworkDissection}): thresholds, the unit-by-concept IoU, labels, strips and the summary.
 * Immutable.
 */
public abstract sealed class UnitDissection implements Displayable permits Dissection, NetworkDissection {
    /**
     * A unit is labelled with its best concept when the IoU reaches this (the papers' and netdissect's 0.04);
     * below it the unit counts as matching no concept.
     */
    public static final double MIN_IOU = 0.04;

    final UnitConcepts core;
    private final int samples;
    private final double quantile;
    private final double seconds;
    /** What a strip's pictures are called in titles: "sample" for generated ones, "image" for data. */
    private final String pictureWord;

    UnitDissection(UnitConcepts core, int samples, double quantile, double seconds, String pictureWord) {
        this.core = core;
        this.samples = samples;
        this.quantile = quantile;
        this.seconds = seconds;
        this.pictureWord = pictureWord;
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

    /** Pictures the IoUs were summed over. */
    public int samples() {
        return samples;
    }

    /** The threshold quantile, {@code 1 - top}. */
    public double quantile() {
        return quantile;
    }

    public double seconds() {
        return seconds;
    }

    /** Whether the thresholds are exact quantiles (the values above them fit in the reservoir). */
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

    /** IoU of a unit's mask with a concept's pixels, summed over all pictures. */
    public double iou(int unit, String concept) {
        return core.iou[unit][core.conceptIndex(concept)];
    }

    /** The full {@code [unit][concept]} IoU matrix (copy). */
    public double[][] iou() {
        return core.iouCopy();
    }

    /** Pixels of a concept over all pictures. */
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

    /** The units whose best IoU reaches {@link #MIN_IOU}, best first. */
    public int[] labelledUnits() {
        return Arrays.stream(core.byBestIoU()).mapToInt(Integer::intValue).filter(u -> core.bestIoU(u) >= MIN_IOU)
                .toArray();
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

    /** Labelled units per concept (best concept, IoU >= {@link #MIN_IOU}). */
    public Map<String, Integer> unitsPerConcept() {
        return core.unitsPerConcept(MIN_IOU);
    }

    /** One row per unit (unit, best concept, IoU, threshold), highest IoU first. */
    public Table table() {
        return core.table();
    }

    /** Labelled units per concept as bars. */
    public ChartImage summaryChart() {
        return ChartImage.of(core.unitsChart(MIN_IOU)).size(560, 300);
    }

    /** Units per concept (left) and the IoU of the best units (right). */
    public BufferedImage renderSummary() {
        return core.renderSummary(MIN_IOU);
    }

    /** The unit's top-activating pictures with its mask: outside dimmed, the mask's edge outlined in yellow. */
    public ImageGrid strip(int unit) {
        return core.strip(unit, pictureWord);
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

    /**
     * The settings both dissections share, on top of the run contract's (seed; live shows the progress bar). A
     * subclass sets its defaults in its constructor.
     */
    public abstract static sealed class Settings<B extends Settings<B>> extends RunBuilder<B>
            permits Dissection.Builder, NetworkDissection.Builder {
        final String layer;
        Segmenter segmenter;
        int batch;
        double quantile;
        int topImages = 6;
        int reservoir;
        /** Where the two passes run: null for this JVM. */
        DataParallel parallel;

        Settings(int defaultSteps, String layer, int batch, double quantile, int reservoir) {
            super(defaultSteps);
            seed(1);
            live(false);
            this.layer = layer;
            this.batch = batch;
            this.quantile = quantile;
            this.reservoir = reservoir;
        }

        /** Labels concepts in the pictures (required): {@link SceneSegmenter}, {@link ExactSceneMasks}, ... */
        public B segmenter(Segmenter s) {
            this.segmenter = s;
            return self();
        }

        /** Pictures per forward pass. */
        public B batch(int n) {
            this.batch = Check.atLeastOne("batch", n);
            return self();
        }

        /** The unit mask is where the upsampled activation exceeds this quantile of the unit's values. */
        public B quantile(double q) {
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("quantile must be in (0, 1), e.g. 0.99 for the top 1%; got " + q);
            }
            this.quantile = q;
            return self();
        }

        /** Top-activating pictures kept per unit for {@link UnitDissection#strip} (6). */
        public B topImages(int k) {
            this.topImages = Math.max(1, k);
            return self();
        }

        /**
         * Values kept per unit for its quantile. The threshold is exact while the values above it fit (1% of a
         * unit's values at the top-1% threshold); beyond that it comes from a uniform sample of this many values.
         */
        public B reservoir(int values) {
            if (values < 100) {
                throw new IllegalArgumentException("keep at least 100 values per unit, got " + values);
            }
            this.reservoir = values;
            return self();
        }

        /**
         * Run both passes on a cluster (e.g. {@code SparkRunner.local(2)} from the {@code neurolens-spark} module):
         * the samples are cut into ranges of whole batches, each range's sketches, counts and best samples come from
         * a worker, and they merge to this JVM's answer (the same thresholds and IoUs). What the samples come from
         * travels to the workers once, so it must be portable: see the technique's {@code run}.
         */
        public B on(DataParallel where) {
            this.parallel = where;
            return self();
        }

        /** Show a progress bar while the two passes run: the same as {@code live(on)}. */
        public B progress(boolean on) {
            return live(on);
        }

        /**
         * Both passes on {@link #parallel}: {@code shipped} goes to every worker once, and {@code sources} opens the
         * samples' source there. An interrupted pass keeps nothing, since thresholds and IoUs need every sample.
         */
        <S extends Shipped> UnitConcepts dissectOn(S shipped, Sources<S> sources, int samples, String layers) {
            if (!(shipped.segmenter() instanceof Serializable)) {
                throw new IllegalArgumentException("the segmenter " + segmenter + " cannot travel to other JVMs; on "
                        + "a cluster use SceneSegmenter.builtin(), new ColorSegmenter(), ExactSceneMasks or Broden "
                        + "masks");
            }
            DataParallel.Outcome<UnitConcepts.Pass1> one = parallel.run("dissecting " + layer + " (thresholds)",
                    samples, batch, shipped, new Pass1Job<>(sources, layer, layers, samples, batch,
                            segmenter.concepts().size(), quantile, reservoir, seed(), topImages),
                    UnitConcepts.Pass1::merge, null);
            interrupted(one);
            UnitConcepts.Pass1 p1 = one.merged();
            float[] thresholds = p1.tally().thresholds();
            int[][] top = p1.best().ids();
            DataParallel.Outcome<UnitConcepts.Pass2> two = parallel.run("dissecting " + layer + " (IoU)", samples,
                    batch, shipped, new Pass2Job<>(sources, batch, p1.tally().shape(), thresholds, top),
                    UnitConcepts.Pass2::merge, null);
            interrupted(two);
            return UnitConcepts.of(layer, segmenter, p1, thresholds, top, two.merged());
        }

        /** Both passes over {@code samples} pictures from {@code src}, with the progress bar when live. */
        UnitConcepts dissect(UnitConcepts.Source src, int samples, Supplier<String> layerNames) {
            try (Progress bar = live() ? Progress.builder().total(2L * samples).label("dissecting " + layer).start()
                    : null) {
                return UnitConcepts.run(src, samples, batch, layer, layerNames, segmenter, quantile, reservoir,
                        seed(), topImages, bar);
            }
        }
    }

    /** What every worker gets once: the model, the data's recipe, and the segmenter. */
    interface Shipped extends Serializable {
        Segmenter segmenter();
    }

    /** On a worker: the samples' source, from what the driver shipped. */
    @FunctionalInterface
    interface Sources<S> extends Serializable {
        UnitConcepts.Source open(S shipped);
    }

    private record Pass1Job<S>(Sources<S> sources, String layer, String layers, int samples, int batch, int concepts,
                               double quantile, int reservoir, long seed, int topImages)
            implements DataParallel.RangeTask<S, UnitConcepts.Pass1> {
        public UnitConcepts.Pass1 run(S shipped, int from, int to) {
            return UnitConcepts.pass1(sources.open(shipped), from, to, samples, batch, layer, () -> layers, concepts,
                    quantile, reservoir, seed, topImages, null);
        }
    }

    private record Pass2Job<S extends Shipped>(Sources<S> sources, int batch, Tally.Shape tally, float[] thresholds,
                                               int[][] top) implements DataParallel.RangeTask<S, UnitConcepts.Pass2> {
        public UnitConcepts.Pass2 run(S shipped, int from, int to) {
            return UnitConcepts.pass2(sources.open(shipped), from, to, batch, tally.counts(), shipped.segmenter(),
                    thresholds, top, null);
        }
    }

    private static void interrupted(DataParallel.Outcome<?> pass) {
        if (pass.interrupted()) {
            throw new java.util.concurrent.CancellationException("dissection interrupted: its thresholds and IoUs "
                    + "need every sample, so nothing is kept; run it again");
        }
    }

    /** "top 1.0% threshold (sampled), 2.3 s", for {@code toString}. */
    String thresholdAndTime() {
        return String.format(Locale.ROOT, "top %.1f%% threshold%s, %.1f s", (1 - quantile) * 100,
                core.exact ? "" : " (sampled)", seconds);
    }

    static String perConcept(Map<String, Integer> per) {
        StringBuilder s = new StringBuilder();
        per.forEach((c, n) -> {
            if (n > 0) {
                s.append(' ').append(c).append(' ').append(n);
            }
        });
        return s.append(']').toString();
    }

    /** The summary, the table and the strips of the three best units. */
    @Override
    public MimeBundle mimeBundle() {
        byte[] png = Images.toPng(renderSummary());
        StringBuilder html = new StringBuilder("<div><p>").append(Html.escape(toString())).append("</p>");
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
}
