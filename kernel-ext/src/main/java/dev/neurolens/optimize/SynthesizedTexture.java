package dev.neurolens.optimize;

import dev.neurolens.data.Pictures;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Rendered;

import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * A texture made by copying a sample's pixels ({@link Quilting}, {@link EfrosLeung}): the sample, the output, and for
 * every output pixel where in the sample it was copied from. Immutable; shows itself as sample | result under a title
 * that states the method, its settings and the time taken. Pixels not yet filled when a run was interrupted are grey.
 */
public final class SynthesizedTexture implements Rendered {
    private static final int UNFILLED = 0x808080;

    private final String method;
    private final String settings;
    private final BufferedImage sample;
    private final BufferedImage texture;
    private final int[] source;
    private final int steps;
    private final int totalSteps;
    private final String unit;
    private final boolean interrupted;
    private final double seconds;

    /** {@code source} is width x height, row-major: {@code y * sampleWidth + x} of the copied pixel, or -1. */
    SynthesizedTexture(String method, String settings, BufferedImage sample, int[] source, int width, int height,
                       int steps, int totalSteps, String unit, boolean interrupted, double seconds) {
        this.method = method;
        this.settings = settings;
        this.sample = copy(sample);
        this.source = source.clone();
        this.steps = steps;
        this.totalSteps = totalSteps;
        this.unit = unit;
        this.interrupted = interrupted;
        this.seconds = seconds;
        int sw = sample.getWidth();
        texture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < width * height; i++) {
            int s = source[i];
            texture.setRGB(i % width, i / width, s < 0 ? UNFILLED : sample.getRGB(s % sw, s / sw));
        }
    }

    /** The output picture (a copy). */
    public BufferedImage texture() {
        return copy(texture);
    }

    /** The sample as the method saw it, after scaling (a copy). */
    public BufferedImage sample() {
        return copy(sample);
    }

    /** Where output pixel (x, y) was copied from, as {@code {sx, sy}} in {@link #sample()}, or null if unfilled. */
    public int[] sourceOf(int x, int y) {
        int s = source[y * texture.getWidth() + x];
        return s < 0 ? null : new int[] {s % sample.getWidth(), s / sample.getWidth()};
    }

    public String method() {
        return method;
    }

    /** Patches or pixels placed. */
    public int steps() {
        return steps;
    }

    /** Patches or pixels a full run places. */
    public int totalSteps() {
        return totalSteps;
    }

    public boolean interrupted() {
        return interrupted;
    }

    public double seconds() {
        return seconds;
    }

    public String title() {
        String t = String.format(Locale.ROOT, "%s · %s · %.1f s", method, settings, seconds);
        return steps < totalSteps ? t + (interrupted ? " · interrupted after " : " · ") + steps + "/" + totalSteps
                + " " + unit : t;
    }

    @Override
    public BufferedImage render() {
        int side = Math.max(Math.max(sample.getWidth(), sample.getHeight()),
                Math.max(texture.getWidth(), texture.getHeight()));
        // whole-number enlargement of small pictures keeps single pixels visible
        int cell = side;
        while (cell < 200) {
            cell += side;
        }
        return ImageGrid.of(sample, texture)
                .captions("sample " + sample.getWidth() + "x" + sample.getHeight(),
                        "synthesized " + texture.getWidth() + "x" + texture.getHeight())
                .cellSize(cell).title(title()).render();
    }

    @Override
    public String toString() {
        return title();
    }

    private static BufferedImage copy(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, img.getRGB(0, 0, w, h, null, 0, w), 0, w);
        return out;
    }

    /** The sample as 8-bit RGB with its longer side {@code longSide} (0 keeps its size). */
    static BufferedImage scaled(BufferedImage sample, int longSide) {
        // grey pictures are expanded sample by sample first: Java's own conversion would brighten them
        BufferedImage rgb = Pictures.rgb(sample);
        return longSide > 0 ? Inputs.resizeLong(rgb, longSide) : rgb;
    }

    /** A picture as interleaved RGB floats, 0–255, row-major. */
    static float[] rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int i = (y * w + x) * 3;
                out[i] = (p >> 16) & 0xff;
                out[i + 1] = (p >> 8) & 0xff;
                out[i + 2] = p & 0xff;
            }
        }
        return out;
    }
}
