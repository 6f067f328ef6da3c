package dev.neurolens.display;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * What the user has painted so far, at feature-map resolution (GANPaint paints on the generator's grid of
 * units, not on pixels): an ordered list of strokes, each a set of grid cells with a concept and a mode. A cell's
 * final state for a concept is that of the last stroke that touched it, so removing over a painted cell undoes
 * the paint there. Immutable: {@link #with}, {@link #undo()} and {@link #reset()} return new states.
 *
 * <p>The JSON form (what the browser view sends) is
 * {@code {"grid":[w,h],"strokes":[{"concept":"tree","mode":"paint","cells":"0110..."}]}}, with {@code cells}
 * the row-major mask as w*h characters '0'/'1'.
 */
public final class PaintState {
    /** Caps what one message may carry, so a runaway front end cannot make the kernel build huge states. */
    public static final int MAX_STROKES = 10_000;

    /** Insert the concept where painted (GANPaint "draw"), or ablate it there ("remove"). */
    public enum Mode {
        PAINT("paint"), REMOVE("remove");

        private final String word;

        Mode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Mode parse(String word) {
            for (Mode m : values()) {
                if (m.word.equalsIgnoreCase(word)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mode '" + word + "' is not one of: paint, remove");
        }
    }

    /** One drag of the brush: the grid cells it covered (row-major bit per cell), one concept, one mode. */
    public static final class Stroke {
        private final String concept;
        private final Mode mode;
        private final int width;
        private final int height;
        private final BitSet cells;

        private Stroke(String concept, Mode mode, int width, int height, BitSet cells) {
            this.concept = Objects.requireNonNull(concept, "concept");
            this.mode = Objects.requireNonNull(mode, "mode");
            this.width = width;
            this.height = height;
            this.cells = (BitSet) cells.clone();
        }

        /** The cells of the rectangle columns x0..x1, rows y0..y1 (inclusive, clipped to the grid). */
        public static Stroke rect(String concept, Mode mode, int gridWidth, int gridHeight, int x0, int y0, int x1, int y1) {
            checkGrid(gridWidth, gridHeight);
            int ax = Math.max(0, Math.min(x0, x1));
            int bx = Math.min(gridWidth - 1, Math.max(x0, x1));
            int ay = Math.max(0, Math.min(y0, y1));
            int by = Math.min(gridHeight - 1, Math.max(y0, y1));
            if (ax > bx || ay > by) {
                throw new IllegalArgumentException("rectangle " + x0 + "," + y0 + "," + x1 + "," + y1
                        + " lies outside the " + gridWidth + "x" + gridHeight + " grid (columns 0.." + (gridWidth - 1)
                        + ", rows 0.." + (gridHeight - 1) + ")");
            }
            BitSet bits = new BitSet(gridWidth * gridHeight);
            for (int y = ay; y <= by; y++) {
                bits.set(y * gridWidth + ax, y * gridWidth + bx + 1);
            }
            return new Stroke(concept, mode, gridWidth, gridHeight, bits);
        }

        /** From a mask indexed [row][column]. */
        public static Stroke of(String concept, Mode mode, boolean[][] mask) {
            int h = mask.length;
            int w = h == 0 ? 0 : mask[0].length;
            checkGrid(w, h);
            BitSet bits = new BitSet(w * h);
            for (int y = 0; y < h; y++) {
                if (mask[y].length != w) {
                    throw new IllegalArgumentException("mask rows differ in length: row 0 has " + w + ", row " + y
                            + " has " + mask[y].length);
                }
                for (int x = 0; x < w; x++) {
                    bits.set(y * w + x, mask[y][x]);
                }
            }
            return new Stroke(concept, mode, w, h, bits);
        }

        /** From the wire form: w*h characters '0'/'1', row-major. */
        public static Stroke parse(String concept, Mode mode, int gridWidth, int gridHeight, String cells) {
            checkGrid(gridWidth, gridHeight);
            if (cells == null || cells.length() != gridWidth * gridHeight) {
                throw new IllegalArgumentException("a stroke's cells must be " + gridWidth * gridHeight + " characters "
                        + "(the " + gridWidth + "x" + gridHeight + " grid, row-major), got "
                        + (cells == null ? "none" : cells.length()));
            }
            BitSet bits = new BitSet(cells.length());
            for (int i = 0; i < cells.length(); i++) {
                char c = cells.charAt(i);
                if (c == '1') {
                    bits.set(i);
                } else if (c != '0') {
                    throw new IllegalArgumentException("a stroke's cells are '0'/'1' characters, found '" + c
                            + "' at " + i);
                }
            }
            return new Stroke(concept, mode, gridWidth, gridHeight, bits);
        }

        public String concept() {
            return concept;
        }

        public Mode mode() {
            return mode;
        }

        public boolean covers(int x, int y) {
            return cells.get(y * width + x);
        }

        public int cellCount() {
            return cells.cardinality();
        }

        String wire() {
            StringBuilder sb = new StringBuilder(width * height);
            for (int i = 0; i < width * height; i++) {
                sb.append(cells.get(i) ? '1' : '0');
            }
            return sb.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stroke s && s.concept.equals(concept) && s.mode == mode && s.width == width
                    && s.height == height && s.cells.equals(cells);
        }

        @Override
        public int hashCode() {
            return Objects.hash(concept, mode, width, height, cells);
        }

        @Override
        public String toString() {
            return mode.word() + " " + concept + " (" + cellCount() + " cells)";
        }
    }

    private final int width;
    private final int height;
    private final List<Stroke> strokes;

    private PaintState(int width, int height, List<Stroke> strokes) {
        this.width = width;
        this.height = height;
        this.strokes = List.copyOf(strokes);
    }

    public static PaintState empty(int gridWidth, int gridHeight) {
        checkGrid(gridWidth, gridHeight);
        return new PaintState(gridWidth, gridHeight, List.of());
    }

    public int gridWidth() {
        return width;
    }

    public int gridHeight() {
        return height;
    }

    public List<Stroke> strokes() {
        return strokes;
    }

    public boolean isEmpty() {
        return strokes.isEmpty();
    }

    /** This state plus one stroke on top. */
    public PaintState with(Stroke stroke) {
        if (stroke.width != width || stroke.height != height) {
            throw new IllegalArgumentException("stroke is on a " + stroke.width + "x" + stroke.height + " grid, the painter's is "
                    + width + "x" + height);
        }
        if (strokes.size() >= MAX_STROKES) {
            throw new IllegalArgumentException("at most " + MAX_STROKES + " strokes; reset or undo some first");
        }
        List<Stroke> next = new ArrayList<>(strokes);
        next.add(stroke);
        return new PaintState(width, height, next);
    }

    /** Without the last stroke (unchanged when empty). */
    public PaintState undo() {
        return strokes.isEmpty() ? this : new PaintState(width, height, strokes.subList(0, strokes.size() - 1));
    }

    public PaintState reset() {
        return new PaintState(width, height, List.of());
    }

    /** The concepts some stroke touched, in first-use order. */
    public Set<String> concepts() {
        Set<String> out = new LinkedHashSet<>();
        strokes.forEach(s -> out.add(s.concept()));
        return out;
    }

    /** The final state of one cell for a concept: the mode of the last stroke of that concept over it, or null. */
    public Mode cell(String concept, int x, int y) {
        for (int i = strokes.size() - 1; i >= 0; i--) {
            Stroke s = strokes.get(i);
            if (s.concept.equals(concept) && s.covers(x, y)) {
                return s.mode;
            }
        }
        return null;
    }

    /**
     * Where the concept ends up in the given mode, indexed [row][column]: what a backend reads to decide which
     * units to switch on (PAINT) or ablate (REMOVE) at which positions.
     */
    public boolean[][] mask(String concept, Mode mode) {
        boolean[][] out = new boolean[height][width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y][x] = cell(concept, x, y) == mode;
            }
        }
        return out;
    }

    /** The wire form the browser view sends and receives. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        JsonArray grid = new JsonArray();
        grid.add(width);
        grid.add(height);
        o.add("grid", grid);
        JsonArray list = new JsonArray();
        for (Stroke s : strokes) {
            JsonObject j = new JsonObject();
            j.addProperty("concept", s.concept);
            j.addProperty("mode", s.mode.word());
            j.addProperty("cells", s.wire());
            list.add(j);
        }
        o.add("strokes", list);
        return o;
    }

    /**
     * Reads the wire form for a grid of the given size, checking every field; concepts must be among
     * {@code concepts}. Throws IllegalArgumentException saying what was wrong.
     */
    public static PaintState fromJson(JsonElement json, int gridWidth, int gridHeight, List<String> concepts) {
        if (json == null || !json.isJsonObject()) {
            throw new IllegalArgumentException("state must be an object {grid, strokes}");
        }
        JsonObject o = json.getAsJsonObject();
        if (o.has("grid")) {
            JsonArray g = o.get("grid").isJsonArray() ? o.getAsJsonArray("grid") : null;
            if (g == null || g.size() != 2 || g.get(0).getAsInt() != gridWidth || g.get(1).getAsInt() != gridHeight) {
                throw new IllegalArgumentException("state grid " + o.get("grid") + " does not match the painter's ["
                        + gridWidth + "," + gridHeight + "]");
            }
        }
        JsonElement list = o.get("strokes");
        if (list == null || !list.isJsonArray()) {
            throw new IllegalArgumentException("state.strokes must be a list");
        }
        if (list.getAsJsonArray().size() > MAX_STROKES) {
            throw new IllegalArgumentException("at most " + MAX_STROKES + " strokes, got " + list.getAsJsonArray().size());
        }
        List<Stroke> out = new ArrayList<>();
        int i = 0;
        for (JsonElement e : list.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("stroke " + i + " must be an object {concept, mode, cells}");
            }
            JsonObject s = e.getAsJsonObject();
            String concept = string(s, "concept", i);
            if (!concepts.contains(concept)) {
                throw new IllegalArgumentException("stroke " + i + ": unknown concept '" + concept + "'; concepts: "
                        + String.join(", ", concepts));
            }
            out.add(Stroke.parse(concept, Mode.parse(string(s, "mode", i)), gridWidth, gridHeight, string(s, "cells", i)));
            i++;
        }
        checkGrid(gridWidth, gridHeight);
        return new PaintState(gridWidth, gridHeight, out);
    }

    private static String string(JsonObject o, String key, int index) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("stroke " + index + " needs a string '" + key + "'");
        }
        return e.getAsString();
    }

    private static void checkGrid(int w, int h) {
        if (w < 1 || h < 1 || w > 256 || h > 256) {
            throw new IllegalArgumentException("paint grid must be 1..256 cells a side, got " + w + "x" + h);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PaintState p && p.width == width && p.height == height && p.strokes.equals(strokes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, strokes);
    }

    @Override
    public String toString() {
        return "PaintState " + width + "x" + height + " " + strokes;
    }
}
