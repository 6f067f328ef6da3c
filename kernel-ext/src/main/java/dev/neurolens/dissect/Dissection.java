package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import dev.neurolens.generate.PortableGenerator;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import dev.neurolens.run.LastResults;

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
         * Runs both passes, here or on the cluster given to {@code on}; there the generator must have layers (not
         * TorchScript) and the segmenter must travel ({@link SceneSegmenter#builtin()}, {@link ColorSegmenter}).
         */
        public Dissection run() {
            if (segmenter == null) {
                throw new IllegalStateException("no segmenter: call .segmenter(SceneSegmenter.builtin()) for the "
                        + "scenes GAN, or .segmenter(new ColorSegmenter()) for colour concepts in any image");
            }
            return LastResults.keep(Dissection.run(this));
        }
    }

    /** What every worker gets once. */
    private record Shipment(PortableGenerator generator, Segmenter segmenter) implements Shipped {
    }

    /** The samples' codes and, for a range, the layer's maps and the images. */
    private static UnitConcepts.Source source(Generator g, String layer, int samples, long seed) {
        Tensor z = g.sampleZ(samples, seed);
        return (from, n) -> {
            Map<String, Tensor> out = g.generate(z.rows(from, n), Forward.capture(layer));
            return new UnitConcepts.Batch(out.get(layer), out.get(Generator.OUTPUT));
        };
    }

    private record Samples(String layer, int samples, long seed) implements Sources<Shipment> {
        public UnitConcepts.Source open(Shipment shipped) {
            return source(shipped.generator().open(), layer, samples, seed);
        }
    }

    private static Dissection run(Builder b) {
        long start = System.nanoTime();
        Generator g = b.generator;
        UnitConcepts core = b.parallel != null
                ? b.dissectOn(new Shipment(PortableGenerator.of(g), b.segmenter),
                        new Samples(b.layer, b.steps(), b.seed()), b.steps(), g.layerNames().toString())
                : b.dissect(source(g, b.layer, b.steps(), b.seed()), b.steps(), () -> g.layerNames().toString());
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
