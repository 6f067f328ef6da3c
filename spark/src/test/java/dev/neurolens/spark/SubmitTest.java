package dev.neurolens.spark;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spark-submit entry point, with the master spark-submit would give it: its grid is the one-JVM grid. */
class SubmitTest {
    @Test
    void topPatchesFromTheCommandLineEqualOneMachine(@TempDir Path dir) throws Exception {
        ImageSet test = ImageSet.fashionMnistTest();
        Path pictures = dir.resolve("pictures");
        Files.createDirectories(pictures);
        for (int i = 0; i < 200; i++) {
            ImageIO.write(test.image(i), "png", pictures.resolve(String.format("%04d.png", i)).toFile());
        }
        Path png = dir.resolve("out/conv2.png");
        System.setProperty("spark.master", "local[2]"); // what spark-submit --master sets
        try {
            Submit.main(new String[] {"top-patches", "--model", "builtin", "--layer", "conv2", "--units", "0-6",
                "--k", "4", "--pictures", pictures.toString(), "--out", png.toString()});
        } finally {
            System.clearProperty("spark.master");
        }
        BufferedImage there = ImageIO.read(png.toFile());
        try (Network net = Models.defaultModel()) {
            BufferedImage here = TopPatches.builder(net, "conv2").units(0, 6).k(4)
                    .run(ImageSet.folder(pictures)).grid().render();
            assertEquals(here.getWidth(), there.getWidth());
            assertArrayEquals(here.getRGB(0, 0, here.getWidth(), here.getHeight(), null, 0, here.getWidth()),
                    there.getRGB(0, 0, here.getWidth(), here.getHeight(), null, 0, here.getWidth()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Submit.main(new String[] {"features", "--layer", "conv2"}));
        assertTrue(e.getMessage().contains("--pictures is required"), e.getMessage());
    }
}
