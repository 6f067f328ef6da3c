package dev.neurolens.optimize;

import dev.neurolens.model.LayerNotFoundException;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clear errors for bad input; interruption keeps the best image; frames save as PNG and GIF. A loss that turns NaN:
 * {@link NonFiniteStopTest}.
 */
class BadInputTest {
    private static Network net;

    @BeforeAll
    static void load() {
        net = Models.defaultModel();
    }

    @AfterAll
    static void close() {
        net.close();
    }

    @Test
    void unknownLayerNamesTheLayers() {
        LayerNotFoundException e = assertThrows(LayerNotFoundException.class,
                () -> Render.builder(net).objective(Objective.channel("conv9", 0)).live(false).run());
        assertTrue(e.getMessage().contains("conv9"), e.getMessage());
        assertThrows(LayerNotFoundException.class, () -> NeuronVisualization.channel(net, "fire10", 1));
    }

    @Test
    void channelOutOfRangeSaysHowManyThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Render.builder(net).objective(Objective.channel("relu1", 99)).steps(1).live(false).run());
        assertTrue(e.getMessage().contains("32 channels"), e.getMessage());
    }

    @Test
    void nanInTheImageIsRejected() {
        float[] v = new float[28 * 28];
        v[17] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FoolingImage.of(net).image(Tensor.of(v, 1, 1, 28, 28)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parameterization.pixels(Tensor.of(v, 1, 1, 28, 28)));
    }

    @Test
    void interruptReturnsTheBestImageSoFar() throws Exception {
        RenderResult[] out = new RenderResult[1];
        Thread t = new Thread(() -> out[0] = Render.builder(net).objective(Objective.classLogit(3))
                .steps(100_000).live(false).run());
        t.start();
        Thread.sleep(800);
        t.interrupt();
        t.join(10_000);
        assertTrue(out[0] != null && out[0].interrupted(), "render should end on interrupt");
        assertTrue(out[0].steps() > 0 && out[0].steps() < 100_000);
        assertEquals(out[0], Render.lastResult());
        assertEquals(28, out[0].image().getWidth());
    }

    @Test
    void framesSaveAsPngAndGif(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        RenderResult r = ClassVisualization.of(net).target(2).steps(20).recordEvery(5).live(false).run();
        assertEquals(5, r.frames().size());
        assertEquals(5, r.saveFrames(dir.resolve("frames")).size());
        Path gif = r.saveGif(dir.resolve("viz.gif"), 100);
        var reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (var in = ImageIO.createImageInputStream(Files.newInputStream(gif))) {
            reader.setInput(in);
            assertEquals(5, reader.getNumImages(true));
        }
        BufferedImage png = ImageIO.read(r.savePng(dir.resolve("best.png")).toFile());
        assertEquals(28, png.getWidth());
    }
}
