package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ablation and insertion hooks and counts against direct computation on a random generator. */
class InterventionTest {

    private static Generator generator() {
        return Generator.of(Architecture.dcganGenerator(8, 8, 3, 32).randomInit(4), 8);
    }

    /** The hook changes exactly the chosen units inside the region, to exactly the given values. */
    @Test
    void setHookReplacesUnitsInsideRegionOnly() {
        try (Generator g = generator()) {
            Tensor z = g.sampleZ(3, 5);
            Tensor plain = g.generate(z, Forward.capture("layer2")).get("layer2");
            int h = (int) plain.dim(2);
            int w = (int) plain.dim(3);
            boolean[][] region = Intervention.rect(h, w, 1, 2, 3, 5);
            int[] units = {0, 5};
            float[] values = {2.5f, -1f};
            Tensor hooked = g.generate(z, Forward.capture("layer2").hook("layer2",
                    Intervention.set(units, values, region))).get("layer2");
            int c = (int) plain.dim(1);
            for (int i = 0; i < 3; i++) {
                for (int u = 0; u < c; u++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            float expected = plain.get(i, u, y, x);
                            if (region[y][x] && (u == 0 || u == 5)) {
                                expected = u == 0 ? 2.5f : -1f;
                            }
                            assertEquals(expected, hooked.get(i, u, y, x), 0f);
                        }
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> g.generate(z, Forward.plain().hook("layer2",
                    Intervention.zero(new int[] {c}, null))));
        }
    }

    /** Ablation counts equal a direct count over the same hooked generation; reduction is 1 - after / before. */
    @Test
    void ablationCountsMatchDirectCount() {
        try (Generator g = generator()) {
            DissectionTest.BrightnessSegmenter seg = new DissectionTest.BrightnessSegmenter();
            int[] units = {1, 2, 3, 7};
            Intervention iv = Intervention.on(g, "layer2").segmenter(seg).samples(10).seed(3).batch(4).shown(4);
            Intervention.Ablation a = iv.ablate(units, "bright");
            Tensor z = g.sampleZ(10, 3);
            long before = Segmenter.count(seg.segment(g.generate(z)), 1);
            long after = Segmenter.count(seg.segment(g.generate(z, Forward.plain().hook("layer2",
                    Intervention.zero(units, null))).get(Generator.OUTPUT)), 1);
            assertEquals(before, a.pixelsBefore());
            assertEquals(after, a.pixelsAfter());
            assertEquals(1 - after / (double) before, a.reduction(), 1e-12);
            assertNotEquals(before, after);
            assertTrue(a.render().getWidth() > 0);
            int[] r = Intervention.randomUnits(32, 5, 9);
            assertEquals(5, Arrays.stream(r).distinct().count());
            assertArrayEquals(r, Intervention.randomUnits(32, 5, 9));
        }
    }

    /** Insertion counts the concept inside the region's image footprint; success needs minShare of it. */
    @Test
    void insertionCountsInsideRegion() {
        try (Generator g = generator()) {
            DissectionTest.BrightnessSegmenter seg = new DissectionTest.BrightnessSegmenter();
            Tensor probe = g.generate(g.sampleZ(1, 0), Forward.capture("layer2")).get("layer2");
            int h = (int) probe.dim(2);
            boolean[][] region = Intervention.rect(h, h, 0, 0, h / 2, h / 2);
            int[] units = {0, 1, 2, 3};
            float[] values = {5f, 5f, 5f, 5f};
            Intervention.Insertion ins = Intervention.on(g, "layer2").segmenter(seg).samples(6).seed(2)
                    .insert(units, values, region, "bright", 0.1);
            assertEquals(16 * 16, ins.regionPixels());
            Tensor z = g.sampleZ(6, 2);
            int[][] after = seg.segment(g.generate(z, Forward.plain().hook("layer2",
                    Intervention.set(units, values, region))).get(Generator.OUTPUT));
            int[][] before = seg.segment(g.generate(z));
            boolean[] ok = ins.succeeded();
            for (int i = 0; i < 6; i++) {
                long b = 0;
                long a = 0;
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        b += before[i][y * 32 + x] == 1 ? 1 : 0;
                        a += after[i][y * 32 + x] == 1 ? 1 : 0;
                    }
                }
                assertEquals(b, ins.before()[i]);
                assertEquals(a, ins.after()[i]);
                assertEquals(a - b >= 0.1 * 256, ok[i]);
            }
            assertTrue(ins.render().getWidth() > 0);
        }
    }
}
