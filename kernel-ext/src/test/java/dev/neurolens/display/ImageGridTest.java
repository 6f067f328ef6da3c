package dev.neurolens.display;

import static dev.neurolens.display.ImagesTest.decode;
import static dev.neurolens.display.ImagesTest.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ImageGridTest {
    private static final int[] COLORS = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0x00FFFF};

    private static BufferedImage solid(int rgb) {
        BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static List<BufferedImage> fiveSolids() {
        return List.of(solid(COLORS[0]), solid(COLORS[1]), solid(COLORS[2]), solid(COLORS[3]), solid(COLORS[4]));
    }

    @Test
    void cellsLandWhereTheLayoutSays() throws IOException {
        ImageGrid grid = ImageGrid.of(fiveSolids()).columns(2).cellSize(20).padding(4).background(Color.BLACK);
        BufferedImage img = decode(grid.toPng());
        // 2 columns, 3 rows of 20 px cells, 4 px around and between
        assertEquals(2 * 20 + 3 * 4, img.getWidth());
        assertEquals(3 * 20 + 4 * 4, img.getHeight());
        for (int i = 0; i < 5; i++) {
            int cx = 4 + (i % 2) * 24 + 10;
            int cy = 4 + (i / 2) * 24 + 10;
            assertEquals(COLORS[i], rgb(img, cx, cy), "cell " + i);
            // 10 px images are enlarged to fill the 20 px cell edge to edge
            assertEquals(COLORS[i], rgb(img, cx - 10, cy - 10), "cell " + i + " corner");
        }
        assertEquals(0x000000, rgb(img, 2, 2)); // padding
        assertEquals(0x000000, rgb(img, 4 + 24 + 10, 4 + 48 + 10)); // empty sixth cell
    }

    @Test
    void captionsAndTitleAddRowsOfText() {
        ImageGrid base = ImageGrid.of(fiveSolids()).columns(5).cellSize(20).padding(4);
        int h0 = base.render().getHeight();
        int h1 = base.captions("a", "b", "c").render().getHeight();
        int h2 = base.captions("a", "b", "c").title("five colours").render().getHeight();
        assertEquals(20 + 8, h0);
        assertTrue(h1 > h0 + 8, h0 + " -> " + h1);
        assertTrue(h2 > h1 + 8, h1 + " -> " + h2);
        BufferedImage withText = base.captions("a", "b", "c").title("five colours").render();
        assertTrue(hasDarkPixel(withText, 0, 0, withText.getWidth(), 18), "title drawn");
        assertThrows(IllegalArgumentException.class, () -> base.captions("1", "2", "3", "4", "5", "6"));
    }

    private static boolean hasDarkPixel(BufferedImage img, int x0, int y0, int w, int h) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                if ((rgb(img, x, y) & 0xFF) < 100) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void defaultsForSmallImages() {
        ImageGrid grid = ImageGrid.of(fiveSolids());
        assertEquals(5, grid.effectiveColumns());
        assertEquals(100, grid.effectiveCellSize()); // 10 px enlarged by a whole factor to reach 96
        assertEquals(4, ImageGrid.of(IntStream.range(0, 16).mapToObj(i -> solid(0)).toList()).effectiveColumns());
    }

    @Test
    void batchArraySplitsIntoCells() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageGrid grid = ImageGrid.of(m.zeros(new Shape(6, 1, 28, 28)));
            assertEquals(6, grid.size());
            assertEquals(28, grid.images().get(0).getWidth());
        }
    }
}
