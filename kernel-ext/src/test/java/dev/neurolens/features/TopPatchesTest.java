package dev.neurolens.features;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TopPatchesTest {
    static Network net;
    static ImageSet data;

    @BeforeAll
    static void load() {
        net = Models.defaultModel();
        data = ImageSet.fashionMnistTest().first(300);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    /** Per unit, every image's maximum from one pass per image, sorted by value (desc) then id. */
    static List<List<float[]>> bruteForce(String layer, int units) {
        List<List<float[]>> perUnit = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            perUnit.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            Tensor t = net.run(data.batch(i, i + 1, net.preprocessing()), layer).get(layer);
            int c = (int) t.dim(1);
            int plane = t.size() / c;
            for (int u = 0; u < units; u++) {
                float best = Float.NEGATIVE_INFINITY;
                for (int s = 0; s < plane; s++) {
                    best = Math.max(best, t.getFlat(u * plane + s));
                }
                perUnit.get(u).add(new float[] {best, i});
            }
        }
        for (List<float[]> l : perUnit) {
            l.sort(Comparator.<float[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
        }
        return perUnit;
    }

    @Test
    void topKEqualsBruteForce() {
        for (String layer : new String[] {"conv2", "fc1"}) {
            int units = 12;
            int k = 7;
            TopPatches top = TopPatches.builder(net, layer).units(0, units).k(k).batch(64).build().run(data);
            List<List<float[]>> brute = bruteForce(layer, units);
            for (int u = 0; u < units; u++) {
                List<TopPatches.Hit> hits = top.hits(u);
                assertEquals(k, hits.size());
                for (int j = 0; j < k; j++) {
                    float[] want = brute.get(u).get(j);
                    assertEquals((int) want[1], hits.get(j).image(), layer + " unit " + u + " rank " + j);
                    assertEquals(want[0], hits.get(j).value(), 1e-5f * Math.max(1, Math.abs(want[0])),
                            layer + " unit " + u + " rank " + j);
                }
            }
        }
    }

    @Test
    void resumesFromACheckpoint() throws Exception {
        Path file = Files.createTempDirectory("patches").resolve("conv3.ckpt");
        TopPatches whole = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).build().run(data);
        TopPatches half = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).checkpoint(file).limit(150)
                .build().run(data);
        assertEquals(150, half.imagesSeen());
        TopPatches resumed = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(50).checkpoint(file).build()
                .run(data);
        assertEquals(300, resumed.imagesSeen());
        for (int u = 0; u < 8; u++) {
            assertEquals(whole.hits(u), resumed.hits(u));
        }
    }

    @Test
    void receptiveFieldBoxesByHand() {
        // fashion_cnn: 3x3 convs (pad 1) and 2x2 max pools.
        // conv1: size 3, stride 1, offset -1.  conv2: pool -> 4/2/-1, conv -> 8/2/-3.  conv3: pool -> 10/4/-3, conv -> 18/4/-7
        ReceptiveField c1 = net.receptiveField("conv1");
        assertEquals(new Rectangle(-1 + 5, -1 + 0, 3, 3), TopPatches.fieldBox(c1, 0, 5, 28, 28));
        ReceptiveField c2 = net.receptiveField("conv2");
        assertEquals(new Rectangle(-3 + 2 * 6, -3 + 2 * 3, 8, 8), TopPatches.fieldBox(c2, 3, 6, 28, 28));
        ReceptiveField c3 = net.receptiveField("conv3");
        assertEquals(new Rectangle(13, 1, 18, 18), TopPatches.fieldBox(c3, 2, 5, 28, 28));
        assertEquals(new Rectangle(0, 0, 28, 28), TopPatches.fieldBox(net.receptiveField("fc1"), 0, 0, 28, 28));
        try (Network alex = Models.random("alexnet", 0)) {
            // conv1 11/4 pad 2: size 11, stride 4, offset -2; unit (3, 5) sees rows 10..20, cols 18..28
            assertEquals(new Rectangle(18, 10, 11, 11), TopPatches.fieldBox(alex.receptiveField("features.0"), 3, 5,
                    224, 224));
            // maxpool 3/2: 19/8/-2; conv2 5 pad 2: 51/8/-18; unit (1, 2) sees rows -10..40, cols -2..48
            assertEquals(new Rectangle(-2, -10, 51, 51), TopPatches.fieldBox(alex.receptiveField("features.3"), 1, 2,
                    224, 224));
        }
    }

    @Test
    void cropsTheFieldAndPadsOutside() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.setRGB(x, y, (x * 9) << 16 | (y * 9) << 8);
            }
        }
        ReceptiveField c3 = net.receptiveField("conv3");
        BufferedImage crop = TopPatches.crop(img, c3, 2, 5); // rows 1..18, cols 13..30 (29, 30 outside)
        assertEquals(18, crop.getWidth());
        assertEquals(img.getRGB(13, 1) & 0xffffff, crop.getRGB(0, 0) & 0xffffff);
        assertEquals(img.getRGB(27, 18) & 0xffffff, crop.getRGB(14, 17) & 0xffffff);
        assertEquals(0x808080, crop.getRGB(15, 0) & 0xffffff);
        BufferedImage corner = TopPatches.crop(img, c3, 0, 0); // rows and cols -7..10
        assertEquals(0x808080, corner.getRGB(6, 6) & 0xffffff);
        assertEquals(img.getRGB(0, 0) & 0xffffff, corner.getRGB(7, 7) & 0xffffff);
    }
}
