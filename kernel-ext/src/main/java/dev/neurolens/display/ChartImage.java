package dev.neurolens.display;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An XChart chart as a PNG. Drawn at {@code pixelRatio} times its size (2 by default) so lines and text stay crisp
 * on HiDPI screens; the bundle's PNG metadata asks the notebook to show it at its logical size.
 *
 * <pre>{@code ChartImage.of(lossChart).size(640, 360)}</pre>
 */
public final class ChartImage implements Displayable {
    public static final int DEFAULT_PIXEL_RATIO = 2;

    private final Chart<?, ?> chart;
    private final int width;
    private final int height;
    private final int pixelRatio;

    private ChartImage(Chart<?, ?> chart, int width, int height, int pixelRatio) {
        this.chart = chart;
        this.width = width;
        this.height = height;
        this.pixelRatio = pixelRatio;
    }

    /** The chart at its own size (XChart builders default to 800x600; {@link #size} picks another). */
    public static ChartImage of(Chart<?, ?> chart) {
        return new ChartImage(chart, chart.getWidth(), chart.getHeight(), DEFAULT_PIXEL_RATIO);
    }

    public ChartImage size(int w, int h) {
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("chart size must be positive, got " + w + "x" + h);
        }
        return new ChartImage(chart, w, h, pixelRatio);
    }

    /** Device pixels per logical pixel: 1 for plain screens, 2 for retina, 3 for print-ish output. */
    public ChartImage pixelRatio(int ratio) {
        if (ratio < 1 || ratio > 4) {
            throw new IllegalArgumentException("pixelRatio must be 1..4, got " + ratio);
        }
        return new ChartImage(chart, width, height, ratio);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The chart drawn at width*pixelRatio x height*pixelRatio. Reads the chart, as it is now. */
    public BufferedImage render() {
        BufferedImage out = new BufferedImage(width * pixelRatio, height * pixelRatio, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            // XChart spaces tick labels by measured text width; fractional metrics keep that measure true at 2x.
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.scale(pixelRatio, pixelRatio);
            int ownW = chart.getWidth();
            int ownH = chart.getHeight();
            chart.paint(g, width, height);
            if (ownW != width || ownH != height) {
                // paint(g, w, h) resizes the chart itself; put the caller's size back with a throwaway paint.
                Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
                chart.paint(scratch, ownW, ownH);
                scratch.dispose();
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    public byte[] toPng() {
        if (pixelRatio == 1 && width == chart.getWidth() && height == chart.getHeight()) {
            try {
                return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // BitmapEncoder only scales for DPI when writing to a file; painting into a scaled canvas does the same.
        return Images.toPng(render());
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.png(toPng(), toString())
                .withMetadata(MimeBundle.PNG, "width", width)
                .withMetadata(MimeBundle.PNG, "height", height);
    }

    @Override
    public String toString() {
        String title = chart.getTitle();
        return chart.getClass().getSimpleName() + (title == null || title.isEmpty() ? "" : " '" + title + "'") + " "
                + width + "x" + height;
    }
}
