package dev.neurolens.optimize;

import dev.neurolens.data.Samples;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Textures from the random multi-scale network, judged by a network that took no part: random-weight VGG16 (another
 * architecture, another seed), whose Gram matrices at relu1_2 and relu2_2 must place each synthesized texture
 * nearer its own source than the other source, and much nearer than the grey start.
 */
class RandomTextureTest {
    private static Network features;
    private static Network judge;

    @BeforeAll
    static void load() {
        features = Models.random(Architecture.RANDOM_MULTISCALE, 0);
        judge = Models.random("vgg16", 5);
    }

    @AfterAll
    static void close() {
        features.close();
        judge.close();
    }

    @BeforeEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** Relative squared distance of the judge's Gram matrices, summed over its two layers. */
    private static double distance(BufferedImage a, BufferedImage b) {
        List<String> layers = List.of("relu1_2", "relu2_2");
        Map<String, Tensor> ga = LayerDefaults.grams(judge, Inputs.image(a, judge.preprocessing(), 64), layers);
        Map<String, Tensor> gb = LayerDefaults.grams(judge, Inputs.image(b, judge.preprocessing(), 64), layers);
        double d = 0;
        for (String l : layers) {
            float[] x = ga.get(l).toFloatArray();
            float[] y = gb.get(l).toFloatArray();
            double num = 0;
            double den = 0;
            for (int i = 0; i < x.length; i++) {
                num += (x[i] - y[i]) * (double) (x[i] - y[i]);
                den += y[i] * (double) y[i];
            }
            d += num / den;
        }
        return d;
    }

    private static BufferedImage texture(BufferedImage source) {
        return TextureSynthesis.of(features).texture(source).size(64).steps(60).optimizer(Optimizer.lbfgs())
                .seed(1).live(false).run().image();
    }

    @Test
    void eachTextureIsNearerItsSourceThanTheOtherOnAnIndependentNetwork() {
        BufferedImage brick = Inputs.resizeLong(Samples.image("brick"), 64);
        BufferedImage starry = Inputs.resizeLong(Samples.image("starry_night"), 64);
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                grey.setRGB(x, y, 0x808080);
            }
        }
        BufferedImage texBrick = texture(brick);
        BufferedImage texStarry = texture(starry);
        double bb = distance(texBrick, brick);
        double bs = distance(texBrick, starry);
        double ss = distance(texStarry, starry);
        double sb = distance(texStarry, brick);
        String all = String.format("brick texture: to brick %.3f, to starry %.3f, grey to brick %.3f; starry texture: "
                + "to starry %.3f, to brick %.3f, grey to starry %.3f", bb, bs, distance(grey, brick), ss, sb,
                distance(grey, starry));
        assertTrue(bb < bs, all);
        assertTrue(ss < sb, all);
        assertTrue(bb < 0.5 * distance(grey, brick), all);
        assertTrue(ss < 0.5 * distance(grey, starry), all);
        System.out.println(all);
    }
}
