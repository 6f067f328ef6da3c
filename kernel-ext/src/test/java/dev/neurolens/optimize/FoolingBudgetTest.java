package dev.neurolens.optimize;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.LastResults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fooling within a budget on the built-in Fashion-MNIST model: the change, measured against the test set's own
 * bytes, stays in the ball and the pictures in [0, 1]; success is what a separate forward pass predicts; the
 * success rate of a study is the count of those.
 */
class FoolingBudgetTest {
    private static final int PICTURES = 20;
    private static final int STEPS = 20;
    private static Network fashion;
    private static FashionMnist test;

    @BeforeAll
    static void load() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "no Fashion-MNIST test set");
        fashion = Models.defaultModel();
        test = FashionMnist.test();
    }

    @AfterAll
    static void close() {
        if (fashion != null) {
            fashion.close();
        }
    }

    @Test
    void linfBudgetHoldsInPixelUnitsAndBinds() {
        double eps = 8 / 255.0;
        List<FoolingResult> results = foolEach(Budget.linf(eps), PICTURES);
        boolean reachedTheEdge = false;
        int fooled = 0;
        for (int i = 0; i < results.size(); i++) {
            FoolingResult r = results.get(i);
            double[] d = change(i, r);
            double max = 0;
            for (double v : d) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= eps + 1e-6, "picture " + i + ": max |delta| " + max + " > 8/255");
            assertEquals(max, r.linf(), 1e-6, "reported L∞");
            reachedTheEdge |= max > eps - 1e-6;
            fooled += oracleSaysFooled(r) ? 1 : 0;
        }
        assertTrue(reachedTheEdge, "no picture used the whole budget, so the projection was never tested");
        // measured 1 of 20 (and 8 of 99 over the first 100 pictures); without a budget nearly all are fooled, so a
        // rate this low shows the budget binds
        assertTrue(fooled <= PICTURES / 4, fooled + " of " + PICTURES + " fooled within 8/255");
    }

    @Test
    void l2BudgetHoldsInPixelUnits() {
        double eps = 0.5;
        List<FoolingResult> results = foolEach(Budget.l2(eps), 10);
        double largest = 0;
        for (int i = 0; i < results.size(); i++) {
            FoolingResult r = results.get(i);
            double sum = 0;
            for (double v : change(i, r)) {
                sum += v * v;
            }
            double norm = Math.sqrt(sum);
            assertTrue(norm <= eps + 1e-6, "picture " + i + ": L2 " + norm + " > " + eps);
            assertEquals(norm, r.l2(), 1e-5, "reported L2");
            largest = Math.max(largest, norm);
            oracleSaysFooled(r);
        }
        // clamping to [0, 1] after the projection only shortens the change, so the ball's edge is seldom met exactly
        assertTrue(largest > 0.9 * eps, "no picture used most of the budget: largest L2 " + largest);
    }

    @Test
    void successRateCountsWhatASeparateForwardPassPredicts() {
        Budget budget = Budget.linf(16 / 255.0);
        List<BufferedImage> pictures = IntStream.range(0, PICTURES).mapToObj(test::image).toList();
        FoolingStudy study = FoolingImage.of(fashion).budget(budget).steps(STEPS)
                .successRate(pictures, i -> (test.label(i) + 1) % 10);
        // the study runs the same deterministic attack as single runs, and counts what a separate pass predicts
        List<FoolingResult> each = foolEach(budget, 5);
        for (int i = 0; i < each.size(); i++) {
            FoolingResult r = each.get(i);
            FoolingStudy.Row row = study.rows().get(i);
            assertEquals(r.fooledClass(), row.fooledClass(), "picture " + i);
            assertEquals(oracleSaysFooled(r) && r.originalClass() != r.target(),
                    row.succeeded() && !row.alreadyTarget(), "picture " + i);
            assertEquals(r.linf(), row.linf(), 1e-9, "picture " + i);
        }
        long fooled = study.rows().stream().filter(r -> r.succeeded() && r.fooledClass() == r.target()
                && r.originalClass() != r.target()).count();
        long attempted = study.rows().stream().filter(r -> r.originalClass() != r.target()).count();
        assertTrue(study.complete());
        assertEquals(PICTURES, study.rows().size());
        assertEquals(attempted, study.attempted());
        assertEquals(fooled, study.fooled());
        assertEquals((double) fooled / attempted, study.rate(), 1e-12);
        assertTrue(study.maxLinf() <= 16 / 255.0 + 1e-6, study.toString());
        // measured 9 of 20 at 20 steps
        assertTrue(study.rate() >= 0.25, study.toString());
        assertSame(study, LastResults.of(FoolingStudy.class));
        assertTrue(study.mimeBundle().has("text/html"));
    }

    @Test
    void anInterruptStopsTheStudyBetweenPicturesAndKeepsWhatWasDone() {
        List<BufferedImage> pictures = IntStream.range(0, 6).mapToObj(test::image).toList();
        try {
            FoolingStudy study = FoolingImage.of(fashion).steps(2).successRate(pictures, i -> {
                if (i == 3) {
                    Thread.currentThread().interrupt();
                }
                return (test.label(i) + 1) % 10;
            });
            assertEquals(3, study.rows().size(), study.toString());
            assertFalse(study.complete());
            assertTrue(study.toString().contains("interrupted after 3 of 6"), study.toString());
            assertSame(study, LastResults.of(FoolingStudy.class));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theResultStatesItsBudgetAndAmplification() {
        FoolingResult r = FoolingImage.of(fashion).steps(3).image(test.image(0)).target("Bag").run();
        assertEquals(Budget.linf(8 / 255.0), r.budget());
        assertTrue(r.title().contains("L∞ ≤ 8/255"), r.title());
        assertEquals(16, r.autoMagnify());
        BufferedImage shown = r.render();
        assertTrue(shown.getWidth() > 600 && shown.getHeight() > 200);
        assertEquals("L2 ≤ 1.50", Budget.l2(1.5).toString());
    }

    @Test
    void badBudgetsSayWhatIsWrong() {
        for (double eps : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Budget.linf(eps));
            assertTrue(e.getMessage().contains("eps > 0") && e.getMessage().contains("Budget.none()"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Budget.l2(eps));
        }
        assertThrows(IllegalArgumentException.class, () -> FoolingImage.of(fashion).budget(null));
        assertThrows(IllegalArgumentException.class, () -> FoolingImage.of(fashion).stepSize(0));
        assertFalse(Budget.none().limited());
    }

    /** Pictures 0..n-1 of the test set, each fooled toward (label + 1) mod 10. */
    private static List<FoolingResult> foolEach(Budget budget, int n) {
        List<FoolingResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(FoolingImage.of(fashion).budget(budget).steps(STEPS).image(test.image(i))
                    .target((test.label(i) + 1) % 10).run());
        }
        return out;
    }

    /**
     * Fooled minus original in pixel units, the original read from the test set's bytes; also checks that every
     * fooled pixel lies in [0, 1].
     */
    private static double[] change(int i, FoolingResult r) {
        float mean = fashion.preprocessing().mean()[0];
        float std = fashion.preprocessing().std()[0];
        float[] original = test.pixels(i);
        Tensor fooled = r.fooled();
        double[] d = new double[original.length];
        for (int k = 0; k < d.length; k++) {
            double p = (double) fooled.getFlat(k) * std + mean;
            assertTrue(p >= -1e-6 && p <= 1 + 1e-6, "picture " + i + " pixel " + k + " = " + p);
            d[k] = p - original[k];
        }
        return d;
    }

    /** What a fresh forward pass of the fooled picture predicts, against the result's claim. */
    private static boolean oracleSaysFooled(FoolingResult r) {
        boolean fooled = fashion.logits(r.fooled()).argMax() == r.target();
        assertEquals(fooled, r.succeeded(), r.toString());
        return fooled;
    }
}
