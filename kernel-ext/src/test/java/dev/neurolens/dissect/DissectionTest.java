package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Thresholds and IoU of GAN dissection against hand computation, brute force and numpy/torch. */
class DissectionTest {

    /** One unit, a 2x2 map upsampled to 4x4, median threshold: every number by hand. */
    @Test
    void handComputedCase() {
        Tally t = new Tally(1, 2, 2, 2, 4, 4, 0.5, 8, 100, 0);
        // sample 0: map [[0, 0], [0, 4]]; sample 1: map [[4, 4], [4, 4]]
        float[] acts = {0, 0, 0, 4, 4, 4, 4, 4};
        t.addValues(acts, 2, 0);
        // values sorted 0 0 0 4 4 4 4 4: position 3.5 between 4 and 4
        assertEquals(4f, t.thresholds()[0]);
        Tally quarter = new Tally(1, 2, 2, 2, 4, 4, 0.25, 8, 100, 0);
        quarter.addValues(acts, 2, 0);
        // position 1.75 between 0 and 0
        assertEquals(0f, quarter.thresholds()[0]);
        // threshold 2: sample 0's upsampled map exceeds 2 where the bottom-right source dominates.
        // Rows/cols of the 4x4 output sample source coordinates -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped
        // to 1): weights of the bottom-right value 4 are 0, 0.25, 0.75, 1 per axis, so the value is 4 * wy * wx.
        // > 2 needs wy * wx > 0.5: (0.75, 0.75), (0.75, 1), (1, 0.75), (1, 1) -> 4 pixels; sample 1 is 4
        // everywhere -> 16.
        int[][] labels = new int[2][16];
        for (int[] l : labels) {
            Arrays.fill(l, Segmenter.NONE);
        }
        labels[0][15] = 1;   // bottom-right pixel concept 1 (inside the mask)
        labels[0][0] = 1;    // top-left concept 1 (outside)
        labels[1][0] = 0;    // concept 0, inside sample 1's full mask
        t.addMasks(acts, 2, labels, new float[] {2f});
        double[][] iou = t.iou();
        // unit mask: 4 + 16 = 20 pixels; concept 1: 2 pixels, 1 inside -> 1 / (20 + 2 - 1)
        assertEquals(1 / 21.0, iou[0][1], 1e-12);
        // concept 0: 1 pixel inside -> 1 / 20
        assertEquals(1 / 20.0, iou[0][0], 1e-12);
        assertArrayEquals(new long[] {20}, t.unitPixels());
    }

