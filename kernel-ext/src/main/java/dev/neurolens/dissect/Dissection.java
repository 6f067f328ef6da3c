package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import dev.neurolens.generate.PortableGenerator;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import dev.neurolens.run.DataParallel;
import dev.neurolens.run.LastResults;

import java.io.Serializable;
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
public final class Dissection extends UnitDissection {
    private final long seed;

    private Dissection(Builder b, UnitConcepts core, double seconds) {
        super(core, b.steps(), b.quantile, seconds, "sample");
        this.seed = b.seed();
    }

    public static Builder builder(Generator generator, String layer) {
        return new Builder(generator, layer);
    }

    /** Dissects {@code layer} over 200 samples with the default settings. */
    public static Dissection of(Generator generator, String layer, Segmenter segmenter) {
        return builder(generator, layer).segmenter(segmenter).run();
    }

    /** Its steps are the generated samples (200); quantile 0.99, batch 16, 32768 values per unit's reservoir. */
    public static final class Builder extends UnitDissection.Settings<Builder> {
        private final Generator generator;
        private DataParallel parallel;

        private Builder(Generator generator, String layer) {
            super(200, layer, 16, 0.99, 1 << 15);
            this.generator = generator;
        }

        /** Number of generated images (codes {@code generator.sampleZ(samples, seed)}): a run's steps. */
        public Builder samples(int n) {
            return steps(n);
        }

        @Override
        public Builder steps(int n) {
            Check.atLeastOne("samples", n);
            return super.steps(n);
        }

        /**
         * Run both passes on a cluster (e.g. {@code SparkRunner.local(2)} from the {@code neurolens-spark} module):
         * the samples are cut into ranges of whole batches, each range's sketches, counts and best samples come from
         * a worker, and they merge to this JVM's answer (same thresholds and IoUs). The generator must have layers
         * (not TorchScript) and the segmenter must travel ({@link SceneSegmenter#builtin()}, {@link ColorSegmenter}).
         */
        public Builder on(DataParallel where) {
            this.parallel = where;
            return this;
        }

        public Dissection run() {
            if (segmenter == null) {
                throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) for the "
                        + "scenes GAN, or .segmenter(new ColorSegmenter()) for colour concepts in any image");
            }
            return LastResults.keep(parallel != null ? Dissection.distributed(this) : Dissection.run(this));
        }
    }

    /** What every worker gets once. */
    private record Shipment(PortableGenerator generator, Segmenter segmenter) implements Serializable {
    }

    /** The samples' codes and, for a range, the layer's maps and the images. */
    private static UnitConcepts.Source source(Generator g, String layer, int samples, long seed) {
        Tensor z = g.sampleZ(samples, seed);
        return (from, n) -> {
            Map<String, Tensor> out = g.generate(z.rows(from, n), Forward.capture(layer));
            return new UnitConcepts.Batch(out.get(layer), out.get(Generator.OUTPUT));
        };
    }

    private record Pass1Job(String layer, int samples, long seed, int batch, int concepts, double quantile,
                            int reservoir, int topImages)
            implements DataParallel.RangeTask<Shipment, UnitConcepts.Pass1> {
        public UnitConcepts.Pass1 run(Shipment shipped, int from, int to) {
            Generator g = shipped.generator().open();
            return UnitConcepts.pass1(source(g, layer, samples, seed), from, to, samples, batch, layer,
                    () -> g.layerNames().toString(), concepts, quantile, reservoir, seed, topImages, null);
        }
    }

    private record Pass2Job(String layer, int samples, long seed, int batch, Tally.Shape tally, float[] thresholds,
                            int[][] top) implements DataParallel.RangeTask<Shipment, UnitConcepts.Pass2> {
        public UnitConcepts.Pass2 run(Shipment shipped, int from, int to) {
            Generator g = shipped.generator().open();
            return UnitConcepts.pass2(source(g, layer, samples, seed), from, to, batch, tally.empty(),
                    shipped.segmenter(), thresholds, top, null);
        }
    }

    private static Dissection distributed(Builder b) {
        if (!(b.segmenter instanceof Serializable)) {
            throw new IllegalArgumentException("the segmenter " + b.segmenter + " cannot travel to other JVMs; on a "
                    + "cluster use SceneSegmenter.builtin() or new ColorSegmenter()");
        }
        long start = System.nanoTime();
        int samples = b.steps();
        Shipment shipped = new Shipment(PortableGenerator.of(b.generator), b.segmenter);
        DataParallel.Outcome<UnitConcepts.Pass1> one = b.parallel.run("dissecting " + b.layer + " (thresholds)",
                samples, b.batch, shipped, new Pass1Job(b.layer, samples, b.seed(), b.batch,
                        b.segmenter.concepts().size(), b.quantile, b.reservoir, b.topImages),
                UnitConcepts.Pass1::merge, null);
        interrupted(one);
        UnitConcepts.Pass1 p1 = one.merged();
        float[] thresholds = p1.tally().thresholds();
        int[][] top = p1.best().ids();
        DataParallel.Outcome<UnitConcepts.Pass2> two = b.parallel.run("dissecting " + b.layer + " (IoU)", samples,
                b.batch, shipped, new Pass2Job(b.layer, samples, b.seed(), b.batch, p1.tally().shape(), thresholds,
                        top), UnitConcepts.Pass2::merge, null);
        interrupted(two);
        UnitConcepts core = UnitConcepts.of(b.layer, b.segmenter, p1, thresholds, top, two.merged());
        return new Dissection(b, core, (System.nanoTime() - start) / 1e9);
    }

    /** A dissection needs every sample in both passes: an interrupted pass has nothing to show. */
    private static void interrupted(DataParallel.Outcome<?> pass) {
        if (pass.interrupted()) {
            throw new java.util.concurrent.CancellationException("dissection interrupted: its thresholds and IoUs "
                    + "need every sample, so nothing is kept; run it again");
        }
    }

    private static Dissection run(Builder b) {
        long start = System.nanoTime();
        Generator g = b.generator;
        Tensor z = g.sampleZ(b.steps(), b.seed());
        UnitConcepts.Source src = (from, n) -> {
            Map<String, Tensor> out = g.generate(z.rows(from, n), Forward.capture(b.layer));
            return new UnitConcepts.Batch(out.get(b.layer), out.get(Generator.OUTPUT));
        };
        UnitConcepts core = b.dissect(src, b.steps(), () -> g.layerNames().toString());
        return new Dissection(b, core, (System.nanoTime() - start) / 1e9);
    }

    public long seed() {
        return seed;
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

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Dissection[%s: %d units, %d samples, %s; units per concept:", layer(),
                units(), samples(), thresholdAndTime()) + perConcept(unitsPerConcept());
    }
}
