package dev.neurolens.attribution;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A red disc on a textured background, with a rough saliency blob: the refined mask recovers the disc. */
class SegmentationTest {

    @Test
    void refinementSnapsARoughSaliencyBlobToTheObject() {
        int size = 120;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < size; y += 6) {
            for (int x = 0; x < size; x += 6) {
                g.setColor(((x + y) / 6) % 2 == 0 ? new Color(60, 120, 60) : new Color(80, 140, 70));
                g.fillRect(x, y, 6, 6);
            }
        }
        g.setColor(new Color(220, 30, 30));
        g.fillOval(30, 30, 60, 60);
        g.dispose();
        // saliency: a blob shifted off the disc and wider, as a gradient map would be
        float[][] sal = new float[30][30];
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 30; x++) {
                double d = Math.hypot(y - 16, x - 13);
                sal[y][x] = (float) Math.exp(-d * d / (2 * 7 * 7));
            }
        }
        Segmentation s = SaliencySegmentation.create().segment(img, sal, "synthetic");
        boolean[][] m = s.mask();
        boolean[][] t = s.thresholded();
        double iouRefined = iou(m);
        double iouThreshold = iou(t);
        System.out.printf("[segmentation] IoU with the disc: thresholded %.3f, refined %.3f (%s)%n", iouThreshold,
                iouRefined, s);
        assertTrue(iouRefined > 0.8, "refined IoU " + iouRefined);
        assertTrue(iouRefined > iouThreshold, "refinement should improve on the bare threshold");
        assertTrue(s.mimeBundle().pngBytes().length > 1000);
    }

    private static double iou(boolean[][] m) {
        int inter = 0;
        int union = 0;
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                boolean disc = Math.hypot(y - 59.5, x - 59.5) <= 30;
                if (disc && m[y][x]) {
                    inter++;
                }
                if (disc || m[y][x]) {
                    union++;
                }
            }
        }
        return inter / (double) union;
    }
}
