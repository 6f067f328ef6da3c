package dev.neurolens.optimize;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipes on the built-in Fashion-MNIST model (meaningful classes) and small random networks. */
class RecipesTest {
    private static Network fashion;

    @BeforeAll
    static void load() {
        fashion = Models.defaultModel();
    }

    @AfterAll
    static void close() {
        fashion.close();
    }

    @Test
    void classVisualizationMakesTheTargetClassWin() {
        for (int target : new int[] {1, 8}) {
            RenderResult r = ClassVisualization.of(fashion).target(target).steps(60).live(false).run();
            Tensor logits = fashion.logits(r.tensor());
            assertEquals(target, logits.argMax(), "class " + target + ": " + r.summary());
            assertTrue(r.totalLoss()[59] < r.totalLoss()[0]);
        }
    }

    @Test
    void foolingReachesTheTargetClassWithinBoundedSteps() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "no Fashion-MNIST test set");
        FashionMnist test = FashionMnist.test();
        int fooled = 0;
        for (int i = 0; i < 3; i++) {
            BufferedImage img = test.image(i);
            int label = test.label(i);
            int target = (label + 3) % 10;
            FoolingResult r = FoolingImage.of(fashion).budget(Budget.none()).image(img).target(target)
                    .maxSteps(100).run();
            assertEquals(label, r.originalClass(), "the model should get test image " + i + " right");
            assertTrue(r.succeeded(), r.toString());
            assertTrue(r.steps() <= 100);
            assertTrue(r.linf() < 0.5, r.toString());
            assertNotNull(r.render());
            fooled++;
        }
        assertEquals(3, fooled);
    }

    @Test
    void neuronVisualizationWithDiversityRaisesTheChannel() {
        RenderResult r = NeuronVisualization.channel(fashion, "relu2", 5).batch(2).diversity(0.5).size(28).steps(20)
                .live(false).run();
        assertEquals(2, r.images().size());
        double[] ch = r.losses().get("channel relu2:5");
        assertTrue(ch[19] < ch[0], java.util.Arrays.toString(ch));
        assertTrue(r.losses().containsKey("diversity"));
    }

    @Test
    void inversionDreamAndTextureLowerTheirLosses() {
        BufferedImage pic = picture(64, 48);
        try (Network sq = Models.random("squeezenet1_1", 3)) {
            RenderResult inv = FeatureInversion.of(sq).image(pic).layer("fire3").size(64).steps(10).live(false).run();
            assertTrue(inv.totalLoss()[9] < inv.totalLoss()[0], inv.summary());
            RenderResult dream = DeepDream.of(sq).image(pic).layer("fire4").size(64).octaves(2).steps(4).live(false)
                    .run();
            assertEquals(8, dream.steps());
            double[] d = dream.totalLoss();
            assertTrue(d[3] < d[0], java.util.Arrays.toString(d));
            RenderResult tex = TextureSynthesis.of(sq).texture(pic).layers("relu1", "fire3").size(48).steps(10)
                    .live(false).run();
            assertTrue(tex.totalLoss()[9] < tex.totalLoss()[0], tex.summary());
        }
    }

    @Test
    void styleTransferBlendsStylesOfAnySize() {
        try (Network sq = Models.random("squeezenet1_1", 3)) {
            RenderResult r = StyleTransfer.of(sq).content(picture(64, 48)).addStyle(picture(200, 90), 0.3)
                    .addStyle(picture(33, 70), 0.7).size(64).steps(6).styleScale(0.8).live(false).run();
            assertEquals(List.of(1L, 3L, 48L, 64L), java.util.Arrays.stream(r.tensor().shape()).boxed().toList());
            assertTrue(r.totalLoss()[5] < r.totalLoss()[0]);
            assertNotNull(r.render());
        }
    }

    @Test
    void fastStyleTrainsAndBlends() {
        try (Network sq = Models.random("squeezenet1_1", 3)) {
            FastStyleModel m = FastStyle.train(sq).styles(picture(80, 80), picture(60, 90))
                    .content(List.of(picture(96, 80))).size(48).batch(1).steps(4).live(false).run();
            assertEquals(2, m.styles());
            BufferedImage out = m.stylize(picture(40, 30), 0.5, 0.5);
            assertEquals(40, out.getWidth());
            assertEquals(30, out.getHeight());
        }
    }

    /** A smooth colourful test picture. */
    static BufferedImage picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (127 + 120 * Math.sin(x * 0.2 + w));
                int g = (int) (127 + 120 * Math.cos(y * 0.15 + h));
                int b = (x * y) % 256;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }
}
