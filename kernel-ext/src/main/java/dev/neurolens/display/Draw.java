package dev.neurolens.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Java2D plumbing shared by the renderers: one font family, antialiased text, canvases. Not public API. */
final class Draw {
    static final String FONT_FAMILY = Font.SANS_SERIF;

    private Draw() {
    }

    static Font font(int size, boolean bold) {
        return new Font(FONT_FAMILY, bold ? Font.BOLD : Font.PLAIN, size);
    }

    /** An opaque RGB canvas filled with background; the caller disposes the returned graphics. */
    static Graphics2D canvas(BufferedImage target, Color background) {
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(background);
        g.fillRect(0, 0, target.getWidth(), target.getHeight());
        return g;
    }

    /** Draws image into the box, scaled to fit with its aspect kept and centred; nearest-neighbour when enlarging
     * so small inputs (28x28 digits, 7x7 maps) stay crisp instead of turning to mush. */
    static void fit(Graphics2D g, BufferedImage image, int x, int y, int boxW, int boxH) {
        double s = Math.min(boxW / (double) image.getWidth(), boxH / (double) image.getHeight());
        int w = Math.max(1, (int) Math.round(image.getWidth() * s));
        int h = Math.max(1, (int) Math.round(image.getHeight() * s));
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, s >= 1
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, x + (boxW - w) / 2, y + (boxH - h) / 2, w, h, null);
    }

    /** Text centred horizontally on cx, cut with an ellipsis to fit maxWidth. */
    static void centeredText(Graphics2D g, String text, int cx, int baseline, int maxWidth) {
        String s = ellipsize(text, g.getFontMetrics(), maxWidth);
        g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    static String ellipsize(String text, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(text) <= maxWidth) {
            return text;
        }
        String dots = "…";
        int end = text.length();
        while (end > 0 && fm.stringWidth(text.substring(0, end) + dots) > maxWidth) {
            end--;
        }
        return text.substring(0, end) + dots;
    }

    /** Dark text on light backgrounds and the reverse, by perceived luminance. */
    static Color textOn(Color background) {
        double lum = 0.299 * background.getRed() + 0.587 * background.getGreen() + 0.114 * background.getBlue();
        return lum > 140 ? new Color(0x222222) : new Color(0xEEEEEE);
    }

    static int lineHeight(Font font) {
        // Metrics without a screen: a scratch image gives the same metrics the real canvas will use.
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            return g.getFontMetrics(font).getHeight();
        } finally {
            g.dispose();
        }
    }
}
