package dev.neurolens.dissect;

import dev.neurolens.data.Scenes;
import dev.neurolens.model.Network;
import dev.neurolens.optimize.DeepDream;
import dev.neurolens.optimize.FeatureInversion;
import dev.neurolens.optimize.RenderResult;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarially trained scene classifier: still a classifier (held-out accuracy), a better source of pictures
 * than the plain one (its relu3 features invert closer to the scene, measured in PSNR against the scene itself),
 * and the guided dream it drives raises its class.
 */
class RobustSceneClassifierTest {
    static double psnr(BufferedImage a, BufferedImage b) {
        double mse = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    double d = (((p >> s) & 255) - ((q >> s) & 255)) / 255.0;
                    mse += d * d;
                }
            }
        }
        return 10 * Math.log10(a.getWidth() * a.getHeight() * 3 / mse);
    }

    static double tree(Network net, BufferedImage image) {
        return net.predict(image, 4).top().stream().filter(e -> e.label().equals("tree")).findFirst().orElseThrow()
                .probability();
    }

    static double inversionPsnr(Network net, String layer) {
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            BufferedImage scene = Scenes.render(SceneClassifier.HELD_OUT + k, 64).image();
            BufferedImage inv = FeatureInversion.of(net).image(scene).layer(layer).size(64).steps(150).live(false)
                    .run().image();
            sum += psnr(scene, inv);
        }
        return sum / 3;
    }

    @Test
    void classifiesHeldOutScenesAndIsLabelled() {
        try (Network net = SceneClassifier.robust()) {
            assertEquals("scene_classifier (adversarially trained)", net.label());
            SceneClassifier.LabelledScenes test = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 500);
            double acc = ClassAblation.builder(net, "conv4").images(test.images()).classes(test.classes()).build()
                    .baseline().overall();
            System.out.printf("robust scene classifier: held-out accuracy %.3f%n", acc);
            // 0.890 on 1000 held-out scenes when trained (the plain one 0.914)
            assertTrue(acc > 0.85, "accuracy " + acc);
        }
    }

    @Test
    void itsMiddleFeaturesInvertCloserToTheScene() {
        try (Network plain = SceneClassifier.builtin(); Network robust = SceneClassifier.robust()) {
            double p = inversionPsnr(plain, "relu3");
            double r = inversionPsnr(robust, "relu3");
            System.out.printf("relu3 inversion PSNR: plain %.1f dB, robust %.1f dB%n", p, r);
            // measured 14.4 and 18.0 dB over 5 scenes
            assertTrue(r > p + 2, "robust " + r + " dB against plain " + p + " dB");
        }
    }

    @Test
    void aGuidedDreamRaisesItsClass() {
        try (Network net = SceneClassifier.robust()) {
            // the first held-out scene it does not take for trees
            long seed = SceneClassifier.HELD_OUT;
            while (tree(net, Scenes.render(seed, 64).image()) > 0.2) {
                seed++;
            }
            BufferedImage scene = Scenes.render(seed, 64).image();
            RenderResult dream = DeepDream.of(net).image(scene).target("tree").size(64).octaves(2).steps(10).run();
            assertEquals("DeepDream → tree · scene_classifier (adversarially trained)", dream.title());
            double before = tree(net, scene);
            double after = tree(net, dream.image());
            assertTrue(after > before + 0.3, "p(tree) " + before + " → " + after);
            assertThrows(IllegalArgumentException.class, () -> DeepDream.of(net).target("castle"));
        }
    }
}
