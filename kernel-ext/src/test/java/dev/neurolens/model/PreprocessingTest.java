package dev.neurolens.model;

import dev.neurolens.data.Samples;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreprocessingTest {
    final Preprocessing imagenet = Architecture.of("vgg16").info().preprocessing();

    @Test
    void normalizesWithTheModelsMeanAndStd() {
        BufferedImage flat = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(new Color(255, 128, 0));
        g.fillRect(0, 0, 300, 200);
        g.dispose();
        Tensor t = imagenet.toTensor(flat);
        assertArrayEquals(new long[] {1, 3, 224, 224}, t.shape());
        assertEquals((1f - 0.485f) / 0.229f, t.get(0, 0, 100, 100), 1e-5);
        assertEquals((128 / 255f - 0.456f) / 0.224f, t.get(0, 1, 0, 0), 1e-5);
        assertEquals((0f - 0.406f) / 0.225f, t.get(0, 2, 223, 223), 1e-5);
        BufferedImage back = imagenet.toImage(t);
        assertEquals(new Color(255, 128, 0).getRGB(), back.getRGB(50, 50));
    }

    @Test
    void resizesShorterSideThenCropsTheCenter() {
        // left half black, right half white: after resize 256 and crop 224 the split stays in the middle
        BufferedImage img = new BufferedImage(512, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(256, 0, 256, 300);
        g.dispose();
        BufferedImage r = Preprocessing.resizeShorter(img, 256);
        assertEquals(437, r.getWidth());
        assertEquals(256, r.getHeight());
        BufferedImage c = Preprocessing.centerCrop(r, 224);
        assertEquals(0, c.getRGB(100, 100) & 0xff);
        assertEquals(255, c.getRGB(124, 100) & 0xff);
    }

    @Test
    void photoRoundTripAndGrayModels() throws IOException {
        BufferedImage photo = Samples.image("chelsea"); // ships in the jar, so this never skips
        Tensor t = imagenet.toTensor(List.of(photo, photo));
        assertArrayEquals(new long[] {2, 3, 224, 224}, t.shape());
        BufferedImage back = imagenet.toImage(t.slice(1));
        BufferedImage expected = Preprocessing.centerCrop(Preprocessing.resizeShorter(photo, 256), 224);
        int worst = 0;
        for (int y = 0; y < 224; y += 7) {
            for (int x = 0; x < 224; x += 7) {
                int a = back.getRGB(x, y);
                int b = expected.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    worst = Math.max(worst, Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff)));
                }
            }
        }
        assertTrue(worst <= 1, "round trip differs by " + worst);
        Tensor gray = Architecture.of("fashion_cnn").info().preprocessing().toTensor(photo);
        assertArrayEquals(new long[] {1, 1, 28, 28}, gray.shape());
    }
}
