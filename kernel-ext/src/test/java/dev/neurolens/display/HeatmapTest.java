package dev.neurolens.display;

import static dev.neurolens.display.ImagesTest.decode;
import static dev.neurolens.display.ImagesTest.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

class HeatmapTest {
    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(rgb));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static int channel(int rgb, int shift) {
        return (rgb >> shift) & 0xFF;
    }

    @Test
    void overlayBlendsByAlpha() throws IOException {
        BufferedImage base = solid(20, 20, 0x6496C8); // (100, 150, 200)
        float[][] half = {{0.5f, 0.5f}, {0.5f, 0.5f}};
        HeatmapOverlay o = HeatmapOverlay.of(base, half).colormap(Colormap.GRAY).range(0, 1).alpha(0.25)
                .colorbar(false).scale(1);
        BufferedImage out = decode(o.toPng());
        assertEquals(20, out.getWidth());
        assertEquals(20, out.getHeight());
        // gray(0.5) = 128: 0.75 * base + 0.25 * 128, rounded half up
        int p = rgb(out, 7, 11);
        assertEquals(Math.round(100 * 0.75 + 128 * 0.25), channel(p, 16));
        assertEquals(Math.round(150 * 0.75 + 128 * 0.25), channel(p, 8));
        assertEquals(Math.round(200 * 0.75 + 128 * 0.25), channel(p, 0));
    }

    @Test
    void overlayResizesTheMapBilinearly() {
        BufferedImage base = solid(4, 4, 0xFF00FF);
        float[][] ramp = {{0f, 1f}, {0f, 1f}};
        BufferedImage out = HeatmapOverlay.of(base, ramp).colormap(Colormap.GRAY).range(0, 1).alpha(1)
                .colorbar(false).scale(1).render();
        // Columns get 0, 0.25, 0.75, 1 (pixel centres aligned), i.e. gray levels 0, 64, 191, 255.
        assertEquals(0x000000, rgb(out, 0, 2));
        assertEquals(0x404040, rgb(out, 1, 2));
        assertEquals(0xBFBFBF, rgb(out, 2, 2));
        assertEquals(0xFFFFFF, rgb(out, 3, 2));
    }

    @Test
    void alphaByValueFadesWeakRegions() {
        BufferedImage base = solid(3, 1, 0x000000);
        float[][] signed = {{-2f, 0f, 1f}};
        BufferedImage out = HeatmapOverlay.of(base, signed).colormap(Colormap.GRAY).alpha(1).alphaByValue(true)
                .colorbar(false).scale(1).render();
        assertEquals(0x000000, rgb(out, 0, 0)); // -2: full strength, gray(0) is black
        assertEquals(0x000000, rgb(out, 1, 0)); // 0: no overlay at all
        // 1 of [-2, 2]: t = 0.75 -> gray level 191, at strength 0.5 over black
        assertEquals(96, channel(rgb(out, 2, 0), 16));
    }

    @Test
    void nanCellsLeaveThePictureAlone() {
        BufferedImage base = solid(2, 1, 0x336699);
        float[][] map = {{Float.NaN, 1f}};
        BufferedImage out = HeatmapOverlay.of(base, map).colormap(Colormap.GRAY).range(0, 1).alpha(0.5)
                .colorbar(false).scale(1).render();
        assertEquals(0x336699, rgb(out, 0, 0));
    }

    @Test
    void colorbarAndTitleAddRoomAroundTheOverlay() {
        BufferedImage base = solid(64, 48, 0x808080);
        float[][] map = {{0f, 1f}, {2f, 3f}};
        BufferedImage plain = HeatmapOverlay.of(base, map).colorbar(false).scale(1).render();
        BufferedImage withBar = HeatmapOverlay.of(base, map).scale(1).title("cam").render();
        assertEquals(64, plain.getWidth());
        assertTrue(withBar.getWidth() > 64 + Colorbar.BAR_WIDTH, "width " + withBar.getWidth());
        assertTrue(withBar.getHeight() > 48 + 16, "height " + withBar.getHeight());
    }

    @Test
    void defaultSizingEnlargesTinyAndShrinksLargePictures() {
        float[][] map = {{0f, 1f}};
        assertEquals(28 * 9, HeatmapOverlay.of(solid(28, 28, 0), map).colorbar(false).renderOverlay().getWidth());
        assertEquals(512, HeatmapOverlay.of(solid(1024, 768, 0), map).colorbar(false).renderOverlay().getWidth());
    }

    @Test
    void normalizations() {
        float[][] signed = {{-1f, 2f}, {0f, 0.5f}};
        assertArrayEquals(new double[] {-2, 2}, Normalization.symmetric().range(signed));
        assertArrayEquals(new double[] {-1, 2}, Normalization.minMax().range(signed));
        assertArrayEquals(new double[] {-2, 2}, Normalization.auto().range(signed));
        assertArrayEquals(new double[] {0, 5}, Normalization.fixed(0, 5).range(signed));
        float[][] positive = {{1f, 3f}};
        assertArrayEquals(new double[] {1, 3}, Normalization.auto().range(positive));
        assertArrayEquals(new double[] {-1, 1}, Normalization.symmetric().range(new float[][] {{0f}}));
    }

    @Test
    void signedMapsDefaultToADivergingMapCentredOnZero() {
        float[][] signed = {{-1f, 0f, 2f}};
        Heatmap h = Heatmap.of(signed).scale(1).colorbar(false);
        assertSame(Colormap.COOLWARM, h.effectiveColormap());
        assertSame(Colormap.VIRIDIS, Heatmap.of(new float[][] {{1f, 2f}}).effectiveColormap());
        BufferedImage img = h.renderMap();
        assertEquals(Colormap.COOLWARM.rgb(0.5), rgb(img, 1, 0)); // 0 sits on the neutral middle
        assertEquals(Colormap.COOLWARM.rgb(0.25), rgb(img, 0, 0)); // -1 of [-2, 2]
        assertEquals(Colormap.COOLWARM.rgb(1), rgb(img, 2, 0));
    }

    @Test
    void plainHeatmapShowsCrispCells() throws IOException {
        float[][] map = {{0f, 1f}, {2f, 3f}};
        BufferedImage img = decode(Heatmap.of(map).colormap("gray").scale(10).colorbar(false).toPng());
        assertEquals(20, img.getWidth());
        assertEquals(0x000000, rgb(img, 9, 9));
        assertEquals(0x555555, rgb(img, 10, 0)); // 1/3 -> index 85
        assertEquals(0xFFFFFF, rgb(img, 19, 19));
    }

    @Test
    void colorbarTicksAreRoundNumbers() {
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), Colorbar.of(Colormap.GRAY, 0, 1).labels());
        assertEquals(List.of("-2", "-1", "0", "1", "2"), Colorbar.of(Colormap.GRAY, -2, 2).labels());
        assertEquals(List.of("0.02", "0.03", "0.04", "0.05", "0.06"), Colorbar.of(Colormap.GRAY, 0.013, 0.067).labels());
    }

    @Test
    void colorbarRunsHighOnTopToLowAtTheBottom() {
        BufferedImage bar = Colorbar.of(Colormap.GRAY, 0, 1).height(200).render();
        int x = 4 + Colorbar.BAR_WIDTH / 2;
        int mid = channel(rgb(bar, x, 100), 0);
        assertTrue(Math.abs(mid - 128) <= 3, "middle level " + mid);
        assertTrue(channel(rgb(bar, x, 20), 0) > 200);
        assertTrue(channel(rgb(bar, x, 180), 0) < 55);
    }
}
