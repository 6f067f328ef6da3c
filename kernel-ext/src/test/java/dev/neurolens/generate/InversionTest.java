package dev.neurolens.generate;

import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inverting an image the built-in Fashion-MNIST generator drew, from other starting codes, finds it again. */
class InversionTest {

    @Test
    void invertsAGeneratedImageFromADifferentStartAndFineTuningOnlyHelps() {
        try (Generator g = Generator.builtin("fashion")) {
            Tensor zTrue = g.sampleZ(1, 42);
            Tensor target = g.generate(zTrue);
            float[] weightsBefore = g.network().parameters().get("main.0.weight").toFloatArray();
            // the starting codes (seed 1) are unrelated to the true one: their images are far from the target
            double startError = InversionResult.mse(g.generate(g.sampleZ(1, 1)), target);
            InversionResult r = Inversion.of(g).steps(STEPS).starts(4).seed(1).fineTune(40).run(target);
            System.out.printf("[inversion] fashion 32px: start MSE %.5f, after %d z steps %.6f, fine-tuned %.6f%n",
                    startError, STEPS, r.error(), r.tunedError());
            assertTrue(startError > 0.02, "the start is far: " + startError);
            assertTrue(r.error() < MAX_ERROR, "reconstruction MSE " + r.error());
            assertNotNull(r.tuned());
            assertTrue(r.tunedError() <= r.error() * 1.01, "fine-tuning made it worse: " + r.tunedError());
            assertArrayEquals(weightsBefore, g.network().parameters().get("main.0.weight").toFloatArray(),
                    "the original generator is untouched");
            assertTrue(r.render().getWidth() > 0);
            r.tuned().close();
        }
    }

    /**
     * Notebook cells run on fresh threads, where PyTorch's grad mode is on: fine-tuning (in-place Adam updates of
     * weights that require grad) failed there with "a leaf Variable that requires grad is being used in an
     * in-place operation" while passing on the test thread.
     */
    @Test
    void fineTunesOnAThreadWithGradModeOn() throws Exception {
        try (Generator g = Generator.builtin("fashion")) {
            Tensor target = g.generate(g.sampleZ(1, 42));
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicReference<InversionResult> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                    result.set(Inversion.of(g).steps(20).starts(1).seed(1).fineTune(5).run(target));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            if (failure.get() != null) {
                throw new AssertionError("fine-tuning with grad mode on", failure.get());
            }
            assertTrue(result.get().tunedError() <= result.get().error());
            result.get().tuned().close();
        }
    }

    private static final int STEPS = 300;
    private static final double MAX_ERROR = 0.01;

    @Test
    void aNaNStopsInversionWithOneErrorAndKeepsTheLastGoodCode() {
        try (Generator g = Generator.builtin("fashion")) {
            Tensor target = g.generate(g.sampleZ(1, 42));
            // a step of Float.MAX_VALUE leaves finite codes whose pictures overflow to NaN
            NonFiniteException e = assertThrows(NonFiniteException.class,
                    () -> Inversion.of(g).steps(20).starts(2).seed(1).lr(Float.MAX_VALUE).run(target));
            assertEquals("GAN inversion: the reconstruction loss became NaN at step 1; the last good code (step 0) is "
                    + "kept in Inversion.lastResult(). Try a lower lr(...) or fineTuneLr(...)", e.getMessage());
            InversionResult kept = Inversion.lastResult();
            assertSame(kept, e.lastGood());
            // the oracle: the two starting codes (seed 1), the closer one by a direct MSE
            java.util.Random random = new java.util.Random(1);
            float[][] starts = new float[2][g.zDim()];
            double[] mse = new double[2];
            for (float[] z : starts) {
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) random.nextGaussian();
                }
            }
            for (int k = 0; k < 2; k++) {
                mse[k] = InversionResult.mse(g.generate(Tensor.of(starts[k], 1, g.zDim(), 1, 1)), target);
            }
            assertArrayEquals(starts[mse[0] <= mse[1] ? 0 : 1], kept.z().toFloatArray());
            assertEquals(Math.min(mse[0], mse[1]), kept.error(), 1e-6);

            NonFiniteException tune = assertThrows(NonFiniteException.class,
                    () -> Inversion.of(g).steps(5).starts(1).seed(1).fineTune(10).fineTuneLr(1e30).run(target));
            assertTrue(tune.getMessage().startsWith("GAN inversion: the fine-tuning loss became NaN at step "),
                    tune.getMessage());
            assertTrue(tune.getMessage().contains("is kept in Inversion.lastResult().tuned()"), tune.getMessage());
            InversionResult tuned = Inversion.lastResult();
            assertTrue(Double.isFinite(tuned.tunedError()) && tuned.tunedError() <= tuned.error() + 1e-6,
                    tuned.tunedError() + " vs " + tuned.error());
            tuned.tuned().close();
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> Inversion.of(g).lr(Double.POSITIVE_INFINITY));
            assertTrue(bad.getMessage().contains("finite"), bad.getMessage());
        }
    }
}
