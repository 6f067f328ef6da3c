package dev.neurolens.display;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strokes on the feature grid: masks checked against a cell-by-cell replay of the strokes (a tiny oracle). */
class PaintStateTest {
    private static final List<String> CONCEPTS = List.of("tree", "grass", "door");

    /** Brute force: replay strokes onto a per-concept grid of modes, the last one writing a cell wins. */
    private static PaintState.Mode[][] replay(List<int[]> rects, List<PaintState.Mode> modes, int w, int h) {
        PaintState.Mode[][] g = new PaintState.Mode[h][w];
        for (int i = 0; i < rects.size(); i++) {
            int[] r = rects.get(i);
            for (int y = r[1]; y <= r[3]; y++) {
                for (int x = r[0]; x <= r[2]; x++) {
                    g[y][x] = modes.get(i);
                }
            }
        }
        return g;
    }

    @Test
    void rectangleCoversExactlyItsCellsInclusiveAndClipped() {
        PaintState.Stroke s = PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 8, 6, 2, 3, 5, 4);
        int covered = 0;
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                boolean inside = x >= 2 && x <= 5 && y >= 3 && y <= 4;
                assertEquals(inside, s.covers(x, y), "cell " + x + "," + y);
                covered += inside ? 1 : 0;
            }
        }
        assertEquals(covered, s.cellCount());
        assertEquals(8, covered);
        // corners given in any order; parts outside the grid are clipped
        assertEquals(s, PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 8, 6, 5, 4, 2, 3));
        assertEquals(2 * 2, PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 8, 6, 6, 4, 12, 40).cellCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 8, 6, 9, 0, 12, 3));
        assertTrue(e.getMessage().contains("outside the 8x6 grid"), e.getMessage());
    }

    @Test
    void lastStrokeWinsPerConceptAndConceptsAreIndependent() {
        List<int[]> rects = List.of(new int[] {0, 0, 5, 5}, new int[] {2, 2, 3, 7}, new int[] {3, 0, 7, 1});
        List<PaintState.Mode> modes = List.of(PaintState.Mode.PAINT, PaintState.Mode.REMOVE, PaintState.Mode.PAINT);
        PaintState s = PaintState.empty(8, 8);
        for (int i = 0; i < rects.size(); i++) {
            int[] r = rects.get(i);
            s = s.with(PaintState.Stroke.rect("tree", modes.get(i), 8, 8, r[0], r[1], r[2], r[3]));
        }
        s = s.with(PaintState.Stroke.rect("grass", PaintState.Mode.PAINT, 8, 8, 0, 7, 7, 7));
        PaintState.Mode[][] expected = replay(rects, modes, 8, 8);
        boolean[][] paint = s.mask("tree", PaintState.Mode.PAINT);
        boolean[][] remove = s.mask("tree", PaintState.Mode.REMOVE);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(expected[y][x], s.cell("tree", x, y), "tree at " + x + "," + y);
                assertEquals(expected[y][x] == PaintState.Mode.PAINT, paint[y][x]);
                assertEquals(expected[y][x] == PaintState.Mode.REMOVE, remove[y][x]);
                assertEquals(y == 7 ? PaintState.Mode.PAINT : null, s.cell("grass", x, y));
                assertNull(s.cell("door", x, y));
            }
        }
        assertEquals(List.of("tree", "grass"), List.copyOf(s.concepts()));
    }

    @Test
    void undoAndResetReturnNewStatesAndLeaveTheOldOnesAlone() {
        PaintState empty = PaintState.empty(4, 4);
        PaintState one = empty.with(PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 4, 4, 0, 0, 1, 1));
        PaintState two = one.with(PaintState.Stroke.rect("tree", PaintState.Mode.REMOVE, 4, 4, 1, 1, 1, 1));
        assertEquals(PaintState.Mode.REMOVE, two.cell("tree", 1, 1));
        assertEquals(one, two.undo());
        assertEquals(PaintState.Mode.PAINT, two.undo().cell("tree", 1, 1));
        assertEquals(2, two.strokes().size());
        assertEquals(empty, two.reset());
        assertEquals(empty, empty.undo());
        assertThrows(UnsupportedOperationException.class, () -> two.strokes().clear());
    }

    @Test
    void jsonRoundTripAndEveryBadFieldIsNamed() {
        PaintState s = PaintState.empty(3, 2)
                .with(PaintState.Stroke.rect("door", PaintState.Mode.PAINT, 3, 2, 1, 0, 2, 0))
                .with(PaintState.Stroke.rect("tree", PaintState.Mode.REMOVE, 3, 2, 0, 1, 0, 1));
        JsonObject json = s.toJson();
        assertEquals("{\"grid\":[3,2],\"strokes\":[{\"concept\":\"door\",\"mode\":\"paint\",\"cells\":\"011000\"},"
                + "{\"concept\":\"tree\",\"mode\":\"remove\",\"cells\":\"000100\"}]}", json.toString());
        assertEquals(s, PaintState.fromJson(json, 3, 2, CONCEPTS));

        String[][] bad = {
                {"{\"grid\":[4,2],\"strokes\":[]}", "does not match"},
                {"{\"strokes\":[{\"concept\":\"sky\",\"mode\":\"paint\",\"cells\":\"000000\"}]}", "unknown concept 'sky'"},
                {"{\"strokes\":[{\"concept\":\"tree\",\"mode\":\"erase\",\"cells\":\"000000\"}]}", "mode 'erase'"},
                {"{\"strokes\":[{\"concept\":\"tree\",\"mode\":\"paint\",\"cells\":\"0000\"}]}", "must be 6 characters"},
                {"{\"strokes\":[{\"concept\":\"tree\",\"mode\":\"paint\",\"cells\":\"00x000\"}]}", "found 'x'"},
                {"{\"strokes\":[{\"mode\":\"paint\",\"cells\":\"000000\"}]}", "needs a string 'concept'"},
                {"{\"strokes\":3}", "must be a list"},
                {"[1,2]", "must be an object"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PaintState.fromJson(new JsonParser().parse(b[0]), 3, 2, CONCEPTS), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void maskStrokeMatchesRectStroke() {
        boolean[][] m = new boolean[3][4];
        m[1][2] = m[1][3] = m[2][2] = m[2][3] = true;
        assertEquals(PaintState.Stroke.rect("tree", PaintState.Mode.PAINT, 4, 3, 2, 1, 3, 2),
                PaintState.Stroke.of("tree", PaintState.Mode.PAINT, m));
        PaintState s = PaintState.empty(8, 8);
        PaintState.Stroke wrong = PaintState.Stroke.of("tree", PaintState.Mode.PAINT, m);
        assertThrows(IllegalArgumentException.class, () -> s.with(wrong));
    }
}
