package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import dev.neurolens.optimize.Objective;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PPGN chains on the built-in prior reach what they are conditioned on, from starts that are not it. */
class PlugAndPlayTest {
    private static final int STEPS = 150;
    private static GeneratorPrior prior;

    @BeforeAll
    static void load() {
        prior = GeneratorPrior.builtin();
    }

    @AfterAll
    static void close() {
        prior.close();
    }

    private static float min(float[] v) {
        float m = Float.MAX_VALUE;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static float mean(float[] v) {
        return PlugAndPlay.mean(v);
    }

    @Test
    void classChainsRaiseTheTargetProbabilityAboveNinetyPercent() {
        for (String label : new String[] {"Trouser", "Bag", "Sneaker"}) {
            PlugAndPlayResult r = PlugAndPlay.of(prior).target(label).chains(4).steps(STEPS).seed(1).live(false)
                    .run();
            String p = "p(" + label + ")";
            System.out.printf("[ppgn] %s: start %s, end %s, all chains >= 0.9 at step %d%n", label,
                    Arrays.toString(r.startScore(p)), Arrays.toString(r.finalScore(p)), r.stepReaching(p, 0.9));
            assertTrue(mean(r.startScore(p)) < 0.5, "the random starts are not the class already");
            assertTrue(min(r.finalScore(p)) >= 0.9, label + " final " + Arrays.toString(r.finalScore(p)));
            assertTrue(r.stepReaching(p, 0.9) >= 0 && r.stepReaching(p, 0.9) <= STEPS);
            assertEquals(4, r.pictures().size());
            assertEquals(STEPS, r.recordedSteps().get(r.recordedSteps().size() - 1));
        }
    }

    @Test
    void aTwoClassConditionRaisesBoth() {
        PlugAndPlayResult r = PlugAndPlay.of(prior).target("Sandal", "Sneaker").chains(4).steps(STEPS).seed(2)
                .live(false).run();
        float[] sandal = r.finalScore("p(Sandal)");
        float[] sneaker = r.finalScore("p(Sneaker)");
        System.out.printf("[ppgn] Sandal+Sneaker: start %.3f/%.3f, end %s / %s%n", mean(r.startScore("p(Sandal)")),
                mean(r.startScore("p(Sneaker)")), Arrays.toString(sandal), Arrays.toString(sneaker));
        for (int c = 0; c < 4; c++) {
            assertTrue(sandal[c] > 0.15 && sneaker[c] > 0.15, "chain " + c + ": " + sandal[c] + " / " + sneaker[c]);
            assertTrue(sandal[c] + sneaker[c] > 0.8, "chain " + c + " wanders off both classes");
        }
        assertTrue(mean(sandal) > 2 * mean(r.startScore("p(Sandal)")));
        assertTrue(mean(sneaker) > 2 * mean(r.startScore("p(Sneaker)")));
    }

    @Test
    void aHiddenUnitConditionRaisesThatUnit() {
        PlugAndPlayResult r = PlugAndPlay.of(prior).neuron("conv3", 5).chains(4).steps(STEPS).seed(3).live(false)
                .run();
        float[] start = r.startScore("conv3:5");
        float[] end = r.finalScore("conv3:5");
        System.out.printf("[ppgn] conv3:5: start %s, end %s%n", Arrays.toString(start), Arrays.toString(end));
        assertTrue(mean(end) > mean(start) + 4, Arrays.toString(start) + " -> " + Arrays.toString(end));
        for (int c = 0; c < 4; c++) {
            assertTrue(end[c] > start[c] + 2, "chain " + c + ": " + start[c] + " -> " + end[c]);
        }
    }

    @Test
    void chainsAreReproducibleAndDiverse() {
        PlugAndPlayResult a = PlugAndPlay.of(prior).target("Dress").chains(4).steps(40).seed(4).live(false).run();
        PlugAndPlayResult b = PlugAndPlay.of(prior).target("Dress").chains(4).steps(40).seed(4).live(false).run();
        assertArrayEquals(a.codes().toFloatArray(), b.codes().toFloatArray(), 1e-4f);
        System.out.printf("[ppgn] diversity of 4 Dress chains: %.3f%n", a.diversity());
        assertTrue(a.diversity() > 0.03, "chains collapsed: " + a.diversity());
        // one start repeated: without noise the chains stay identical, with noise they part
        Tensor one = prior.randomCodes(1, 9);
        float[] v = one.toFloatArray();
        float[] four = new float[v.length * 4];
        for (int c = 0; c < 4; c++) {
            System.arraycopy(v, 0, four, c * v.length, v.length);
        }
        Tensor same = Tensor.of(four, 4, v.length);
        PlugAndPlayResult quiet = PlugAndPlay.of(prior).target("Dress").start(same).steps(40).noise(0).live(false)
                .run();
        PlugAndPlayResult noisy = PlugAndPlay.of(prior).target("Dress").start(same).steps(40).noise(1).live(false)
                .run();
        assertTrue(quiet.diversity() < 1e-3, "deterministic chains differ: " + quiet.diversity());
        assertTrue(noisy.diversity() > 0.01, "noise did not separate the chains: " + noisy.diversity());
    }

    @Test
    void badInputGetsOneClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlugAndPlay.of(prior).target("Spaceship"));
        assertTrue(e.getMessage().contains("Sneaker"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlugAndPlay.of(prior).target(10));
        assertTrue(e.getMessage().contains("0 … 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlugAndPlay.of(prior).neuron("conv9", 0));
        e = assertThrows(IllegalArgumentException.class, () -> PlugAndPlay.of(prior).neuron("conv3", 99).steps(1)
                .live(false).run());
        assertTrue(e.getMessage().contains("64 channels"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> PlugAndPlay.of(prior).live(false).run());
        assertTrue(none.getMessage().contains("target("), none.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlugAndPlay.of(prior).start(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("N x 128"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlugAndPlay.of(prior).stepSize(2));
    }

    /** A condition term that is 0 (reading the picture, so it has a gradient) for {@code k} evaluations, then NaN. */
    private static Objective nanAfter(int k) {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        return Objective.of("trap", f -> {
            NDArray zero = f.image().mean().mul(0f);
            return calls.getAndIncrement() < k ? zero : zero.add(Float.NaN);
        });
    }

    @Test
    void aConditionThatTurnsNaNStopsTheChainsAndKeepsTheLastGoodStep() {
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> PlugAndPlay.of(prior).target("Bag")
                .condition(nanAfter(7)).chains(3).steps(40).recordEvery(5).seed(4).live(false).run());
        assertEquals("PPGN sampling: the condition's loss became NaN at step 7; the last good chains (step 6) are "
                + "kept in PlugAndPlay.lastResult(). Try a smaller stepSize(...) or conditionWeight(...)",
                e.getMessage());
        PlugAndPlayResult kept = PlugAndPlay.lastResult();
        assertSame(kept, e.lastGood());
        assertEquals(java.util.List.of(0, 5, 6), kept.recordedSteps(), "the last good step ends the strip");
        assertTrue(kept.note().contains("step 7"), kept.note());
        // the oracle: the same chains run for 6 steps without the trap
        PlugAndPlayResult six = PlugAndPlay.of(prior).target("Bag").condition(nanAfter(1000)).chains(3).steps(6)
                .recordEvery(5).seed(4).live(false).run();
        assertArrayEquals(six.codes().toFloatArray(), kept.codes().toFloatArray(), 1e-5f);
        float[] p = kept.finalScore("p(Bag)");
        assertArrayEquals(six.finalScore("p(Bag)"), p, 1e-5f);
        for (float v : p) {
            assertTrue(Float.isFinite(v) && v >= 0 && v <= 1, "p = " + v);
        }
        assertEquals(3, kept.pictures().size());
        assertTrue(kept.render().getWidth() > 0);
    }
}
