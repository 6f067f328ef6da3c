package dev.neurolens.generate;

import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
