package dev.neurolens.dissect;

import dev.neurolens.model.LayerNotFoundException;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network dissection of the built-in scene classifier against brute force, and its ablation against chance. */
class NetworkDissectionTest {
    private static Network net;

    @BeforeAll
    static void load() {
        net = SceneClassifier.builtin();
    }

    @AfterAll
    static void close() {
        net.close();
    }

    /**
     * Through the real network: activations taken by hand (inputs normalized here), thresholds as sorted order
     * statistics, masks by a per-pixel bilinear formula, IoU counted pixel by pixel, all equal the dissection's.
     */
    @Test
    void dissectionThroughNetworkEqualsBruteForce() {
        int n = 10;
        SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT + 500, n);
        double top = 0.05;
        NetworkDissection d = NetworkDissection.builder(net, "conv3").images(s.images()).segmenter(s.masks())
                .top(top).batch(4).run();
        assertTrue(d.exactThresholds());
        float[] px = s.images().toFloatArray();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            x[i] = (px[i] - 0.5f) / 0.25f;
        }
        Tensor a = net.run(Tensor.of(x, n, 3, 64, 64), "conv3").get("conv3");
        int units = (int) a.dim(1);
        int h = (int) a.dim(2);
        int w = (int) a.dim(3);
        assertEquals(16, h);
        assertEquals(units, d.units());
        float[] v = a.toFloatArray();
        int[][] labels = s.masks().segment(s.images());
        int k = d.concepts().size();
        float[] th = d.thresholds();
        double[][] iou = d.iou();
        for (int u = 0; u < units; u++) {
            float[] all = new float[n * h * w];
            for (int i = 0; i < n; i++) {
                System.arraycopy(v, (i * units + u) * h * w, all, i * h * w, h * w);
            }
            Arrays.sort(all);
            double pos = (1 - top) * (all.length - 1);
            int lo = (int) pos;
            double expected = all[lo] + (pos - lo) * (all[lo + 1] - all[lo]);
            assertEquals(expected, th[u], 1e-4 * Math.max(1, Math.abs(expected)), "threshold of unit " + u);
            long[] inter = new long[k];
            long[] conceptPx = new long[k];
            long unitPx = 0;
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < 64; y++) {
                    for (int xx = 0; xx < 64; xx++) {
                        int l = labels[i][y * 64 + xx];
                        conceptPx[l]++;
                        if (bilinear(v, (i * units + u) * h * w, h, w, 64, 64, y, xx) > th[u]) {
                            unitPx++;
                            inter[l]++;
                        }
                    }
                }
            }
            for (int c = 0; c < k; c++) {
                double union = unitPx + conceptPx[c] - inter[c];
                assertEquals(union == 0 ? 0 : inter[c] / union, iou[u][c], 2e-3, "IoU of unit " + u + ", concept "
                        + d.concepts().get(c));
            }
        }
        for (int u : d.labelledUnits()) {
            assertTrue(d.bestIoU(u) >= NetworkDissection.MIN_IOU);
        }
        assertEquals(d.labelledUnits().length, d.unitsPerConcept().values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(units, d.table().rowCount());
        assertEquals(d.labelledUnits().length, d.table().booleanColumn("labelled").countTrue());
    }

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

    /**
     * The units most specific to a class matter to it: zeroing them costs that class more accuracy than zeroing as
     * many random units (mean of 5 draws).
     */
    @Test
    void ablatingTopUnitsHurtsTheClassMoreThanRandomUnits() {
        SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 600);
        ClassAblation a = ClassAblation.builder(net, "conv4").images(s.images()).classes(s.classes()).build();
        // baseline computed independently: argmax of the logits of the normalized images
        float[] px = s.images().toFloatArray();
        for (int i = 0; i < px.length; i++) {
            px[i] = (px[i] - 0.5f) / 0.25f;
        }
        Tensor logits = net.logits(Tensor.of(px, 600, 3, 64, 64));
        int[] cls = s.classes();
        int right = 0;
        for (int i = 0; i < 600; i++) {
            right += logits.slice(i).argMax() == cls[i] ? 1 : 0;
        }
        assertEquals(right / 600.0, a.baseline().overall(), 1e-12);
        assertTrue(a.baseline().overall() > 0.9, "held-out accuracy " + a.baseline());
        for (String c : new String[] {"tree", "building", "road"}) {
            int[] top = a.topUnitsFor(c, 6);
            double topDrop = a.ablate(top).drop(c);
            double randomDrop = 0;
            for (int seed = 1; seed <= 5; seed++) {
                randomDrop += a.ablate(a.randomUnits(6, seed)).drop(c) / 5;
            }
            System.out.printf("[ablation %s] top 6 units %s: drop %.3f; 6 random units: mean drop %.3f%n", c,
                    Arrays.toString(top), topDrop, randomDrop);
            assertTrue(topDrop > randomDrop + MARGIN, c + ": top units drop " + topDrop + ", random " + randomDrop);
        }
        ClassAblation.Result none = a.ablate();
        assertEquals(0, none.drop("tree"), 1e-12);
        assertEquals(4, none.table().rowCount());
    }

    static final double MARGIN = 0.1;

    @Test
    void badInputSaysWhatToDo() {
        SceneClassifier.LabelledScenes s = SceneClassifier.scenes(0, 2);
        LayerNotFoundException e = assertThrows(LayerNotFoundException.class,
                () -> NetworkDissection.builder(net, "conv9"));
        assertTrue(e.getMessage().contains("conv4"), e.getMessage());
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> NetworkDissection.builder(net, "fc").images(s.images()).segmenter(s.masks()).run());
        assertTrue(flat.getMessage().contains("convolutional") && flat.getMessage().contains("conv4"),
                flat.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> NetworkDissection.builder(net, "conv4").images(Tensor.zeros(0, 3, 64, 64)));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> NetworkDissection.builder(net, "conv4").images(Tensor.zeros(1, 3, 32, 32)));
        assertTrue(size.getMessage().contains("64"), size.getMessage());
        IllegalStateException noSeg = assertThrows(IllegalStateException.class,
                () -> NetworkDissection.builder(net, "conv4").images(s.images()).run());
        assertTrue(noSeg.getMessage().contains("segmenter"), noSeg.getMessage());
        IllegalArgumentException cls = assertThrows(IllegalArgumentException.class,
                () -> ClassAblation.builder(net, "conv4").images(s.images()).classes(new int[] {0}).build());
        assertTrue(cls.getMessage().contains("2 images but 1"), cls.getMessage());
        ClassAblation a = ClassAblation.builder(net, "conv4").images(s.images()).classes(s.classes()).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.topUnitsFor("lake", 3)).getMessage()
                .contains("building"));
        assertArrayEquals(a.randomUnits(5, 3), a.randomUnits(5, 3));
    }
}
