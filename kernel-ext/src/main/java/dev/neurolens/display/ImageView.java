package dev.neurolens.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * One picture as shown in a notebook: optional title, and an integer nearest-neighbour upscale so tiny inputs
 * (a 28x28 digit, a 7x7 map) are visible without blurring. By default images under 128 px are enlarged to about
 * 256 px; {@code scale(1)} shows them at their own size.
 *
 * <pre>{@code ImageView.of(digit).title("label 7").scale(8)}</pre>
 */
public final class ImageView implements Rendered {
    private static final int AUTO = 0;

    private final BufferedImage image;
    private final String title;
    private final int scale;

    private ImageView(BufferedImage image, String title, int scale) {
        this.image = image;
        this.title = title;
        this.scale = scale;
    }

    /** Any source {@link Images#toImage} accepts; arrays are converted now, so the array may be closed after. */
    public static ImageView of(Object source) {
        return new ImageView(Images.toImage(source), null, AUTO);
    }

    public ImageView title(String newTitle) {
        return new ImageView(image, newTitle, scale);
    }

    public ImageView scale(int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("scale must be >= 1, got " + factor);
        }
        return new ImageView(image, title, factor);
    }

    /** The source picture, unscaled. */
    public BufferedImage image() {
        return image;
    }

    /** The upscale factor that will be used: the explicit one, or the automatic one for small images. */
    public int effectiveScale() {
        return scale != AUTO ? scale : autoScale(image.getWidth(), image.getHeight());
    }

    /** Small pictures are blown up by a whole factor toward 256 px; 128 px and up are left alone. */
    static int autoScale(int w, int h) {
        int side = Math.max(w, h);
        return side >= 128 ? 1 : Math.max(1, 256 / side);
    }

    public BufferedImage render() {
        BufferedImage scaled = Images.upscale(image, effectiveScale());
        if (title == null || title.isEmpty()) {
            return scaled;
        }
        Font font = Draw.font(13, true);
        int titleH = Draw.lineHeight(font) + 6;
        BufferedImage out = new BufferedImage(scaled.getWidth(), scaled.getHeight() + titleH,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Draw.canvas(out, Color.WHITE);
        try {
            g.setFont(font);
            g.setColor(Draw.textOn(Color.WHITE));
            Draw.centeredText(g, title, out.getWidth() / 2, 3 + g.getFontMetrics().getAscent(), out.getWidth() - 4);
            g.drawImage(scaled, 0, titleH, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    @Override
    public String toString() {
        return "Image " + image.getWidth() + "x" + image.getHeight() + (title == null ? "" : " '" + title + "'");
    }
}
