package dev.neurolens.display;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A stand-in generator for painter tests: an 8x8 grid of 8-pixel cells, gray where nothing is painted, the
 * concept's colour where it is painted and black where it is removed (later concepts in the list win a cell).
 * The expected picture of any state is therefore known cell by cell.
 */
final class CellColorBackend implements Painter.Backend {
    static final int GRID = 8;
    static final int CELL = 8;
    static final int GRAY = 0x808080;
    static final List<String> CONCEPTS = List.of("red", "green", "blue");
    static final int[] COLORS = {0xff0000, 0x00ff00, 0x0000ff};

    int renders;
    RuntimeException failNext;

    @Override
    public List<String> concepts() {
        return CONCEPTS;
    }

    @Override
    public int gridWidth() {
        return GRID;
    }

    @Override
    public int gridHeight() {
        return GRID;
    }

    @Override
    public BufferedImage render(PaintState state) {
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            throw e;
        }
        renders++;
        BufferedImage img = new BufferedImage(GRID * CELL, GRID * CELL, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < GRID; y++) {
            for (int x = 0; x < GRID; x++) {
                int rgb = GRAY;
                for (int c = 0; c < CONCEPTS.size(); c++) {
                    PaintState.Mode m = state.cell(CONCEPTS.get(c), x, y);
                    if (m == PaintState.Mode.PAINT) {
                        rgb = COLORS[c];
                    } else if (m == PaintState.Mode.REMOVE) {
                        rgb = 0;
                    }
                }
                for (int py = 0; py < CELL; py++) {
                    for (int px = 0; px < CELL; px++) {
                        img.setRGB(x * CELL + px, y * CELL + py, rgb);
                    }
                }
            }
        }
        return img;
    }

    /** The colour the cell (x, y) shows in img, read at its centre. */
    static int cellColor(BufferedImage img, int x, int y) {
        return img.getRGB(x * CELL + CELL / 2, y * CELL + CELL / 2) & 0xffffff;
    }
}