    /** Random tiny data, non-square maps and images: thresholds and IoU equal a direct brute force. */
    @Test
    void tallyEqualsBruteForce() {
        Random r = new Random(3);
        int units = 4;
        int k = 3;
        int h = 3;
        int w = 5;
        int imgH = 7;
        int imgW = 11;
        int n = 6;
        float[] acts = new float[n * units * h * w];
        for (int i = 0; i < acts.length; i++) {
            acts[i] = (float) r.nextGaussian();
        }
        int[][] labels = new int[n][imgH * imgW];
        for (int[] l : labels) {
            for (int p = 0; p < l.length; p++) {
                l[p] = r.nextInt(k + 1) - 1;
            }
        }
        double q = 0.8;
        // capacity 19: the 0.8 quantile of 90 values needs only the 90 - floor(0.8 * 89) = 19 largest, so the
        // threshold is exact though most values are dropped
        Tally t = new Tally(units, k, h, w, imgH, imgW, q, n * h * w, 19, 0);
        // in two batches, as the generator would feed it
        int per = units * h * w;
        t.addValues(Arrays.copyOfRange(acts, 0, 2 * per), 2, 0);
        t.addValues(Arrays.copyOfRange(acts, 2 * per, n * per), n - 2, 2);
        assertTrue(t.exact());
        float[] th = t.thresholds();
        for (int u = 0; u < units; u++) {
            float[] v = new float[n * h * w];
            int m = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < h * w; p++) {
                    v[m++] = acts[(i * units + u) * h * w + p];
                }
            }
            Arrays.sort(v);
            double pos = q * (v.length - 1);
            int lo = (int) pos;
            double expected = v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
            assertEquals(expected, th[u], 1e-6, "threshold of unit " + u);
        }
        t.addMasks(Arrays.copyOfRange(acts, 0, 2 * per), 2, Arrays.copyOfRange(labels, 0, 2), th);
        t.addMasks(Arrays.copyOfRange(acts, 2 * per, n * per), n - 2, Arrays.copyOfRange(labels, 2, n), th);
        double[][] iou = t.iou();
        for (int u = 0; u < units; u++) {
            for (int c = 0; c < k; c++) {
                long inter = 0;
                long union = 0;
                for (int i = 0; i < n; i++) {
                    for (int y = 0; y < imgH; y++) {
                        for (int x = 0; x < imgW; x++) {
                            boolean a = bilinear(acts, (i * units + u) * h * w, h, w, imgH, imgW, y, x) > th[u];
                            boolean b = labels[i][y * imgW + x] == c;
                            inter += a && b ? 1 : 0;
                            union += a || b ? 1 : 0;
                        }
                    }
                }
                assertEquals(inter / (double) union, iou[u][c], 1e-12, "IoU of unit " + u + ", concept " + c);
            }
        }
    }

    /** Per-pixel bilinear value with half-pixel centres (torch align_corners=False), written out directly. */
    private static double bilinear(float[] a, int off, int h, int w, int outH, int outW, int y, int x) {
        double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
        double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
        int y0 = Math.min((int) sy, h - 1);
        int x0 = Math.min((int) sx, w - 1);
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double fy = sy - y0;
        double fx = sx - x0;
        return (1 - fy) * ((1 - fx) * a[off + y0 * w + x0] + fx * a[off + y0 * w + x1])
                + fy * ((1 - fx) * a[off + y1 * w + x0] + fx * a[off + y1 * w + x1]);
    }

    /** A uniform sample stands in for the values once the tail no longer fits: close to the exact quantile. */
    @Test
    void reservoirApproximatesQuantile() {
        Random r = new Random(5);
        int n = 200;
        float[] acts = new float[n * 16];
        for (int i = 0; i < acts.length; i++) {
            acts[i] = (float) r.nextGaussian();
        }
        // the 0.5 quantile needs 1601 of the 3200 values kept; 1000 forces a sample
        Tally t = new Tally(1, 1, 4, 4, 4, 4, 0.5, n * 16, 1000, 9);
        t.addValues(acts, n, 0);
        assertFalse(t.exact());
        float[] sorted = acts.clone();
        Arrays.sort(sorted);
        // exact median of 3200 normals ~ 0; a 1000-value sample is within a few hundredths
        assertEquals(Tally.quantile(sorted, 0.5), t.thresholds()[0], 0.1);
    }

    /** Upsampling and quantiles agree with torch.nn.functional.interpolate and numpy.quantile. */
    @Test
    void upsamplingAndQuantileMatchTorch() throws Exception {
        Assumptions.assumeTrue(TorchOracle.unavailableReason() == null, TorchOracle.unavailableReason());
        Random r = new Random(11);
        float[] map = new float[3 * 5];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) r.nextGaussian();
        }
        String values = Arrays.toString(map);
        String script = "import torch, numpy as np\n"
                + "v = torch.tensor(" + values + ").reshape(1, 1, 3, 5)\n"
                + "u = torch.nn.functional.interpolate(v, size=(7, 11), mode='bilinear', align_corners=False)\n"
                + "print(' '.join(repr(float(x)) for x in u.flatten()))\n"
                + "print(repr(float(np.quantile(v.numpy().astype(np.float64).flatten(), 0.83))))\n";
        List<String> out = python(script);
        String[] expected = out.get(0).trim().split(" ");
        float[] ours = new Tally.Upsampler(3, 5, 7, 11).apply(map);
        assertEquals(expected.length, ours.length);
        for (int i = 0; i < ours.length; i++) {
            assertEquals(Double.parseDouble(expected[i]), ours[i], 1e-5, "pixel " + i);
        }
        float[] sorted = map.clone();
        Arrays.sort(sorted);
        assertEquals(Double.parseDouble(out.get(1).trim()), Tally.quantile(sorted, 0.83), 1e-5);
    }

    private static List<String> python(String script) throws IOException, InterruptedException {
        Path f = Files.createTempFile("dissect", ".py");
        try {
            Files.writeString(f, script);
            Process p = new ProcessBuilder(TorchOracle.PYTHON, f.toString()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(0, p.exitValue(), String.join("\n", lines));
            return lines;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** Bright / dark pixels: a segmenter with an exactly known answer for any image. */
    static final class BrightnessSegmenter implements Segmenter {
        @Override
        public List<String> concepts() {
            return List.of("dark", "bright");
        }

        @Override
        public int[][] segment(Tensor images) {
            int[] nhw = Segmenter.checkImages(images);
            int plane = nhw[1] * nhw[2];
            float[] v = images.toFloatArray();
            int[][] out = new int[nhw[0]][plane];
            for (int i = 0; i < nhw[0]; i++) {
                for (int p = 0; p < plane; p++) {
                    float m = (v[(i * 3) * plane + p] + v[(i * 3 + 1) * plane + p] + v[(i * 3 + 2) * plane + p]) / 3;
                    out[i][p] = m > 0.55f ? 1 : m < 0.45f ? 0 : NONE;
                }
            }
            return out;
        }
    }

    /** The whole run on a random generator equals the brute force over its captured activations. */
    @Test
    void dissectionOfGeneratorEqualsBruteForce() {
        try (Generator g = Generator.of(Architecture.dcganGenerator(8, 8, 3, 32).randomInit(4), 8)) {
            Segmenter seg = new BrightnessSegmenter();
            int n = 10;
            Dissection d = Dissection.builder(g, "layer2").segmenter(seg).samples(n).batch(4).quantile(0.95)
                    .seed(2).topImages(3).run();
            Map<String, Tensor> all = g.generate(g.sampleZ(n, 2), Forward.capture("layer2"));
            Tensor a = all.get("layer2");
            int units = (int) a.dim(1);
            int h = (int) a.dim(2);
            int w = (int) a.dim(3);
            float[] acts = a.toFloatArray();
            int[][] labels = seg.segment(all.get(Generator.OUTPUT));
            assertEquals(units, d.units());
            assertTrue(d.exactThresholds());
            for (int u = 0; u < units; u++) {
                List<Float> v = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    for (int p = 0; p < h * w; p++) {
                        v.add(acts[(i * units + u) * h * w + p]);
                    }
                }
                float[] s = new float[v.size()];
                for (int i = 0; i < s.length; i++) {
                    s[i] = v.get(i);
                }
                Arrays.sort(s);
                double pos = 0.95 * (s.length - 1);
                int lo = (int) pos;
                double th = s[lo] + (pos - lo) * (s[lo + 1] - s[lo]);
                assertEquals(th, d.threshold(u), 1e-4 * Math.max(1, Math.abs(th)));
                for (int c = 0; c < 2; c++) {
                    long inter = 0;
                    long union = 0;
                    for (int i = 0; i < n; i++) {
                        for (int y = 0; y < 32; y++) {
                            for (int x = 0; x < 32; x++) {
                                boolean in = bilinear(acts, (i * units + u) * h * w, h, w, 32, 32, y, x) > d.threshold(u);
                                boolean b = labels[i][y * 32 + x] == c;
                                inter += in && b ? 1 : 0;
                                union += in || b ? 1 : 0;
                            }
                        }
                    }
                    assertEquals(union == 0 ? 0 : inter / (double) union, d.iou(u, seg.concepts().get(c)), 1e-3,
                            "unit " + u + " concept " + c);
                }
            }
            int[] best = d.unitsFor("bright", units, 0);
            assertEquals(units, best.length, "minIoU 0 ranks every unit");
            for (int i = 1; i < best.length; i++) {
                assertTrue(d.iou(best[i - 1], "bright") >= d.iou(best[i], "bright"));
            }
            assertEquals(units, d.table().rowCount());
            assertEquals(3, d.strip(best[0]).size());
            assertTrue(d.mimeBundle().has("text/html"));
        }
    }

    /**
     * The best units for a concept are only those whose IoU reaches the labelling threshold: five units of one 8x8
     * sample with masks drawn by hand against a 20-pixel "tree", IoUs 0.5, 0.1, 1/22 (just above 0.04), 1/40, 0.
     */
    @Test
    void bestUnitsForAConceptAreOnlyTheLabelledOnes() {
        int units = 5;
        float[] acts = new float[units * 64];
        int[][] masks = {{0, 10}, {0, 2}, {0, 1, 30, 32}, {19, 20, 40, 60}, {40, 46}};
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < masks[u].length; r += 2) {
                for (int p = masks[u][r]; p < masks[u][r + 1]; p++) {
                    acts[u * 64 + p] = 1;
                }
            }
        }
        int[][] labels = new int[1][64];
        for (int p = 0; p < 64; p++) {
            labels[0][p] = p < 20 ? 0 : 1;
        }
        Segmenter concepts = new Segmenter() {
            @Override
            public List<String> concepts() {
                return List.of("tree", "sky");
            }

            @Override
            public int[][] segment(Tensor images) {
                throw new AssertionError("the labels come with the batch");
            }
        };
        UnitConcepts.Source src = (from, n) -> new UnitConcepts.Batch(Tensor.of(acts, 1, units, 8, 8),
                Tensor.of(new float[3 * 64], 1, 3, 8, 8), labels);
        // every mask is under half the map, so the median threshold is 0 and the unit mask is exactly the drawn one
        UnitConcepts core = UnitConcepts.run(src, 1, 1, "toy", () -> "toy", concepts, 0.5, 100, 0, 1, null);
        double[] expected = {0.5, 0.1, 1 / 22.0, 1 / 40.0, 0};
        for (int u = 0; u < units; u++) {
            assertEquals(expected[u], core.iou[u][0], 1e-12, "unit " + u);
        }
        assertArrayEquals(new int[] {0, 1, 2}, core.unitsFor("tree", 10, Dissection.MIN_IOU));
        assertArrayEquals(new int[] {0, 1}, core.unitsFor("tree", 2, Dissection.MIN_IOU));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, core.unitsFor("tree", 10, 0), "the escape hatch ranks all");
        assertTrue(core.strips("tree", 4, Dissection.MIN_IOU).toString()
                .contains("'toy: best units for tree (3 of the 4 asked reach IoU 0.04)'"));
        assertTrue(core.strips("tree", 4, 0).toString()
                .contains("'toy: the 4 units with the highest IoU for tree, labelled or not'"));
        assertEquals(0, core.unitsFor("sky", 3, 0.9).length);
        IllegalArgumentException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> core.strips("sky", 3, 0.9));
        assertTrue(none.getMessage().contains("strips(\"sky\", 3, 0)"), none.getMessage());
    }
}
