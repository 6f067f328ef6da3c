package dev.neurolens.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.neurolens.features.Embedding;
import dev.neurolens.features.FeatureMatrix;
import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.features.Tsne;
import dev.neurolens.generate.GanTrainer;
import dev.neurolens.generate.Generator;
import dev.neurolens.generate.GeneratorPrior;
import dev.neurolens.generate.GeneratorPriorTrainer;
import dev.neurolens.generate.Inversion;
import dev.neurolens.generate.PlugAndPlay;
import dev.neurolens.model.Models;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.Network;
import dev.neurolens.optimize.ClassVisualization;
import dev.neurolens.optimize.DeepDream;
import dev.neurolens.optimize.EfrosLeung;
import dev.neurolens.optimize.FastStyle;
import dev.neurolens.optimize.FeatureInversion;
import dev.neurolens.optimize.NeuronVisualization;
import dev.neurolens.optimize.Objective;
import dev.neurolens.optimize.Quilting;
import dev.neurolens.optimize.Render;
import dev.neurolens.optimize.RenderResult;
import dev.neurolens.optimize.StyleTransfer;
import dev.neurolens.optimize.SynthesizedTexture;
import dev.neurolens.optimize.TextureSynthesis;

/**
 * The run contract, the same checks for every technique: a builder's shared settings, a listener that hears every
 * n-th step and the last with the step numbers a user would count, and an interrupt that ends the run early with a
 * result kept in {@link LastResults}.
 */
class RunContractTest {
    private static Network fashion;
    private static Network squeeze;
    private static GeneratorPrior prior;
    private static Generator scenes;

    @BeforeAll
    static void load() {
        fashion = Models.defaultModel();
        squeeze = Models.random("squeezenet1_1", 3);
        prior = GeneratorPrior.builtin();
        scenes = Generator.builtin("scenes");
    }

    @AfterAll
    static void close() {
        fashion.close();
        squeeze.close();
        prior.close();
        scenes.close();
    }

    /** A technique under the contract: its builder with small settings, and how to run it. */
    private record Case(String name, int steps, RunBuilder<?> builder, Function<RunBuilder<?>, Object> run) {
    }

