package dev.neurolens.optimize;

import dev.neurolens.display.LiveDisplay;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;
import dev.neurolens.run.RunOptions;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Non-parametric texture synthesis by Efros and Leung (1999): a texture grown pixel by pixel from a sample, with no
 * network. From a 3x3 seed copied to the centre, the unfilled pixels with the most filled neighbours go next; each
 * takes the centre pixel of a sample window drawn at random among those whose Gaussian-weighted squared difference
 * to the pixel's filled neighbourhood is within {@code tolerance} of the best. Every pixel scans the whole sample,
 * so the defaults are small (a 48 px output from a 64 px sample); {@link Quilting} is the fast way to larger ones.
 *
 * <pre>{@code EfrosLeung.of(Samples.image("gravel")).window(11).size(48).run()}</pre>
 *
 * <p>A step is one pixel grown; by default all of them. An interrupt ends the run before the next pixel and keeps
 * the partial texture in {@link LastResults}.
 */
public final class EfrosLeung extends RunBuilder<EfrosLeung> {
    static final String TECHNIQUE = "Efros–Leung";

    private final BufferedImage sample;
    private int window = 11;
    private double tolerance = 0.1;
    private int width = 48;
    private int height = 48;
    private int sampleSize = 64;

    private EfrosLeung(BufferedImage sample) {
        super(Integer.MAX_VALUE);
        if (sample == null) {
            throw new IllegalArgumentException("the sample is null; pass a picture, e.g. Samples.image(\"gravel\")");
        }
        this.sample = sample;
    }

    public static EfrosLeung of(BufferedImage sample) {
        return new EfrosLeung(sample);
    }

    /** Side of the square neighbourhood compared, pixels (odd; default 11). Larger keeps larger structures. */
    public EfrosLeung window(int px) {
        if (px < 3 || px % 2 == 0) {
            throw new IllegalArgumentException("window must be odd and >= 3 px (it is centred on a pixel), got " + px);
        }
        this.window = px;
        return this;
    }

