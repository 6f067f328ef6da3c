package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GAN dissection's "remove trees" on the built-in scenes generator, fixed seeds: the layer's tree units (up to
 * {@code K} whose tree IoU reaches the labelling threshold; 2 here), switched off, remove most tree pixels (counted by
 * the scene segmenter on samples the dissection did not see), and far more than as many random units do. The figures
 * printed are what the margins below were set from ({@code ScenesGanReport} prints more).
 */
class ScenesGanDissectionTest {

    @Test
    void ablatingTheTopTreeUnitsRemovesTreesFarMoreThanRandomUnits() {
        try (Generator g = Generator.builtin("scenes"); SceneSegmenter seg = SceneSegmenter.builtin()) {
            Dissection d = Dissection.builder(g, "layer3").segmenter(seg).samples(200).seed(0).run();
            int[] tree = d.unitsFor("tree", K);
            assertTrue(tree.length > 0, "a tree unit exists: " + d);
            Intervention iv = Intervention.on(g, "layer3").segmenter(seg).samples(100).seed(7);
            Intervention.Ablation top = iv.ablate(tree, "tree");
            double random = 0;
            for (int s = 0; s < 3; s++) {
                random += iv.ablateRandom(tree.length, "tree", s).reduction() / 3;
            }
            System.out.printf(Locale.ROOT, "[remove trees] %s; %d random units: %.1f%% removed%n", top, tree.length,
                    100 * random);
            assertTrue(top.pixelsBefore() > 2000, "the samples hold trees: " + top);
            assertTrue(top.reduction() >= MIN_TOP, top.toString());
            assertTrue(top.reduction() - random >= MIN_MARGIN,
                    String.format(Locale.ROOT, "top %.3f vs random %.3f", top.reduction(), random));
        }
    }

    private static final int K = 4;
    private static final double MIN_TOP = 0.6;
    private static final double MIN_MARGIN = 0.3;
}
