package dev.neurolens.optimize;

import dev.neurolens.run.LastResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Texture synthesis with no network ({@link Quilting}, {@link EfrosLeung}), checked against oracles that do not share
 * its code: a sample whose every pixel has its own colour says where each output pixel came from; the boundary cut is
 * compared with every 8-connected path; a periodic pattern must come back as an exact shifted copy.
 */
class QuiltingTest {

    @Test
    void everyPatchInteriorIsATranslatedCopyAndSeamsTakeFromOneOfTheOverlappingPatches() {
        BufferedImage sample = uniqueColours(48, 48);
        Map<Integer, int[]> where = positions(sample);
        int patch = 16;
        int ov = 4;
        int step = patch - ov;
        SynthesizedTexture r = Quilting.of(sample).patch(patch).overlap(ov).size(64, 60).sampleSize(0).seed(3)
                .live(false).run();
        BufferedImage out = r.texture();
        assertEquals(64, out.getWidth());
        assertEquals(60, out.getHeight());
        int[][][] shift = new int[64][60][];
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 60; y++) {
                int[] s = where.get(out.getRGB(x, y) & 0xffffff);
                assertNotNull(s, "pixel (" + x + ", " + y + ") has a colour the sample does not");
                assertArrayEquals(s, r.sourceOf(x, y), "the source map agrees with the colour");
                shift[x][y] = new int[] {s[0] - x, s[1] - y};
            }
        }
        // each patch's interior (what no later patch overlaps) is one translated block of the sample
        int ny = (60 - ov + step - 1) / step;
        int nx = (64 - ov + step - 1) / step;
        int[][][] patchShift = new int[ny][nx][];
        for (int i = 0; i < ny; i++) {
            for (int j = 0; j < nx; j++) {
                int y0 = i * step + (i > 0 ? ov : 0);
                int x0 = j * step + (j > 0 ? ov : 0);
                patchShift[i][j] = shift[x0][y0];
                for (int y = y0; y < Math.min(60, (i + 1) * step); y++) {
                    for (int x = x0; x < Math.min(64, (j + 1) * step); x++) {
                        assertArrayEquals(patchShift[i][j], shift[x][y], "patch (" + i + ", " + j + ") at (" + x
                                + ", " + y + ")");
                    }
                }
            }
        }
        // every overlap pixel comes from one of the patches that cover it
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 60; y++) {
                boolean found = false;
                for (int i = 0; i < ny; i++) {
                    for (int j = 0; j < nx; j++) {
                        boolean covers = y >= i * step && y < i * step + patch && x >= j * step && x < j * step + patch;
                        found |= covers && java.util.Arrays.equals(patchShift[i][j], shift[x][y]);
                    }
                }
                assertTrue(found, "pixel (" + x + ", " + y + ") is from no patch that covers it");
            }
        }
    }

    @Test
    void theBoundaryCutIsTheCheapestEightConnectedPath() {
        double[][] hand = {
            {5, 1, 9, 9},
            {9, 9, 1, 9},
            {9, 1, 9, 9},
            {1, 9, 9, 9},
            {9, 1, 9, 9}};
        assertArrayEquals(new int[] {1, 2, 1, 0, 1}, Quilting.verticalSeam(hand));
        Random rnd = new Random(5);
        for (int t = 0; t < 200; t++) {
            double[][] e = new double[2 + rnd.nextInt(6)][1 + rnd.nextInt(5)];
            for (double[] row : e) {
                for (int c = 0; c < row.length; c++) {
                    // small integers make ties, which the cut must survive
                    row[c] = t % 2 == 0 ? rnd.nextInt(4) : rnd.nextDouble();
                }
            }
            int[] seam = Quilting.verticalSeam(e);
            double cost = 0;
            for (int r = 0; r < e.length; r++) {
                assertTrue(seam[r] >= 0 && seam[r] < e[0].length);
                assertTrue(r == 0 || Math.abs(seam[r] - seam[r - 1]) <= 1, "not 8-connected");
                cost += e[r][seam[r]];
            }
            assertEquals(cheapestPath(e), cost, 1e-9);
        }
    }

    @Test
    void aPeriodicPatternComesBackAsAnExactShiftedCopy() {
        // period 8 across, 4 down: a transposed horizontal cut would break the rows
        BufferedImage sample = periodic(64, 64);
        for (long seed = 0; seed < 3; seed++) {
            assertShiftedPattern(Quilting.of(sample).patch(16).size(96).sampleSize(0).seed(seed).live(false).run());
        }
        assertShiftedPattern(EfrosLeung.of(periodic(32, 32)).window(5).size(20).sampleSize(0).seed(1).live(false).run());
    }

    @Test
    void efrosLeungCopiesEverySamplePixelFromTheSample() {
        BufferedImage sample = uniqueColours(24, 24);
        Map<Integer, int[]> where = positions(sample);
        SynthesizedTexture r = EfrosLeung.of(sample).window(5).size(16).sampleSize(0).seed(2).live(false).run();
        assertEquals(r.totalSteps(), r.steps());
        Set<Integer> used = new HashSet<>();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int c = r.texture().getRGB(x, y) & 0xffffff;
                assertArrayEquals(where.get(c), r.sourceOf(x, y));
                used.add(c);
            }
        }
        assertTrue(used.size() > 16, "the texture is more than a few copied pixels");
    }

    @Test
    void aSeedMakesItRepeatableAndAnInterruptKeepsThePartialQuilt() {
        BufferedImage sample = uniqueColours(40, 40);
        Quilting q = Quilting.of(sample).patch(12).size(48).sampleSize(0).live(false);
        int[] a = pixels(q.seed(4).run().texture());
        assertArrayEquals(a, pixels(q.seed(4).run().texture()));
        assertFalse(java.util.Arrays.equals(a, pixels(q.seed(5).run().texture())));

        List<Integer> heard = new ArrayList<>();
        SynthesizedTexture partial;
        try {
            partial = q.listener(1, f -> {
                heard.add(f.step());
                if (f.step() == 3) {
                    Thread.currentThread().interrupt();
                }
            }).run();
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of(1, 2, 3), heard);
        assertTrue(partial.interrupted());
        assertEquals(3, partial.steps());
        assertEquals(25, partial.totalSteps());
        assertSame(partial, LastResults.of(SynthesizedTexture.class));
        assertSame(partial, Quilting.lastResult());
        assertNull(partial.sourceOf(47, 47), "not yet filled");
        assertTrue(partial.toString().contains("interrupted after 3/25 patches"), partial.toString());
        assertTrue(partial.render().getWidth() > 2 * 48);
    }

    @Test
    void badInputsSayWhatIsWrong() {
        BufferedImage small = uniqueColours(20, 20);
        expect("larger than the sample", () -> Quilting.of(small).patch(24).sampleSize(0).run());
        expect("smaller than the patch", () -> Quilting.of(small).patch(8).overlap(8).run());
        expect("overlap must be >= 0", () -> Quilting.of(small).overlap(-1));
        expect("patch must be >= 2", () -> Quilting.of(small).patch(1));
        expect("tolerance", () -> Quilting.of(small).tolerance(-0.1));
        expect("tolerance", () -> Quilting.of(small).tolerance(Double.NaN));
        expect("width must be >= 1", () -> Quilting.of(small).size(0));
        expect("sampleSize", () -> Quilting.of(small).sampleSize(-5));
        expect("sample is null", () -> Quilting.of(null));
        expect("odd", () -> EfrosLeung.of(small).window(4));
        expect("larger than the sample", () -> EfrosLeung.of(small).window(21).sampleSize(0).run());
    }

    private static void expect(String words, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    /** The oracle: the cheapest of all top-to-bottom paths that move at most one column per row, by enumeration. */
    private static double cheapestPath(double[][] e) {
        double best = Double.POSITIVE_INFINITY;
        for (int c = 0; c < e[0].length; c++) {
            best = Math.min(best, cheapestFrom(e, 0, c));
        }
        return best;
    }

    private static double cheapestFrom(double[][] e, int r, int c) {
        if (c < 0 || c >= e[0].length) {
            return Double.POSITIVE_INFINITY;
        }
        if (r == e.length - 1) {
            return e[r][c];
        }
        double next = Double.POSITIVE_INFINITY;
        for (int d = -1; d <= 1; d++) {
            next = Math.min(next, cheapestFrom(e, r + 1, c + d));
        }
        return e[r][c] + next;
    }

    private static void assertShiftedPattern(SynthesizedTexture r) {
        BufferedImage out = r.texture();
        int first = out.getRGB(0, 0) & 0xffffff;
        int a = ((first >> 16) & 0xff) / 30;
        int b = ((first >> 8) & 0xff) / 60;
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                assertEquals(periodicColour(x + a, y + b), out.getRGB(x, y) & 0xffffff, r + " at (" + x + ", " + y
                        + ")");
            }
        }
    }

    private static BufferedImage periodic(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, periodicColour(x, y));
            }
        }
        return img;
    }

    private static int periodicColour(int x, int y) {
        return (30 * (x % 8)) << 16 | (60 * (y % 4)) << 8 | 100;
    }

    /** Red and green say where a pixel is; blue is noise, so overlaps do not simply match the next column. */
    private static BufferedImage uniqueColours(int w, int h) {
        Random rnd = new Random(9);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (5 * x) << 16 | (5 * y) << 8 | rnd.nextInt(256));
            }
        }
        return img;
    }

    private static Map<Integer, int[]> positions(BufferedImage img) {
        Map<Integer, int[]> m = new HashMap<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                m.put(img.getRGB(x, y) & 0xffffff, new int[] {x, y});
            }
        }
        return m;
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
