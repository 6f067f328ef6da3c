package dev.neurolens.attribution;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.HeatmapOverlay;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.MimeBundle;

import java.awt.image.BufferedImage;

/**
 * A foreground mask found from a saliency map: the picture, the smoothed map, the thresholded map, the
 * refined mask and the cut-out. Immutable; shows itself as those four side by side.
 */
public final class Segmentation implements Displayable {
    private final BufferedImage image;
    private final float[][] saliency;
    private final boolean[][] thresholded;
    private final boolean[][] mask;
    private final String method;
    private final int superpixels;

    Segmentation(BufferedImage image, float[][] saliency, boolean[][] thresholded, boolean[][] mask, String method,
                 int superpixels) {
        this.image = image;
        this.saliency = saliency;
        this.thresholded = thresholded;
        this.mask = mask;
        this.method = method;
        this.superpixels = superpixels;
    }

    /** The refined foreground mask, {@code [H][W]} at {@link #image()}'s size (a copy). */
    public boolean[][] mask() {
        return copy(mask);
    }

    /** The map thresholded, before refinement (a copy). */
    public boolean[][] thresholded() {
        return copy(thresholded);
    }

    /** The picture the mask belongs to (small pictures are enlarged for segmentation). */
    public BufferedImage image() {
        return image;
    }

    public double foregroundFraction() {
        return fraction(mask);
    }

    /** The foreground on white. */
    public BufferedImage cutout() {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, mask[y][x] ? image.getRGB(x, y) : 0xFFFFFF);
            }
        }
        return out;
    }

    static BufferedImage maskImage(boolean[][] m) {
        BufferedImage out = new BufferedImage(m[0].length, m.length, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                out.setRGB(x, y, m[y][x] ? 0xFFFFFF : 0x000000);
            }
        }
        return out;
    }

    public ImageGrid grid() {
        return ImageGrid.of(image, HeatmapOverlay.of(image, saliency).colorbar(false).alpha(0.6).renderOverlay(),
                        maskImage(thresholded), maskImage(mask), cutout())
                .captions("picture", method + " (smoothed)", "thresholded", "refined (" + superpixels + " superpixels)",
                        "cut-out")
                .columns(5);
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.png(grid().toPng(), toString());
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Segmentation[%dx%d from %s, foreground %.0f%% (thresholded %.0f%%)]",
                image.getWidth(), image.getHeight(), method, 100 * fraction(mask), 100 * fraction(thresholded));
    }

    private static double fraction(boolean[][] m) {
        int n = 0;
        for (boolean[] row : m) {
            for (boolean b : row) {
                if (b) {
                    n++;
                }
            }
        }
        return n / (double) (m.length * m[0].length);
    }

    private static boolean[][] copy(boolean[][] m) {
        boolean[][] c = new boolean[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }
}