    /** Windows whose error is within this fraction of the best are equally likely (default 0.1, the paper's). */
    public EfrosLeung tolerance(double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("tolerance must be a finite fraction >= 0 (0.1 = within 10% of the"
                    + " best match), got " + t);
        }
        this.tolerance = t;
        return this;
    }

    /** Output side, pixels (square; default 48). */
    public EfrosLeung size(int px) {
        return size(px, px);
    }

    public EfrosLeung size(int w, int h) {
        this.width = Check.atLeastOne("width", w);
        this.height = Check.atLeastOne("height", h);
        return this;
    }

    /** Longer side the sample is scaled to first (default 64; 0 keeps its size). Time grows with its area. */
    public EfrosLeung sampleSize(int px) {
        if (px < 0) {
            throw new IllegalArgumentException("sampleSize must be >= 0 (0 keeps the sample's size), got " + px);
        }
        this.sampleSize = px;
        return this;
    }

    public SynthesizedTexture run() {
        long t0 = System.nanoTime();
        BufferedImage src = SynthesizedTexture.scaled(sample, sampleSize);
        int sw = src.getWidth();
        int sh = src.getHeight();
        if (window > sw || window > sh) {
            throw new IllegalArgumentException("window " + window + " px is larger than the sample (" + sw + "x" + sh
                    + " after scaling); use a smaller window or a larger sampleSize");
        }
        float[] smp = SynthesizedTexture.rgb(src);
        float[] out = new float[width * height * 3];
        boolean[] filled = new boolean[width * height];
        int[] source = new int[width * height];
        Arrays.fill(source, -1);
        Random rnd = new Random(seed());
        int seedSide = Math.min(3, Math.min(width, height));
        int sy0 = rnd.nextInt(sh - seedSide + 1);
        int sx0 = rnd.nextInt(sw - seedSide + 1);
        int oy0 = (height - seedSide) / 2;
        int ox0 = (width - seedSide) / 2;
        for (int r = 0; r < seedSide; r++) {
            for (int c = 0; c < seedSide; c++) {
                fill(smp, out, filled, source, (oy0 + r) * width + ox0 + c, (sy0 + r) * sw + sx0 + c);
            }
        }
        int total = width * height - seedSide * seedSide;
        RunOptions opts = options().withSteps(Math.min(steps(), total));
        String settings = String.format(Locale.ROOT, "window %d px, tolerance %.0f%%", window, 100 * tolerance);
        double[] gauss = gaussian(window);
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        int done = 0;
        boolean interrupted = false;
        try {
            grow:
            while (done < opts.steps()) {
                for (int p : frontier(filled, rnd)) {
                    if (done >= opts.steps()) {
                        break grow;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        interrupted = true;
                        break grow;
                    }
                    double err = grow(smp, sw, sh, out, filled, source, p, gauss, rnd);
                    int grown = ++done;
                    if (figure != null) {
                        figure.update(() -> result(src, source, settings, grown, total, false, t0));
                    }
                    if (opts.listensAt(grown - 1)) {
                        new Frame(TECHNIQUE, grown, opts.steps(), Map.of("match error", err),
                                () -> result(src, source, settings, grown, total, false, t0).texture())
                                .deliverTo(opts.listener());
                    }
                }
            }
        } catch (ThreadDeath death) {
            // a stock kernel's hard stop (Thread.stop): keep what was grown
            interrupted = true;
        }
        SynthesizedTexture r = LastResults.keep(result(src, source, settings, done, total, interrupted, t0));
        if (figure != null) {
            figure.finish(r.mimeBundle());
        }
        return r;
    }

    private SynthesizedTexture result(BufferedImage src, int[] source, String settings, int done, int total,
                                      boolean interrupted, long t0) {
        return new SynthesizedTexture(TECHNIQUE, settings, src, source, width, height, done, total, "pixels",
                interrupted, (System.nanoTime() - t0) / 1e9);
    }

    /** Unfilled pixels next to filled ones, most filled 8-neighbours first, ties in random order (as in the paper). */
    private List<Integer> frontier(boolean[] filled, Random rnd) {
        List<Integer> next = new ArrayList<>();
        int[] count = new int[filled.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (filled[y * width + x]) {
                    continue;
                }
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < height && xx >= 0 && xx < width && filled[yy * width + xx]) {
                            count[y * width + x]++;
                        }
                    }
                }
                if (count[y * width + x] > 0) {
                    next.add(y * width + x);
                }
            }
        }
        Collections.shuffle(next, rnd);
        next.sort(Comparator.comparingInt(i -> -count[i]));
        return next;
    }

    /** Fills output pixel p from the best-matching sample windows; returns the match's weighted mean error. */
    private double grow(float[] smp, int sw, int sh, float[] out, boolean[] filled, int[] source, int p,
                        double[] gauss, Random rnd) {
        int half = window / 2;
        int y = p / width;
        int x = p % width;
        // the filled part of p's window: offsets into a sample window, weights, and the output's values
        int n = 0;
        int[] delta = new int[window * window];
        double[] weight = new double[window * window];
        float[] value = new float[window * window * 3];
        double weightSum = 0;
        for (int dy = -half; dy <= half; dy++) {
            for (int dx = -half; dx <= half; dx++) {
                int yy = y + dy;
                int xx = x + dx;
                if (yy < 0 || yy >= height || xx < 0 || xx >= width || !filled[yy * width + xx]) {
                    continue;
                }
                int k = (dy + half) * window + dx + half;
                delta[n] = ((dy + half) * sw + dx + half) * 3;
                weight[n] = gauss[k];
                System.arraycopy(out, (yy * width + xx) * 3, value, n * 3, 3);
                weightSum += gauss[k];
                n++;
            }
        }
        int known = n;
        int ncx = sw - window + 1;
        int ncy = sh - window + 1;
        double[] err = new double[ncx * ncy];
        IntStream.range(0, ncy).parallel().forEach(cy -> {
            for (int cx = 0; cx < ncx; cx++) {
                int base = (cy * sw + cx) * 3;
                double sum = 0;
                for (int k = 0; k < known; k++) {
                    int s = base + delta[k];
                    float dr = smp[s] - value[3 * k];
                    float dg = smp[s + 1] - value[3 * k + 1];
                    float db = smp[s + 2] - value[3 * k + 2];
                    sum += weight[k] * (dr * dr + dg * dg + db * db);
                }
                err[cy * ncx + cx] = sum;
            }
        });
        int pick = Quilting.choose(err, tolerance, rnd);
        fill(smp, out, filled, source, p, (pick / ncx + half) * sw + pick % ncx + half);
        return err[pick] / weightSum;
    }

    private static void fill(float[] smp, float[] out, boolean[] filled, int[] source, int p, int s) {
        System.arraycopy(smp, s * 3, out, p * 3, 3);
        filled[p] = true;
        source[p] = s;
    }

    /** The paper's weighting: a 2-D Gaussian with sigma = window / 6.4, so the centre of the window counts most. */
    private static double[] gaussian(int window) {
        double sigma = window / 6.4;
        int half = window / 2;
        double[] g = new double[window * window];
        for (int dy = -half; dy <= half; dy++) {
            for (int dx = -half; dx <= half; dx++) {
                g[(dy + half) * window + dx + half] = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            }
        }
        return g;
    }
}
