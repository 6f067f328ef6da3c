package dev.neurolens.features;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopPatchesTest {
    static Network net;
    static ImageSet data;

    @BeforeAll
    static void load() {
        net = Models.defaultModel();
        data = ImageSet.fashionMnistTest().first(300);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    /** Per unit, every image's maximum from one pass per image, sorted by value (desc) then id. */
    static List<List<float[]>> bruteForce(String layer, int units) {
        return bruteForce(layer, units, data.size());
    }

    static final java.util.Map<String, List<List<float[]>>> BRUTE = new java.util.HashMap<>();

    /** The same over the first {@code n} pictures only (memoized: several tests compare with it). */
    static List<List<float[]>> bruteForce(String layer, int units, int n) {
        return BRUTE.computeIfAbsent(layer + "/" + units + "/" + n, key -> computeBruteForce(layer, units, n));
    }

    private static List<List<float[]>> computeBruteForce(String layer, int units, int n) {
        List<List<float[]>> perUnit = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            perUnit.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            Tensor t = net.run(data.batch(i, i + 1, net.preprocessing()), layer).get(layer);
            int c = (int) t.dim(1);
            int plane = t.size() / c;
            for (int u = 0; u < units; u++) {
                float best = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < plane; s++) {
                    best = Math.max(best, t.getFlat(u * plane + s));
                }
                perUnit.get(u).add(new float[] {best, i});
            }
        }
        for (List<float[]> l : perUnit) {
            l.sort(Comparator.<float[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
        }
        return perUnit;
    }

    @Test
    void topKEqualsBruteForce() {
        for (String layer : new String[] {"conv2", "pool3"}) {
            int units = 12;
            int k = 7;
            TopPatchesResult top = TopPatches.builder(net, layer).units(0, units).k(k).batch(64).run(data);
            assertMatches(bruteForce(layer, units), top, units, k, layer);
            assertFalse(top.partial());
        }
    }

    static void assertMatches(List<List<float[]>> brute, TopPatchesResult top, int units, int k, String what) {
        for (int u = 0; u < units; u++) {
            List<TopPatchesResult.Hit> hits = top.hits(u);
            assertEquals(k, hits.size());
            for (int j = 0; j < k; j++) {
                float[] want = brute.get(u).get(j);
                assertEquals((int) want[1], hits.get(j).image(), what + " unit " + u + " rank " + j);
                assertEquals(want[0], hits.get(j).value(), 1e-5f * Math.max(1, Math.abs(want[0])),
                        what + " unit " + u + " rank " + j);
            }
        }
    }

    /** {@code data}, but the call for batch number {@code stopAfter} (1-based) then interrupts the thread, or throws ThreadDeath as the kernel's hard stop would when {@code hard}. */
    static ImageSet stoppingAfter(int stopAfter, boolean hard, int[] batchesServed) {
        return new ImageSet() {
            public int size() {
                return data.size();
            }

            public BufferedImage image(int i) {
                return data.image(i);
            }

            public int label(int i) {
                return data.label(i);
            }

            public List<String> labelNames() {
                return data.labelNames();
            }

            public String name() {
                return data.name();
            }

            public Tensor batch(int from, int to, Preprocessing p) {
                batchesServed[0]++;
                if (hard && batchesServed[0] == stopAfter + 1) {
                    throw new ThreadDeath();
                }
                Tensor t = data.batch(from, to, p);
                if (!hard && batchesServed[0] == stopAfter) {
                    Thread.currentThread().interrupt();
                }
                return t;
            }
        };
    }

    /** Runs on a thread of its own, as the kernel runs a cell, so the interrupt flag stays there. */
    static TopPatchesResult onCellThread(java.util.function.Supplier<TopPatchesResult> cell) throws Exception {
        TopPatchesResult[] out = new TopPatchesResult[1];
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                out[0] = cell.get();
            } catch (Throwable e) {
                failed[0] = e;
            }
        });
        t.start();
        t.join();
        if (failed[0] != null) {
            throw new AssertionError("the cell failed", failed[0]);
        }
        return out[0];
    }

    @Test
    void interruptKeepsThePartialTopKAndResumeFinishesIt() throws Exception {
        int units = 10;
        int k = 6;
        for (boolean hard : new boolean[] {false, true}) {
            int[] served = new int[1];
            ImageSet stopping = stoppingAfter(2, hard, served);
            TopPatchesResult partial = onCellThread(() -> TopPatches.builder(net, "conv3").units(0, units).k(k).batch(50)
                    .run(stopping));
            String what = hard ? "hard stop" : "interrupt";
            assertEquals(100, partial.imagesSeen(), what);
            assertTrue(partial.partial() && partial.interrupted(), what);
            assertTrue(partial.toString().contains("partial (interrupted): 100 of 300 images"), partial.toString());
            assertSame(partial, TopPatches.lastResult(), what);
            assertMatches(bruteForce("conv3", units, 100), partial, units, k, what + ", first 2 batches");
            assertEquals(18 * 18, partial.crops(0).get(0).getWidth() * partial.crops(0).get(0).getHeight());

            TopPatchesResult resumed = onCellThread(() -> TopPatches.resume(TopPatches.lastResult(), data));
            assertEquals(300, resumed.imagesSeen());
            assertFalse(resumed.partial() || resumed.interrupted());
            assertMatches(bruteForce("conv3", units), resumed, units, k, what + ", resumed");
            // the partial result is a value: resuming did not change it
            assertEquals(100, partial.imagesSeen());
            assertMatches(bruteForce("conv3", units, 100), partial, units, k, what + ", partial after resume");
        }
    }

    @Test
    void resumeKeepsRecordedMaxima() throws Exception {
        int[] served = new int[1];
        ImageSet stopping = stoppingAfter(3, false, served);
        TopPatchesResult partial = onCellThread(() -> TopPatches.builder(net, "relu2").units(4).k(3).batch(40)
                .recordMaxima(true).run(stopping));
        assertEquals(120, partial.maxima(4).length);
        TopPatchesResult full = partial.resume(data);
        float[] max = full.maxima(4);
        assertEquals(300, max.length);
        List<List<float[]>> brute = bruteForce("relu2", 5);
        for (float[] row : brute.get(4)) {
            assertEquals(row[0], max[(int) row[1]], 1e-5f * Math.max(1, Math.abs(row[0])));
        }
        assertArrayEquals(java.util.Arrays.copyOf(max, 120), partial.maxima(4));
    }

    @Test
    void resumeRefusesAnotherDataSet() throws Exception {
        TopPatchesResult partial = TopPatches.builder(net, "conv2").units(0, 4).k(3).batch(50).limit(100).run(data);
        assertTrue(partial.partial());
        assertFalse(partial.interrupted());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> partial.resume(ImageSet.fashionMnistTest().first(200)));
        assertTrue(e.getMessage().contains("resume with the same data set"), e.getMessage());
    }

    @Test
    void layersWithoutSpatialExtentAreRefused() {
        // relu4 is classifier.1: a vector of 128 per picture, no place in the picture to crop
        for (String layer : new String[] {"classifier.1", "fc2", "output"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TopPatches.builder(net, layer).k(3).run(data.first(4)));
            String dims = layer.equals("classifier.1") ? "128" : "10";
            assertEquals("layer '" + layer + "' has no spatial extent (output N x " + dims + "); top patches need a "
                    + "conv layer such as conv1, conv2, conv3 (each unit's patch is where it fires in the picture)",
                    e.getMessage());
        }
        // after a global pooling the map is 1 x 1: also no extent
        try (Network squeeze = Models.random("squeezenet1_1", 0)) {
            BufferedImage gray = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
            ImageSet one = ImageSet.of(List.of(gray), null, null, "one gray picture");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TopPatches.builder(squeeze, "pool10").k(1).run(one));
            assertTrue(e.getMessage().startsWith("layer 'pool10' has no spatial extent (output N x 1000 x 1 x 1); "
                    + "top patches need a conv layer such as "), e.getMessage());
            assertTrue(e.getMessage().contains("conv10"), e.getMessage());
        }
    }

    @Test
    void emptyDataSetIsRefused() {
        ImageSet none = ImageSet.of(List.of(), null, null, "nothing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopPatches.builder(net, "conv2").run(none));
        assertEquals("the image set nothing (0) is empty: nothing to stream; give a set with pictures "
                + "(e.g. ImageSet.fashionMnistTest() or ImageSet.folder(dir))", e.getMessage());
    }

    @Test
    void resumesFromACheckpoint() throws Exception {
        Path file = Files.createTempDirectory("patches").resolve("conv3.ckpt");
        TopPatchesResult whole = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).run(data);
        TopPatchesResult half = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).checkpoint(file).limit(150)
                .run(data);
        assertEquals(150, half.imagesSeen());
        TopPatchesResult resumed = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).checkpoint(file)
                .run(data);
        assertEquals(300, resumed.imagesSeen());
        for (int u = 0; u < 8; u++) {
            assertEquals(whole.hits(u), resumed.hits(u));
        }
    }

    @Test
    void receptiveFieldBoxesByHand() {
        // fashion_cnn: 3x3 convs (pad 1) and 2x2 max pools.
        // conv1: size 3, stride 1, offset -1.  conv2: pool -> 4/2/-1, conv -> 8/2/-3.  conv3: pool -> 10/4/-3, conv -> 18/4/-7
        ReceptiveField c1 = net.receptiveField("conv1");
        assertEquals(new Rectangle(-1 + 5, -1 + 0, 3, 3), TopPatches.fieldBox(c1, 0, 5, 28, 28));
        ReceptiveField c2 = net.receptiveField("conv2");
        assertEquals(new Rectangle(-3 + 2 * 6, -3 + 2 * 3, 8, 8), TopPatches.fieldBox(c2, 3, 6, 28, 28));
        ReceptiveField c3 = net.receptiveField("conv3");
        assertEquals(new Rectangle(13, 1, 18, 18), TopPatches.fieldBox(c3, 2, 5, 28, 28));
        assertEquals(new Rectangle(0, 0, 28, 28), TopPatches.fieldBox(net.receptiveField("fc1"), 0, 0, 28, 28));
        try (Network alex = Models.random("alexnet", 0)) {
            // conv1 11/4 pad 2: size 11, stride 4, offset -2; unit (3, 5) sees rows 10..20, cols 18..28
            assertEquals(new Rectangle(18, 10, 11, 11), TopPatches.fieldBox(alex.receptiveField("features.0"), 3, 5,
                    224, 224));
            // maxpool 3/2: 19/8/-2; conv2 5 pad 2: 51/8/-18; unit (1, 2) sees rows -10..40, cols -2..48
            assertEquals(new Rectangle(-2, -10, 51, 51), TopPatches.fieldBox(alex.receptiveField("features.3"), 1, 2,
                    224, 224));
        }
    }

    @Test
    void cropsTheFieldAndPadsOutside() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.setRGB(x, y, (x * 9) << 16 | (y * 9) << 8);
            }
        }
        ReceptiveField c3 = net.receptiveField("conv3");
        BufferedImage crop = TopPatches.crop(img, c3, 2, 5); // rows 1..18, cols 13..30 (29, 30 outside)
        assertEquals(18, crop.getWidth());
        assertEquals(img.getRGB(13, 1) & 0xffffff, crop.getRGB(0, 0) & 0xffffff);
        assertEquals(img.getRGB(27, 18) & 0xffffff, crop.getRGB(14, 17) & 0xffffff);
        assertEquals(0x808080, crop.getRGB(15, 0) & 0xffffff);
        BufferedImage corner = TopPatches.crop(img, c3, 0, 0); // rows and cols -7..10
        assertEquals(0x808080, corner.getRGB(6, 6) & 0xffffff);
        assertEquals(img.getRGB(0, 0) & 0xffffff, corner.getRGB(7, 7) & 0xffffff);
    }

    /**
     * Guided backprop of a relu1 unit at its hit is that unit's 3x3 conv1 kernel at the hit (the input gradient of
     * one convolution), shown as grey plus the signed weight scaled by its 99th percentile of magnitude; cells
     * beyond the picture stay grey.
     */
    @Test
    void guidedBackpropOfFirstLayerHitsIsTheKernel() {
        int unit = 5;
        TopPatchesResult top = TopPatches.builder(net, "relu1").units(unit).k(6).run(data);
        float[] w = net.parameters().get("features.0.weight").toFloatArray();
        List<BufferedImage> guided = top.guidedBackpropOfUnit(unit);
        assertEquals(6, guided.size());
        for (int j = 0; j < guided.size(); j++) {
            TopPatchesResult.Hit hit = top.hitsOfUnit(unit).get(j);
            BufferedImage patch = guided.get(j);
            assertEquals(3, patch.getWidth());
            List<Float> inside = new ArrayList<>();
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    int y = hit.y() - 1 + dy;
                    int x = hit.x() - 1 + dx;
                    if (y >= 0 && y < 28 && x >= 0 && x < 28) {
                        inside.add(Math.abs(w[unit * 9 + dy * 3 + dx]));
                    }
                }
            }
            inside.sort(null);
            float scale = inside.get((int) Math.floor(0.99 * (inside.size() - 1)));
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    int y = hit.y() - 1 + dy;
                    int x = hit.x() - 1 + dx;
                    boolean in = y >= 0 && y < 28 && x >= 0 && x < 28;
                    int expected = in ? Math.round(Math.max(0, Math.min(255,
                            127.5f + 127.5f * w[unit * 9 + dy * 3 + dx] / scale))) : 128;
                    int grey = patch.getRGB(dx, dy) & 0xFF;
                    assertTrue(Math.abs(expected - grey) <= 1, "hit " + j + " cell " + dy + "," + dx + ": "
                            + grey + " vs kernel " + expected);
                }
            }
        }
    }
}