    private static List<Case> cases() {
        BufferedImage pic = picture(64, 48);
        List<BufferedImage> pics = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pics.add(picture(28 + i % 3, 28));
        }
        ImageSet data = ImageSet.of(pics, Collections.nCopies(pics.size(), 0), List.of("pattern"), "patterns");
        return List.of(
                new Case("render", 6, Render.builder(fashion).objective(Objective.channel("relu2", 1)),
                        b -> ((Render.Builder) b).run()),
                new Case("class visualization", 6, ClassVisualization.of(fashion).target(3),
                        b -> ((ClassVisualization) b).run()),
                new Case("neuron visualization", 6, NeuronVisualization.channel(fashion, "relu2", 4).size(28),
                        b -> ((NeuronVisualization) b).run()),
                new Case("feature inversion", 6, FeatureInversion.of(squeeze).image(pic).layer("fire3").size(48),
                        b -> ((FeatureInversion) b).run()),
                new Case("texture synthesis", 6, TextureSynthesis.of(squeeze).texture(pic).layers("relu1").size(32),
                        b -> ((TextureSynthesis) b).run()),
                // no network: a step is a patch placed, or a pixel grown
                new Case("image quilting", 6, Quilting.of(pic).patch(16).size(64),
                        b -> ((Quilting) b).run()),
                new Case("Efros–Leung", 6, EfrosLeung.of(pic).window(5).size(16),
                        b -> ((EfrosLeung) b).run()),
                new Case("style transfer", 6, StyleTransfer.of(squeeze).content(pic).style(picture(40, 40)).size(48),
                        b -> ((StyleTransfer) b).run()),
                // DeepDream's steps are per octave: 2 octaves of 3 are 6 steps in all
                new Case("DeepDream", 3, DeepDream.of(squeeze).image(pic).layer("fire3").size(48).octaves(2),
                        b -> ((DeepDream) b).run()),
                new Case("fast-style training", 6, FastStyle.train(squeeze).styles(picture(40, 40))
                        .content(List.of(pic)).size(32).batch(1).width(4), b -> ((FastStyle.Trainer) b).run()),
                new Case("t-SNE", 30, Tsne.builder().perplexity(5), b -> ((Tsne.Builder) b).run(points())),
                new Case("GAN training", 6, GanTrainer.on(stripes()).nz(8).ngf(4).ndf(4).batch(4),
                        b -> ((GanTrainer) b).run()),
                new Case("generator-prior training", 6, GeneratorPrior.train(fashion, "fc1", data).batch(4).width(4),
                        b -> ((GeneratorPriorTrainer) b).run()),
                new Case("PPGN sampling", 6, PlugAndPlay.of(prior).target(1).chains(2).recordEvery(2),
                        b -> ((PlugAndPlay) b).run()),
                new Case("GAN inversion", 6, Inversion.of(scenes).starts(2).fineTune(0),
                        b -> ((Inversion) b).run(picture(64, 64))),
                // a stream's steps are pictures; it reports after each batch of 10
                new Case("top patches", 40, TopPatches.builder(fashion, "conv2").units(0, 3).k(2).batch(10),
                        b -> ((TopPatches.Builder) b).run(data)));
    }

    @TestFactory
    Stream<DynamicTest> everyTechniqueReportsItsStepsToOneListener() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Frame> frames = new ArrayList<>();
            List<BufferedImage> pictures = new ArrayList<>();
            c.builder().steps(c.steps()).seed(7).live(false).listener(2, f -> {
                frames.add(f);
                pictures.add(f.picture());
            });
            Object result = c.run().apply(c.builder());
            assertNotNull(result, c.name());
            assertSame(result, LastResults.latest(), c.name() + ": the result is kept for the next cell");
            assertFalse(frames.isEmpty(), c.name() + ": no frame reached the listener");
            Frame last = frames.get(frames.size() - 1);
            int total = c.name().equals("DeepDream") ? 6 : c.steps();
            assertEquals(total, last.step(), c.name() + ": the last frame is the last step");
            for (Frame f : frames) {
                assertTrue(f.step() >= 1 && f.step() <= total, c.name() + ": " + f);
                assertFalse(f.values().isEmpty(), c.name() + ": a frame says what it tracks");
            }
            BufferedImage shown = pictures.get(pictures.size() - 1);
            assertNotNull(shown, c.name() + ": the frame's picture");
            assertTrue(shown.getWidth() > 0 && shown.getHeight() > 0);
            assertSame(shown, last.picture(), "a picture drawn in the listener stays readable");
            if (frames.size() > 1) {
                Frame earlier = frames.get(0);
                assertSame(pictures.get(0), earlier.picture());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> anInterruptEndsTheRunWithAKeptPartialResult() {
        return cases().stream().filter(c -> !c.name().equals("top patches")).map(c -> DynamicTest.dynamicTest(
                c.name(), () -> {
                    AtomicReference<Object> out = new AtomicReference<>();
                    AtomicReference<Throwable> failed = new AtomicReference<>();
                    List<Integer> heard = new ArrayList<>();
                    // the listener presses the stop button after the second step, on the run's own thread
                    c.builder().steps(c.steps()).live(false).listener(1, f -> {
                        heard.add(f.step());
                        if (f.step() == 2) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    Thread cell = new Thread(() -> {
                        try {
                            out.set(c.run().apply(c.builder()));
                        } catch (Throwable t) {
                            failed.set(t);
                        }
                    });
                    cell.start();
                    cell.join(120_000);
                    if (failed.get() != null) {
                        throw new AssertionError(c.name(), failed.get());
                    }
                    Object r = out.get();
                    assertNotNull(r, c.name());
                    assertTrue(heard.size() <= 3, c.name() + " ran on after the interrupt: " + heard);
                    assertSame(r, LastResults.latest(), c.name());
                    if (r instanceof RenderResult rr) {
                        assertTrue(rr.interrupted(), c.name() + ": " + rr.summary());
                    }
                    if (r instanceof SynthesizedTexture t) {
                        assertTrue(t.interrupted() && t.steps() == 2, c.name() + ": " + t);
                    }
                    if (r instanceof Embedding e) {
                        assertTrue(e.method().contains("interrupted at 2"), e.method());
                    }
                }));
    }

    @Test
    void aPictureIsDrawnInsideTheListenerOrNotAtAll() {
        List<Frame> frames = new ArrayList<>();
        ClassVisualization.of(fashion).target(1).steps(2).live(false).listener(1, frames::add).run();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> frames.get(0).picture());
        assertTrue(e.getMessage().contains("inside the listener"), e.getMessage());
    }

    @Test
    void sharedSettingsAreOneValue() {
        RunOptions o = StyleTransfer.of(squeeze).steps(12).seed(4).recordEvery(3).live(false).options();
        assertEquals(new RunOptions(12, 4, 3, false, 1, null), o);
        ClassVisualization cv = ClassVisualization.of(fashion).options(o);
        assertEquals(o, cv.options());
        assertEquals(12, cv.steps());
        assertThrows(IllegalArgumentException.class, () -> cv.steps(-1));
        assertThrows(IllegalArgumentException.class, () -> cv.recordEvery(-2));
        assertThrows(IllegalArgumentException.class, () -> cv.listener(0, f -> { }));
    }

    @Test
    void aSeedMakesARunRepeatable() {
        RenderResult a = ClassVisualization.of(fashion).target(2).steps(3).seed(11).live(false).run();
        RenderResult b = ClassVisualization.of(fashion).target(2).steps(3).seed(11).live(false).run();
        assertArrayEquals(a.tensor().toFloatArray(), b.tensor().toFloatArray());
        TopPatchesResult kept = LastResults.of(TopPatchesResult.class);
        assertTrue(kept == null || kept.k() > 0);
    }

    /** Vertical stripes, 32 px, for a tiny GAN. */
    private static GanTrainer.Data stripes() {
        return new GanTrainer.Data() {
            public Tensor batch(long index, int n) {
                float[] v = new float[n * 32 * 32];
                for (int i = 0; i < v.length; i++) {
                    v[i] = ((i % 32) / 8 + index) % 2 == 0 ? -1f : 1f;
                }
                return Tensor.of(v, n, 1, 32, 32);
            }

            public int channels() {
                return 1;
            }

            public int size() {
                return 32;
            }

            public String name() {
                return "stripes";
            }
        };
    }

    /** Three clusters of points in 5-D. */
    private static FeatureMatrix points() {
        java.util.Random r = new java.util.Random(1);
        double[][] rows = new double[60][5];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < 5; j++) {
                rows[i][j] = (i % 3 == j ? 10 : 0) + r.nextGaussian();
            }
        }
        return FeatureMatrix.of(rows, "clusters");
    }

    private static BufferedImage picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (127 + 120 * Math.sin(x * 0.2 + w));
                int g = (int) (127 + 120 * Math.cos(y * 0.15 + h));
                img.setRGB(x, y, (r << 16) | (g << 8) | (x * y) % 256);
            }
        }
        return img;
    }
}
