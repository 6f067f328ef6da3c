package dev.neurolens.dissect;

import dev.neurolens.display.PaintState;
import dev.neurolens.generate.Generator;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strokes become exactly the unit edits they describe, on a random generator dissected with brightness bands. */
class GanPaintTest {

    @Test
    void strokesSetAndZeroTheConceptsUnitsUnderTheirCellsOnly() {
        try (Generator g = Generator.of(Architecture.dcganGenerator(8, 8, 3, 32).randomInit(4), 8)) {
            Dissection d = Dissection.builder(g, "layer2").segmenter(new DissectionBenchmark.Brightness()).samples(16).run();
            // a random generator's units reach no labelling IoU: minIoU(0) paints with the best ones anyway
            IllegalArgumentException unlabelled = assertThrows(IllegalArgumentException.class,
                    () -> GanPaint.builder(g, d, g.sampleZ(1, 3)).concepts("b5").build());
            assertTrue(unlabelled.getMessage().contains("minIoU"), unlabelled.getMessage());
            GanPaint paint = GanPaint.builder(g, d, g.sampleZ(1, 3)).concepts("b5", "b2").unitsPerConcept(2)
                    .minIoU(0).strength(2).size(64).build();
            assertEquals(List.of("b5", "b2"), paint.concepts());
            int w = paint.gridWidth();
            int h = paint.gridHeight();
            Tensor z = g.sampleZ(1, 3);
            Tensor plain = g.generate(z, Forward.capture("layer2")).get("layer2");
            assertEquals(h, plain.dim(2));
            assertEquals(w, plain.dim(3));

            PaintState s = PaintState.empty(w, h)
                    .with(PaintState.Stroke.rect("b5", PaintState.Mode.PAINT, w, h, 0, 0, 2, 1))
                    .with(PaintState.Stroke.rect("b2", PaintState.Mode.REMOVE, w, h, 1, 0, 3, 1));
            Tensor edited = g.generate(z, Forward.capture("layer2").hook("layer2", paint.hook(s))).get("layer2");
            int[] tree = paint.units("b5");
            int[] sky = paint.units("b2");
            float[] treeValues = d.activeMeans(tree);
            for (int u = 0; u < plain.dim(1); u++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float expected = plain.get(0, u, y, x);
                        int ti = indexOf(tree, u);
                        if (indexOf(sky, u) >= 0 && y <= 1 && x >= 1 && x <= 3) {
                            expected = 0f;
                        }
                        if (ti >= 0 && y <= 1 && x <= 2) {
                            expected = 2 * treeValues[ti]; // painting wins over a removal on the same cell
                        }
                        assertEquals(expected, edited.get(0, u, y, x), 1e-6f, "unit " + u + " at " + y + "," + x);
                    }
                }
            }
            // no strokes: the unedited picture; a picture at the asked size
            assertArrayEquals(g.generate(z).toFloatArray(), paint.generate(PaintState.empty(w, h)).toFloatArray());
            assertEquals(64, paint.render(s).getWidth());
            assertThrows(IllegalArgumentException.class, () -> paint.units("b7"));
            assertThrows(IllegalArgumentException.class, () -> paint.hook(PaintState.empty(w + 1, h)));
            assertThrows(IllegalArgumentException.class, () -> GanPaint.of(g, d, g.sampleZ(2, 0)));
            assertTrue(paint.toString().contains("layer2"));
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
