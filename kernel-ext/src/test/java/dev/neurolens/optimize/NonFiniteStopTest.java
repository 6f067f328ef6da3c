package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every optimization loop stops on the first NaN or infinity with one {@link NonFiniteException} naming the
 * technique, the step and the quantity, and keeps the last good result, finite, where the message says. The NaNs are
 * forced (an objective that turns NaN after k evaluations, a learning rate of NaN or 1e30), so the test does not
 * depend on a CPU that computes wrong convolutions.
 */
class NonFiniteStopTest {
    private static Network fashion;

    @BeforeAll
    static void load() {
        fashion = Models.defaultModel();
    }

    @AfterAll
    static void close() {
        fashion.close();
    }

    /** A term that is 0 (reading the picture, so it has a gradient) for {@code k} evaluations, then NaN. */
    private static Objective nanAfter(String name, int k) {
        AtomicInteger calls = new AtomicInteger();
        return Objective.of(name, f -> {
            NDArray zero = f.image().mean().mul(0f);
            return calls.getAndIncrement() < k ? zero : zero.add(Float.NaN);
        });
    }

    private static void assertFinite(Tensor t) {
        for (float v : t.toFloatArray()) {
            assertTrue(Float.isFinite(v), "kept picture holds " + v);
        }
    }

    @Test
    void aTermThatTurnsNaNStopsAtItsStepAndKeepsThePictureBefore() {
        Objective o = Objective.classLogit(3).plus(nanAfter("trap", 5));
        RenderResult[] seen = new RenderResult[1];
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> Render.builder(fashion).objective(o)
                .optimizer(Optimizer.adam(0.05)).steps(20).live(false).technique("class visualization").run());
        // evaluations 0-4 are fine, the sixth (step 5: the picture after 5 updates) is NaN
        assertEquals("class visualization: the trap loss became NaN at step 5; the last good picture (step 4) is "
                + "kept in Render.lastResult(). " + Render.ADVICE, e.getMessage());
        assertEquals(5, e.step());
        assertEquals("the trap loss", e.quantity());
        RenderResult kept = Render.lastResult();
        assertSame(kept, e.lastGood());
        assertEquals(5, kept.steps(), "five steps had a finite loss");
        assertEquals(5, kept.totalLoss().length, "no NaN in the loss history");
        assertFinite(kept.lastTensor());
        assertFinite(kept.tensor());
        assertTrue(kept.note().contains("step 5"), kept.note());
        assertNotNull(kept.render(), "the kept result still renders");
        assertNull(e.getCause());
    }

    @Test
    void theKeptPictureIsTheOneOfTheLastGoodStep() {
        // an oracle from the same loop: the same seed and objective run for 4 steps without the trap
        RenderResult four = Render.builder(fashion).objective(Objective.classLogit(3).plus(nanAfter("trap", 100)))
                .optimizer(Optimizer.sgd(0.5)).steps(4).live(false).run();
        assertThrows(NonFiniteException.class, () -> Render.builder(fashion)
                .objective(Objective.classLogit(3).plus(nanAfter("trap", 5))).optimizer(Optimizer.sgd(0.5)).steps(20)
                .live(false).run());
        // the picture after 4 updates is what 4 steps leave as their last picture
        assertArrayEquals(four.lastTensor().toFloatArray(), Render.lastResult().lastTensor().toFloatArray(), 1e-6f);
    }

    @Test
    void aNaNAtTheStartKeepsNothingAndSaysSo() {
        RenderResult before = Render.lastResult();
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> Render.builder(fashion)
                .objective(nanAfter("trap", 0)).steps(5).live(false).run());
        assertTrue(e.getMessage().startsWith("render: the loss (trap) became NaN at step 0; nothing was kept"),
                e.getMessage());
        assertNull(e.lastGood());
        assertSame(before, Render.lastResult(), "no NaN result replaces the previous one");
    }

    @Test
    void anInfiniteLearningRateStopsWhenThePictureGoesBad() {
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> Render.builder(fashion)
                .objective(Objective.classLogit(2)).optimizer(Optimizer.sgd(Double.POSITIVE_INFINITY)).steps(10)
                .live(false).run());
        assertTrue(e.getMessage().startsWith("render: the picture became "), e.getMessage());
        assertEquals(1, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("the last good picture (step 0)"), e.getMessage());
        assertFinite(Render.lastResult().lastTensor());
    }

    @Test
    void recipesNameThemselves() {
        try (Network sq = Models.random("squeezenet1_1", 3)) {
            var pic = RecipesTest.picture(48, 40);
            NonFiniteException st = assertThrows(NonFiniteException.class, () -> StyleTransfer.of(sq).content(pic)
                    .style(pic).size(48).steps(5).optimizer(Optimizer.sgd(Double.NaN)).live(false).run());
            assertTrue(st.getMessage().startsWith("style transfer: the picture became NaN at step 1; the last good "
                    + "picture (step 0) is kept in Render.lastResult()"), st.getMessage());
            assertFinite(Render.lastResult().lastTensor());

            NonFiniteException dd = assertThrows(NonFiniteException.class, () -> DeepDream.of(sq).image(pic)
                    .layer("fire4").size(48).octaves(2).steps(3).lr(Double.NaN).live(false).run());
            assertTrue(dd.getMessage().startsWith("DeepDream: the picture became NaN at step 1; the last good picture "
                    + "(step 0, octave 1 of 2) is kept in Render.lastResult()"), dd.getMessage());
            RenderResult dream = Render.lastResult();
            assertSame(dream, dd.lastGood());
            assertEquals(List.of(1L, 3L, 40L, 48L), java.util.Arrays.stream(dream.tensor().shape()).boxed().toList(),
                    "the kept dream has the requested size");
            assertFinite(dream.tensor());

            NonFiniteException tx = assertThrows(NonFiniteException.class, () -> TextureSynthesis.of(sq).texture(pic)
                    .size(32).steps(5).optimizer(Optimizer.adam(Double.NaN)).live(false).run());
            assertTrue(tx.getMessage().startsWith("texture synthesis: the picture became NaN at step 1"),
                    tx.getMessage());
        }
    }

    @Test
    void fastStyleTrainingKeepsTheLastGoodModel() {
        try (Network sq = Models.random("squeezenet1_1", 3)) {
            var pic = RecipesTest.picture(80, 80);
            // steps of 1e30 make the weights huge but finite; the next forward pass overflows
            FastStyle.Trainer t = FastStyle.train(sq).styles(pic).styleNames("waves").content(List.of(pic)).size(32)
                    .batch(1).width(4).steps(6).lr(1e30).seed(5).live(false);
            NonFiniteException e = assertThrows(NonFiniteException.class, t::run);
            assertTrue(e.getMessage().startsWith("fast-style training: the "), e.getMessage());
            assertTrue(e.getMessage().contains(" at step 1; the last good model (step 0) is kept in "
                    + "FastStyle.lastModel()"), e.getMessage());
            FastStyleModel kept = FastStyle.lastModel();
            assertSame(kept, e.lastGood());
            assertEquals(List.of("waves"), kept.styleNames());
            // the model of step 0 is the untrained one: the same seed's init is the oracle
            Map<String, Tensor> init = FastStyleModel.random(1, 4, 5).weights();
            for (var w : kept.weights().entrySet()) {
                assertArrayEquals(init.get(w.getKey()).toFloatArray(), w.getValue().toFloatArray(), w.getKey());
            }
            assertNotNull(kept.stylize(RecipesTest.picture(16, 16)));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> FastStyle.train(sq).lr(Double.POSITIVE_INFINITY));
            assertTrue(bad.getMessage().contains("finite"), bad.getMessage());
        }
    }
}
