package dev.neurolens.dissect;

import dev.neurolens.data.Scenes;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Broden-style folder written from rendered scenes dissects exactly as the scenes do in memory. */
class BrodenFolderTest {

    /** Labels looked up by the pictures' pixels: the in-memory reference for 8-bit pictures. */
    private static Segmenter byPixels(Tensor images, int[][] labels) {
        Map<Integer, int[]> map = new HashMap<>();
        for (int i = 0; i < images.dim(0); i++) {
            map.put(Arrays.hashCode(images.slice(i).toFloatArray()), labels[i]);
        }
        return new Segmenter() {
            public List<String> concepts() {
                return Scenes.CONCEPTS;
            }

            public int[][] segment(Tensor batch) {
                int[][] out = new int[(int) batch.dim(0)][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = map.get(Arrays.hashCode(batch.slice(i).toFloatArray()));
                }
                return out;
            }
        };
    }

    @Test
    void brodenFolderDissectionEqualsTheInMemoryOne(@TempDir Path dir) throws Exception {
        try (Network net = SceneClassifier.builtin()) {
            int n = 12;
            SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT + 900, n);
            int[][] labels = s.masks().segment(s.images());
            BrodenFolder.write(dir, s.images(), labels, Scenes.CONCEPTS);
            // the reference sees the pictures as the PNGs hold them (8 bits)
            float[] q = new float[n * 3 * 64 * 64];
            for (int i = 0; i < n; i++) {
                BufferedImage png = ImageIO.read(dir.resolve("images/s" + i + ".png").toFile());
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        int rgb = png.getRGB(x, y);
                        for (int c = 0; c < 3; c++) {
                            q[((i * 3 + c) * 64 + y) * 64 + x] = ((rgb >> (16 - 8 * c)) & 255) / 255f;
                        }
                    }
                }
            }
            Tensor quantized = Tensor.of(q, s.images().shape());

            BrodenFolder broden = BrodenFolder.open(dir);
            assertEquals(n, broden.size());
            assertEquals(List.of("object", "scene"), broden.categories());
            BrodenFolder.Masks masks = broden.masks("object");
            assertEquals(Scenes.CONCEPTS, masks.concepts());
            Preprocessing p = net.preprocessing();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(labels[i], masks.labels(i, p), "labels of picture " + i);
            }
            NetworkDissection fromFolder = NetworkDissection.builder(net, "conv3").images(masks).batch(5).top(0.05)
                    .progress(false).run();
            NetworkDissection inMemory = NetworkDissection.builder(net, "conv3").images(quantized)
                    .segmenter(byPixels(quantized, labels)).batch(5).top(0.05).progress(false).run();
            assertArrayEquals(inMemory.thresholds(), fromFolder.thresholds(), 1e-4f);
            double[][] a = inMemory.iou();
            double[][] b = fromFolder.iou();
            for (int u = 0; u < a.length; u++) {
                assertArrayEquals(a[u], b[u], 1e-9, "IoU of unit " + u);
            }
            assertEquals(6, broden.split("val").size());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> masks.segment(quantized));
            assertTrue(e.getMessage().contains("images(folder.masks"), e.getMessage());
        }
    }

    /** Masks at half resolution follow an 80 x 60 picture through resize (64 short side) and centre crop. */
    @Test
    void masksFollowTheirPictureIntoTheNetworksFrame(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("images/a.png").toFile());
        // left half label 1, right half label 2, bottom third of the right half label 3
        BufferedImage mask = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int number = x < 20 ? 1 : y >= 20 ? 3 : 2;
                mask.setRGB(x, y, number << 16);
            }
        }
        ImageIO.write(mask, "png", dir.resolve("images/a_object.png").toFile());
        Files.writeString(dir.resolve("index.csv"), "image,object,scene\na.png,a_object.png,\nb.png,,4\n");
        Files.writeString(dir.resolve("label.csv"), "number,name,category\n1,left,object\n2,right,object\n"
                + "3,bottom,object\n4,beach,scene\n");
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("images/b.png").toFile());
        BrodenFolder broden = BrodenFolder.open(dir);
        BrodenFolder.Masks masks = broden.masks("object");
        assertEquals(List.of("left", "right", "bottom"), masks.concepts());
        Preprocessing p = new Preprocessing(3, 64, 64, new float[3], new float[] {1, 1, 1});
        int[] l = masks.labels(0, p);
        // resized to 85 x 64, cropped at x 11..74: the mask's middle (x 42.5 of 85) lands at x 31.5 of the crop
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int expected = x <= 31 ? 0 : y >= 43 ? 2 : 1;
                if (Math.abs(x - 31.5) > 1 && Math.abs(y - 42.7) > 1) {
                    assertEquals(expected, l[y * 64 + x], "pixel " + x + "," + y);
                }
            }
        }
        int[] scene = broden.masks("scene").labels(1, p);
        assertTrue(Arrays.stream(scene).allMatch(v -> v == 0), "a scene label covers the whole picture");
        assertTrue(Arrays.stream(broden.masks("scene").labels(0, p)).allMatch(v -> v == Segmenter.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> broden.masks("part"));
        assertTrue(e.getMessage().contains("object, scene"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BrodenFolder.open(dir.resolve("images")));
        assertTrue(e.getMessage().contains("index.csv"), e.getMessage());
    }
}
