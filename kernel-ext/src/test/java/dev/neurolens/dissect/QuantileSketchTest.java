package dev.neurolens.dissect;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quantile sketches and tallies against a full sort, and split-then-merged against all at once. */
class QuantileSketchTest {

    /** The tail gives numpy's quantile exactly, for any count up to the size it was made for, ties included. */
    @Test
    void tailIsExact() {
        Random r = new Random(1);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.995, 0.999}) {
            for (int n : new int[] {1, 2, 7, 100, 5000, 20_000}) {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = i % 3 == 0 ? r.nextInt(20) : (float) r.nextGaussian() * 5; // ties and spread
                }
                QuantileSketch s = new QuantileSketch(q, 20_000, 20_000, 0);
                for (int i = 0; i < n; i += 333) {
                    s.offer(v, i, Math.min(333, n - i), i);
                }
                assertTrue(s.exact());
                float[] sorted = v.clone();
                Arrays.sort(sorted);
                assertEquals(Tally.quantile(sorted, q), s.quantile(), "q " + q + ", n " + n);
            }
        }
    }

    /** Any split, any order of offering and merging: the same quantile to the bit, in both modes. */
    @Test
    void mergedEqualsWhole() {
        Random r = new Random(2);
        int n = 40_000;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        for (int capacity : new int[] {1000, 500}) { // tail of 0.99 is 401 values: exact; then 0.9 sampled
            double q = capacity == 1000 ? 0.99 : 0.9;
            QuantileSketch whole = new QuantileSketch(q, n, capacity, 7);
            whole.offer(v, 0, n, 0);
            assertEquals(capacity == 1000, whole.exact());
            for (int trial = 0; trial < 5; trial++) {
                List<Integer> chunks = new ArrayList<>();
                for (int i = 0; i < n; i += 1000) {
                    chunks.add(i);
                }
                Collections.shuffle(chunks, r);
                List<QuantileSketch> parts = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    parts.add(new QuantileSketch(q, n, capacity, 7));
                }
                for (int c = 0; c < chunks.size(); c++) {
                    int from = chunks.get(c);
                    parts.get(r.nextInt(4)).offer(v, from, 1000, from);
                }
                Collections.shuffle(parts, r);
                QuantileSketch merged = parts.get(0);
                parts.get(2).merge(parts.get(3));
                merged.merge(parts.get(1));
                merged.merge(parts.get(2));
                assertEquals(n, merged.count());
                assertEquals(whole.quantile(), merged.quantile(), "capacity " + capacity + ", trial " + trial);
            }
            if (capacity == 500) {
                float[] sorted = v.clone();
                Arrays.sort(sorted);
                assertEquals(Tally.quantile(sorted, q), whole.quantile(), 0.05); // 1.28 from a 500-value sample
            }
        }
    }

    /** Sized for fewer values than it is given: one clear error instead of a wrong threshold. */
    @Test
    void moreValuesThanSizedForIsAnError() {
        QuantileSketch s = new QuantileSketch(0.99, 100, 1000, 0);
        float[] v = new float[10_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        s.offer(v, 0, v.length, 0);
        assertThrows(IllegalStateException.class, s::quantile);
        assertThrows(IllegalArgumentException.class, () -> s.merge(new QuantileSketch(0.9, 100, 1000, 0)));
    }

    /** Two tallies of halves of the samples, merged, count what one tally of all of them counts. */
    @Test
    void tallyMergesExactly() {
        Random r = new Random(3);
        int units = 5;
        int k = 4;
        int h = 6;
        int w = 6;
        int imgH = 24;
        int imgW = 24;
        int n = 40;
        int per = units * h * w;
        float[] acts = new float[n * per];
        for (int i = 0; i < acts.length; i++) {
            acts[i] = (float) r.nextGaussian();
        }
        int[][] labels = new int[n][imgH * imgW];
        for (int[] l : labels) {
            for (int p = 0; p < l.length; p++) {
                l[p] = r.nextInt(k + 1) - 1;
            }
        }
        Tally whole = new Tally(units, k, h, w, imgH, imgW, 0.95, (long) n * h * w, 100, 0);
        whole.addValues(acts, n, 0);
        assertTrue(whole.exact());
        float[] th = whole.thresholds();
        whole.addMasks(acts, n, labels, th);
        Tally a = new Tally(units, k, h, w, imgH, imgW, 0.95, (long) n * h * w, 100, 0);
        Tally b = new Tally(units, k, h, w, imgH, imgW, 0.95, (long) n * h * w, 100, 0);
        b.addValues(Arrays.copyOfRange(acts, 25 * per, n * per), n - 25, 25);
        a.addValues(Arrays.copyOfRange(acts, 0, 25 * per), 25, 0);
        b.merge(a);
        assertArrayEquals(th, b.thresholds());
        a.addMasks(Arrays.copyOfRange(acts, 0, 25 * per), 25, Arrays.copyOfRange(labels, 0, 25), th);
        Tally c = new Tally(units, k, h, w, imgH, imgW, 0.95, (long) n * h * w, 100, 0);
        c.addMasks(Arrays.copyOfRange(acts, 25 * per, n * per), n - 25, Arrays.copyOfRange(labels, 25, n), th);
        c.merge(a);
        assertArrayEquals(whole.unitPixels(), c.unitPixels());
        assertArrayEquals(whole.conceptPixels(), c.conceptPixels());
        double[][] iou = whole.iou();
        double[][] merged = c.iou();
        for (int u = 0; u < units; u++) {
            assertArrayEquals(iou[u], merged[u], "unit " + u);
        }
        assertFalse(Arrays.stream(whole.unitPixels()).allMatch(p -> p == 0), "some mask pixels at the threshold");
    }
}
