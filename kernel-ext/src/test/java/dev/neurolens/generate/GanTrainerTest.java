package dev.neurolens.generate;

import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interrupting training keeps what was learned; saved weights load back as the same generator; a NaN stops training
 * with one error and keeps the generator of the last good step.
 */
class GanTrainerTest {

    /** Tiny 32 px two-tone images; asks for an interrupt while batch {@code stopAt} is drawn. */
    private static GanTrainer.Data bars(int stopAt) {
        return bars(stopAt, Integer.MAX_VALUE);
    }

    /** The same, with one NaN pixel in every batch from {@code nanFrom} on (a broken data source). */
    private static GanTrainer.Data bars(int stopAt, int nanFrom) {
        return new GanTrainer.Data() {
            @Override
            public Tensor batch(long index, int n) {
                if (index == stopAt) {
                    Thread.currentThread().interrupt();
                }
                float[] v = new float[n * 32 * 32];
                for (int i = 0; i < v.length; i++) {
                    v[i] = ((i % 32) / 8 + index) % 2 == 0 ? -1f : 1f;
                }
                if (index >= nanFrom) {
                    v[5] = Float.NaN;
                }
                return Tensor.of(v, n, 1, 32, 32);
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public int size() {
                return 32;
            }

            @Override
            public String name() {
                return "bars";
            }
        };
    }

    @Test
    void interruptStopsBetweenStepsAndKeepsTheGeneratorWhichSavesAndLoadsBack() throws Exception {
        GanTrainer t = GanTrainer.on(bars(3)).nz(8).ngf(4).ndf(4).batch(4).steps(50).live(false).seed(3);
        Path file = Files.createTempFile("gan", ".safetensors");
        try (Generator g = t.run()) {
            assertTrue(Thread.interrupted(), "the interrupt is left set for the caller");
            assertEquals(4, t.losses().size(), "step 3 completes, then the loop stops");
            for (float[] l : t.losses()) {
                assertTrue(Float.isFinite(l[0]) && Float.isFinite(l[1]));
            }
            GanTrainer.save(g, file);
            Tensor z = g.sampleZ(3, 1);
            float[] expected = g.generate(z).toFloatArray();
            try (Generator back = Generator.load(file)) {
                assertEquals(8, back.zDim());
                assertArrayEquals(expected, back.generate(z).toFloatArray(), 1e-6f);
            }
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            for (float v : expected) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            assertTrue(lo >= 0 && hi <= 1 && hi > lo, "images in [0, 1], not constant: " + lo + " .. " + hi);
        } finally {
            Files.deleteIfExists(file);
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aNaNStopsTrainingWithOneErrorAndKeepsTheGeneratorOfTheLastGoodStep() {
        GanTrainer t = GanTrainer.on(bars(-1, 3)).nz(8).ngf(4).ndf(4).batch(4).steps(50).live(false).seed(3);
        NonFiniteException e = assertThrows(NonFiniteException.class, t::run);
        // step 3's batch is broken: its discriminator loss is NaN, so the generator whose losses were last finite is
        // the one of step 2 (after two updates)
        assertEquals("GAN training: the discriminator loss became NaN at step 3; the generator as of step 2 is kept "
                + "in GanTrainer.lastGenerator(). Try a lower lr(...)", e.getMessage());
        assertEquals(3, t.losses().size());
        Generator kept = GanTrainer.lastGenerator();
        assertSame(kept, e.lastGood());
        // the oracle: the same training stopped after two steps on clean data; a failed run keeps the good step's
        // own weights, not their moving average
        try (kept; Generator two = GanTrainer.on(bars(-1)).nz(8).ngf(4).ndf(4).batch(4).steps(2).live(false).seed(3)
                .ema(0).run()) {
            Tensor z = kept.sampleZ(3, 1);
            float[] got = kept.generate(z).toFloatArray();
            assertArrayEquals(two.generate(z).toFloatArray(), got, 1e-5f);
            for (float v : got) {
                assertTrue(Float.isFinite(v));
            }
        }
    }
}
