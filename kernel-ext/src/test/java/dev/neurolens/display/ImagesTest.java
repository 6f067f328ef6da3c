package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImagesTest {
    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    /** A 2x5 RGB test picture (HWC, width 5 so no side looks like a channel count), values k/255. */
    private static float[] hwcPixels() {
        // (y, x) -> (r, g, b)
        float[] v = new float[2 * 5 * 3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 5; x++) {
                int i = (y * 5 + x) * 3;
                v[i] = (10 + 40 * x) / 255f;
                v[i + 1] = (20 + 100 * y) / 255f;
                v[i + 2] = (200 - 30 * x - 50 * y) / 255f;
            }
        }
        return v;
    }

    @Test
    void pngRoundTripKeepsPixels() throws IOException {
        BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 2, 0x12AB34);
        BufferedImage back = decode(Images.toPng(img));
        assertEquals(5, back.getWidth());
        assertEquals(4, back.getHeight());
        assertEquals(0x12AB34, rgb(back, 3, 2));
        assertEquals(0, rgb(back, 0, 0));
    }

    @Test
    void hwcFloatGivesExactBytes() {
        BufferedImage img = Images.fromFloats(hwcPixels(), 2, 5, 3);
        assertEquals(5, img.getWidth());
        assertEquals(2, img.getHeight());
        // x=2, y=1: r=90, g=120, b=200-60-50=90
        assertEquals(90 << 16 | 120 << 8 | 90, rgb(img, 2, 1));
    }

    @Test
    void chwAndHwcArraysGiveTheSameImage() {
        try (NDManager m = manager.newSubManager()) {
            NDArray hwc = m.create(hwcPixels(), new Shape(2, 5, 3));
            NDArray chw = hwc.transpose(2, 0, 1);
            BufferedImage a = Images.fromNDArray(hwc);
            BufferedImage b = Images.fromNDArray(chw);
            assertEquals(5, b.getWidth());
            assertEquals(2, b.getHeight());
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(rgb(a, x, y), rgb(b, x, y), "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void uint8AndUnitFloatAgree() {
        try (NDManager m = manager.newSubManager()) {
            NDArray f = m.create(hwcPixels(), new Shape(2, 5, 3));
            NDArray u8 = f.mul(255).round().toType(DataType.UINT8, false);
            BufferedImage a = Images.fromNDArray(f);
            BufferedImage b = Images.fromNDArray(u8);
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(rgb(a, x, y), rgb(b, x, y));
                }
            }
        }
    }

    @Test
    void batchOfOneAndGrayscaleShapes() {
        try (NDManager m = manager.newSubManager()) {
            NDArray gray = m.create(new float[] {0f, 0.5f, 1f, 0.25f}, new Shape(1, 1, 2, 2));
            BufferedImage img = Images.fromNDArray(gray);
            assertEquals(2, img.getWidth());
            assertEquals(0x000000, rgb(img, 0, 0));
            assertEquals(0x808080, rgb(img, 1, 0)); // round(0.5*255) = 128
            assertEquals(0xFFFFFF, rgb(img, 0, 1));
            BufferedImage hw = Images.fromNDArray(gray.reshape(2, 2));
            assertEquals(rgb(img, 1, 1), rgb(hw, 1, 1));
        }
    }

    @Test
    void rangesAutoByteAndMinMax() {
        float[] v = {-2f, 0f, 2f, 6f};
        BufferedImage mm = Images.fromFloats(v, 2, 2); // AUTO on a signed array stretches min..max
        assertEquals(0x000000, rgb(mm, 0, 0));
        assertEquals(0x404040, rgb(mm, 1, 0)); // (0+2)/8*255 = 63.75 -> 64
        assertEquals(0xFFFFFF, rgb(mm, 1, 1));
        BufferedImage bytes = Images.fromFloats(new float[] {0f, 100f, 200f, 255f}, 2, 2);
        assertEquals(0x646464, rgb(bytes, 1, 0));
        BufferedImage clamped = Images.fromFloats(v, Images.PixelRange.UNIT, 2, 2);
        assertEquals(0x000000, rgb(clamped, 0, 0));
        assertEquals(0xFFFFFF, rgb(clamped, 0, 1));
    }

    @Test
    void layoutRules() {
        assertTrue(Images.layout(new long[] {3, 32, 32}).channelsFirst());
        assertFalse(Images.layout(new long[] {32, 32, 3}).channelsFirst());
        assertFalse(Images.layout(new long[] {3, 32, 3}).channelsFirst()); // last wins when both could be C
        assertEquals(4, Images.layout(new long[] {8, 8, 4}).channels());
        assertTrue(Images.isImageShape(new long[] {1, 3, 224, 224}));
        assertTrue(Images.isImageShape(new long[] {1, 28, 28}));
        assertFalse(Images.isImageShape(new long[] {28, 28})); // a matrix as much as a picture
        assertFalse(Images.isImageShape(new long[] {1000}));
        assertFalse(Images.isImageShape(new long[] {3, 4, 5}));
    }

    @Test
    void nonImageShapeNamesTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Images.fromFloats(new float[2 * 5 * 7], 2, 5, 7));
        assertTrue(e.getMessage().contains("(2, 5, 7)"), e.getMessage());
        try (NDManager m = manager.newSubManager()) {
            NDArray batch = m.zeros(new Shape(4, 3, 8, 8));
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                    () -> Images.fromNDArray(batch));
            assertTrue(e2.getMessage().contains("(4, 3, 8, 8)"), e2.getMessage());
            assertTrue(e2.getMessage().contains("ImageGrid"), e2.getMessage());
        }
    }

    @Test
    void batchSplitsIntoImages() {
        try (NDManager m = manager.newSubManager()) {
            List<BufferedImage> digits = Images.fromBatch(m.ones(new Shape(5, 28, 28)));
            assertEquals(5, digits.size());
            assertEquals(0xFFFFFF, rgb(digits.get(4), 27, 27));
            assertEquals(1, Images.fromBatch(m.ones(new Shape(3, 28, 28))).size());
        }
    }

    @Test
    void upscaleIsNearestNeighbour() {
        BufferedImage img = Images.fromFloats(new float[][] {{0f, 1f}});
        BufferedImage big = Images.upscale(img, 4);
        assertEquals(8, big.getWidth());
        assertEquals(4, big.getHeight());
        assertEquals(0x000000, rgb(big, 3, 3));
        assertEquals(0xFFFFFF, rgb(big, 4, 0));
    }

    @Test
    void bilinearResizeUsesPixelCentres() {
        float[][] r = Images.resizeBilinear(new float[][] {{0f, 1f}, {0f, 1f}}, 4, 4);
        // Same as torch.nn.functional.interpolate(mode="bilinear", align_corners=False).
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, r[2], 1e-6f);
    }

    @Test
    void toMapDropsUnitDims() {
        try (NDManager m = manager.newSubManager()) {
            float[][] map = Images.toMap(m.arange(6f).reshape(1, 1, 2, 3));
            assertEquals(2, map.length);
            assertArrayEquals(new float[] {3f, 4f, 5f}, map[1]);
            assertThrows(IllegalArgumentException.class, () -> Images.toMap(m.zeros(new Shape(2, 3, 4))));
        }
    }
}
