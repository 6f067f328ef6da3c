package dev.neurolens.data;

import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenesTest {

    @Test
    void sameSeedSameScene() {
        Scenes.Scene a = Scenes.render(42, 64);
        Scenes.Scene b = Scenes.render(42, 64);
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(a.rgb(), b.rgb());
    }

    @Test
    void masksPartitionTheImageAndColoursFollowLabels() {
        Scenes.Scene s = Scenes.render(3, 64);
        int[] count = new int[64 * 64];
        for (int c = 0; c < Scenes.CONCEPTS.size(); c++) {
            boolean[] m = s.mask(c);
            for (int i = 0; i < m.length; i++) {
                count[i] += m[i] ? 1 : 0;
            }
        }
        for (int v : count) {
            assertEquals(1, v);
        }
        // sky is blue-ish, grass green-ish, wherever the labels say so
        float[] rgb = s.rgb();
        int plane = 64 * 64;
        for (int i = 0; i < plane; i++) {
            if (s.labels()[i] == Scenes.SKY) {
                assertTrue(rgb[2 * plane + i] > rgb[i], "sky pixel " + i + " not blue");
            } else if (s.labels()[i] == Scenes.GRASS) {
                assertTrue(rgb[plane + i] > rgb[2 * plane + i], "grass pixel " + i + " not green");
            }
        }
    }

    @Test
    void conceptFrequenciesOver500Scenes() {
        int n = 500;
        double[] share = new double[Scenes.CONCEPTS.size()];
        int[] present = new int[Scenes.CONCEPTS.size()];
        for (int k = 0; k < n; k++) {
            int[] l = Scenes.render(k, 64).labels();
            boolean[] seen = new boolean[share.length];
            for (int v : l) {
                share[v] += 1.0 / (l.length * n);
                seen[v] = true;
            }
            for (int c = 0; c < seen.length; c++) {
                present[c] += seen[c] ? 1 : 0;
            }
        }
        // every concept occurs in a fair share of scenes, none dominates
        for (int c = 0; c < share.length; c++) {
            assertTrue(present[c] > n / 10, Scenes.CONCEPTS.get(c) + " in only " + present[c] + " scenes");
            assertTrue(share[c] < 0.6, Scenes.CONCEPTS.get(c) + " covers " + share[c]);
        }
        assertTrue(present[Scenes.TREE] > n * 0.7, "trees in " + present[Scenes.TREE]);
        assertTrue(present[Scenes.DOOR] > n * 0.6, "doors in " + present[Scenes.DOOR]);
        assertTrue(share[Scenes.TREE] > 0.02, "tree share " + share[Scenes.TREE]);
    }

    @Test
    void batchIsInMinusOneToOne() {
        Tensor b = Tensor.of(Scenes.batch(10, 4, 32), 4, 3, 32, 32);
        assertArrayEquals(new long[] {4, 3, 32, 32}, b.shape());
        assertTrue(b.min() >= -1f && b.max() <= 1f);
        assertEquals(Scenes.render(11, 32).rgb()[5] * 2 - 1, b.get(1, 0, 0, 5), 1e-6);
    }
}
