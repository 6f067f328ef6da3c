package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in generator prior inverts held-out pictures' codes, its denoiser removes noise, and it round-trips. */
class GeneratorPriorTest {

    /** Pixel MSE of G(E(x)) against x ([0, 1] pixels, classifier's 28 px frame) and how often the labels agree. */
    static double[] reconstruction(GeneratorPrior prior, Network net, Tensor x) {
        Tensor back = prior.decode(prior.encode(x));
        try (NDManager m = net.newScope()) {
            NDArray again = GeneratorPrior.asInput(back.toNDArray(m), net);
            NDArray orig = x.toNDArray(m);
            double mse = again.sub(orig).mul(net.preprocessing().std()[0]).square().mean().getFloat();
            double agree = net.logits(again).argMax(1).eq(net.logits(orig).argMax(1)).toType(
                    ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
            return new double[] {mse, agree};
        }
    }

    @Test
    void builtinPriorInvertsHeldOutCodesAndItsDenoiserRemovesNoise() throws Exception {
        try (GeneratorPrior prior = GeneratorPrior.builtin()) {
            Network net = prior.classifier();
            assertEquals(128, prior.codeSize());
            assertEquals("relu4", prior.layer());
            ImageSet test = ImageSet.of(FashionMnist.test(), "Fashion-MNIST test");
            Tensor x = test.batch(0, 512, net.preprocessing());
            double[] r = reconstruction(prior, net, x);
            System.out.printf("[prior] held-out G(E(x)): pixel MSE %.4f, classifier agrees %.3f%n", r[0], r[1]);
            assertTrue(r[0] < 0.03, "pixel MSE " + r[0]);
            assertTrue(r[1] > 0.9, "label agreement " + r[1]);

            // R(h + n) is closer to h than h + n is, at the noise level R was trained for
            Tensor h = prior.encode(x);
            float[] hv = h.toFloatArray();
            float[] noisy = hv.clone();
            Random random = new Random(5);
            for (int i = 0; i < noisy.length; i++) {
                noisy[i] += prior.sigma() * (float) random.nextGaussian();
            }
            float[] denoised = prior.denoise(Tensor.of(noisy, h.shape())).toFloatArray();
            double before = 0;
            double after = 0;
            for (int i = 0; i < hv.length; i++) {
                before += (noisy[i] - hv[i]) * (double) (noisy[i] - hv[i]);
                after += (denoised[i] - hv[i]) * (double) (denoised[i] - hv[i]);
            }
            System.out.printf("[prior] denoiser: squared error %.1f -> %.1f%n", before, after);
            assertTrue(after < 0.5 * before, "denoising " + before + " -> " + after);
            assertTrue(prior.low() >= 0, "relu codes are not negative");
        }
    }

    @Test
    void savedPriorLoadsBackIdenticallyAndRefusesTheWrongClassifierOrFile(@TempDir Path dir) throws Exception {
        try (GeneratorPrior prior = GeneratorPrior.builtin()) {
            Path file = prior.save(dir.resolve("p.safetensors"));
            Tensor codes = prior.randomCodes(3, 7);
            try (GeneratorPrior back = GeneratorPrior.load(file, prior.classifier())) {
                assertArrayEquals(prior.decode(codes).toFloatArray(), back.decode(codes).toFloatArray(), 0f);
                assertArrayEquals(prior.denoise(codes).toFloatArray(), back.denoise(codes).toFloatArray(), 0f);
                assertEquals(prior.high(), back.high());
            }
            try (Network other = dev.neurolens.model.Architecture.of("squeezenet1_1").randomInit(1)) {
                // squeezenet has no relu4 layer at all
                assertThrows(RuntimeException.class, () -> GeneratorPrior.load(file, other));
            }
            WeightsException e = assertThrows(WeightsException.class,
                    () -> GeneratorPrior.load(dir.resolve("missing.safetensors"), prior.classifier()));
            assertTrue(e.getMessage().contains("save"), e.getMessage());
            Path notPrior = dir.resolve("g.safetensors");
            dev.neurolens.model.WeightsFiles.saveSafetensors(prior.generator().network().parameters(),
                    notPrior);
            e = assertThrows(WeightsException.class, () -> GeneratorPrior.load(notPrior, prior.classifier()));
            assertTrue(e.getMessage().contains("not a generator prior"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> prior.decode(Tensor.zeros(2, 64)));
        }
    }

    /** The training API on a user's model and pictures: a short run already beats an untrained generator. */
    @Test
    void trainingOnAUsersPicturesLowersTheReconstructionError() throws Exception {
        try (Network net = Models.defaultModel()) {
            ImageSet data = ImageSet.of(FashionMnist.test(), "Fashion-MNIST test").first(2048);
            Tensor x = data.batch(0, 256, net.preprocessing());
            GeneratorPrior untrained = GeneratorPrior.train(net, "fc1", data).steps(1).batch(16).width(8).live(false)
                    .run();
            GeneratorPrior trained = GeneratorPrior.train(net, "fc1", data).steps(150).batch(32).width(8)
                    .live(false).run();
            double before = reconstruction(untrained, net, x)[0];
            double after = reconstruction(trained, net, x)[0];
            System.out.printf("[prior] training at fc1: pixel MSE %.4f after 1 step, %.4f after 150%n", before, after);
            assertTrue(after < 0.6 * before, before + " -> " + after);
            assertEquals(128, trained.codeSize());
            assertTrue(trained.low() < 0, "fc1 (before the ReLU) has negative codes, so they are not clipped at 0");
            untrained.close();
            trained.close();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GeneratorPrior.train(net, "relu9", data));
            assertTrue(e.getMessage().contains("relu4"), e.getMessage());
        }
    }
    /** A NaN in training stops with one error; the prior kept is the one whose losses were last finite. */
    @Test
    void aNaNStopsTrainingAndKeepsThePriorOfTheLastGoodStep() throws Exception {
        try (Network net = Models.defaultModel()) {
            ImageSet data = ImageSet.of(FashionMnist.test(), "Fashion-MNIST test").first(256);
            // steps of 1e30 leave finite weights whose next pass overflows
            NonFiniteException e = assertThrows(NonFiniteException.class, () -> GeneratorPrior.train(net, "fc1", data)
                    .steps(5).batch(16).width(8).lr(1e30).live(false).run());
            assertTrue(e.getMessage().startsWith("generator-prior training: the "), e.getMessage());
            assertTrue(e.getMessage().contains(" at step 1; the prior as of step 0 is kept in "
                    + "GeneratorPrior.lastTrained()"), e.getMessage());
            try (GeneratorPrior kept = GeneratorPrior.lastTrained();
                 Network init = dev.neurolens.model.Architecture.dcganGenerator(128, 8, 1, 32).randomInit(1)) {
                assertSame(kept, e.lastGood());
                // the oracle: step 0 is before any update, the generator as randomInit(seed) made it
                for (var w : init.parameters().entrySet()) {
                    assertArrayEquals(w.getValue().toFloatArray(),
                            kept.generator().network().parameters().get(w.getKey()).toFloatArray(), w.getKey());
                }
                for (float v : kept.decode(kept.randomCodes(2, 1)).toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
            }
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> GeneratorPrior.train(net, "fc1", data).lr(Double.NaN));
            assertTrue(bad.getMessage().contains("finite"), bad.getMessage());
        }
    }

    /** An ImageNet-sized RGB classifier: G draws 64 px pictures, resized to 224 for the condition; big codes refused. */
    @Test
    void largeRgbClassifiersGetA64PixelPriorAndConvMapsAreRefused() {
        try (Network net = dev.neurolens.model.Architecture.of("resnet18").randomInit(1)) {
            java.util.List<java.awt.image.BufferedImage> pics = new java.util.ArrayList<>();
            Random r = new Random(3);
            for (int i = 0; i < 4; i++) {
                java.awt.image.BufferedImage b = new java.awt.image.BufferedImage(240, 240,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 240; y++) {
                    for (int x = 0; x < 240; x++) {
                        b.setRGB(x, y, r.nextInt(1 << 24));
                    }
                }
                pics.add(b);
            }
            ImageSet data = ImageSet.of(pics, null, java.util.List.of(), "noise");
            try (GeneratorPrior prior = GeneratorPrior.train(net, "flatten", data).steps(2).batch(2).width(4)
                    .live(false).run()) {
                assertEquals(512, prior.codeSize());
                Tensor codes = prior.randomCodes(2, 1);
                assertArrayEquals(new long[] {2, 3, 64, 64}, prior.decode(codes).shape());
                PlugAndPlayResult run = PlugAndPlay.of(prior).target(3).chains(2).steps(2).live(false).run();
                assertEquals(2, run.pictures().size());
                assertEquals(64, run.pictures().get(0).getWidth());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GeneratorPrior.train(net, "layer4", data).steps(1).live(false).run());
            assertTrue(e.getMessage().contains("25088"), e.getMessage());
        }
    }
}
