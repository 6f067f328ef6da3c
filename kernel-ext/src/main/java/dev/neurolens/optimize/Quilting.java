package dev.neurolens.optimize;

import dev.neurolens.display.LiveDisplay;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;
import dev.neurolens.run.RunOptions;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Image quilting (Efros and Freeman 2001): a texture grown patch by patch from a sample, with no network. Square
 * patches are laid in raster order, each overlapping its left and upper neighbours; each is drawn at random from the
 * sample's patches whose squared difference over the overlap is within {@code tolerance} of the best, and is joined
 * along the minimum-error boundary cut, so the seam runs where old and new pixels agree.
 *
 * <pre>{@code Quilting.of(Samples.image("brick")).patch(24).size(128).run()}</pre>
 *
 * <p>A step is one patch placed; by default all that cover the output. An interrupt ends the run before the next
 * patch and keeps the partial quilt in {@link LastResults}.
 */
public final class Quilting extends RunBuilder<Quilting> {
    static final String TECHNIQUE = "image quilting";

    private final BufferedImage sample;
    private int patch = 24;
    private int overlap = -1;
    private double tolerance = 0.1;
    private int width = 128;
    private int height = 128;
    private int sampleSize = 128;

    private Quilting(BufferedImage sample) {
        super(Integer.MAX_VALUE);
        if (sample == null) {
            throw new IllegalArgumentException("the sample is null; pass a picture, e.g. Samples.image(\"brick\")");
        }
        this.sample = sample;
    }

    public static Quilting of(BufferedImage sample) {
        return new Quilting(sample);
    }

    /** The last quilt made in this JVM, also when it was interrupted. */
    public static SynthesizedTexture lastResult() {
        return LastResults.of(SynthesizedTexture.class);
    }

    /** Side of the square patches, pixels (default 24). */
    public Quilting patch(int px) {
        if (px < 2) {
            throw new IllegalArgumentException("patch must be >= 2 px, got " + px);
        }
        this.patch = px;
        return this;
    }

    /** Width of the strip a patch shares with each neighbour, pixels (default patch / 6; 0 tiles at random). */
    public Quilting overlap(int px) {
        if (px < 0) {
            throw new IllegalArgumentException("overlap must be >= 0 px, got " + px);
        }
        this.overlap = px;
        return this;
    }

    /** Patches whose overlap error is within this fraction of the best are equally likely (default 0.1, the paper's). */
    public Quilting tolerance(double t) {
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("tolerance must be a finite fraction >= 0 (0.1 = within 10% of the"
                    + " best match), got " + t);
        }
        this.tolerance = t;
        return this;
    }

    /** Output side, pixels (square; default 128). */
    public Quilting size(int px) {
        return size(px, px);
    }

    public Quilting size(int w, int h) {
        this.width = Check.atLeastOne("width", w);
        this.height = Check.atLeastOne("height", h);
        return this;
    }

    /** Longer side the sample is scaled to first (default 128; 0 keeps its size). Time grows with its area. */
    public Quilting sampleSize(int px) {
        if (px < 0) {
            throw new IllegalArgumentException("sampleSize must be >= 0 (0 keeps the sample's size), got " + px);
        }
        this.sampleSize = px;
        return this;
    }

    public SynthesizedTexture run() {
        int ov = overlap >= 0 ? overlap : patch / 6;
        if (ov >= patch) {
            throw new IllegalArgumentException("overlap " + ov + " px must be smaller than the patch (" + patch
                    + " px); the paper uses about patch / 6");
        }
        long t0 = System.nanoTime();
        BufferedImage src = SynthesizedTexture.scaled(sample, sampleSize);
        int sw = src.getWidth();
        int sh = src.getHeight();
        if (patch > sw || patch > sh) {
            throw new IllegalArgumentException("patch " + patch + " px is larger than the sample (" + sw + "x" + sh
                    + " after scaling); use a smaller patch or a larger sampleSize");
        }
        float[] smp = SynthesizedTexture.rgb(src);
        int step = patch - ov;
        int nx = Math.max(1, -Math.floorDiv(-(width - ov), step));
        int ny = Math.max(1, -Math.floorDiv(-(height - ov), step));
        // the canvas holds whole patches; the output is its top-left corner
        int cw = (nx - 1) * step + patch;
        int ch = (ny - 1) * step + patch;
        float[] out = new float[cw * ch * 3];
        int[] source = new int[cw * ch];
        Arrays.fill(source, -1);
        int total = nx * ny;
        RunOptions opts = options().withSteps(Math.min(steps(), total));
        String settings = String.format(Locale.ROOT, "patch %d px, overlap %d, tolerance %.0f%%", patch, ov,
                100 * tolerance);
        Random rnd = new Random(seed());
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        int done = 0;
        boolean interrupted = false;
        try {
            for (; done < opts.steps(); done++) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted = true;
                    break;
                }
                int oy = done / nx * step;
                int ox = done % nx * step;
                double err = place(smp, sw, sh, out, source, cw, oy, ox, ov, rnd);
                int placed = done + 1;
                if (figure != null) {
                    figure.update(() -> result(src, source, cw, settings, placed, total, false, t0));
                }
                if (opts.listensAt(done)) {
                    double rms = Math.sqrt(err / Math.max(1, overlapPixels(oy > 0, ox > 0, ov) * 3));
                    new Frame(TECHNIQUE, placed, opts.steps(), Map.of("overlap rms", rms),
                            () -> result(src, source, cw, settings, placed, total, false, t0).texture())
                            .deliverTo(opts.listener());
                }
            }
        } catch (ThreadDeath death) {
            // a stock kernel's hard stop (Thread.stop): keep what was placed
            interrupted = true;
        }
        SynthesizedTexture r = LastResults.keep(result(src, source, cw, settings, done, total, interrupted, t0));
        if (figure != null) {
            figure.finish(r.mimeBundle());
        }
        return r;
    }

    private SynthesizedTexture result(BufferedImage src, int[] canvasSource, int cw, String settings, int done,
                                      int total, boolean interrupted, long t0) {
        int[] cropped = new int[width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(canvasSource, y * cw, cropped, y * width, width);
        }
        return new SynthesizedTexture(TECHNIQUE, settings, src, cropped, width, height, done, total, "patches",
                interrupted, (System.nanoTime() - t0) / 1e9);
    }

    /** Pixels in the overlap a patch is matched on: left strip, top strip, their corner once. */
    private int overlapPixels(boolean top, boolean left, int ov) {
        return (top ? ov * patch : 0) + (left ? ov * patch : 0) - (top && left ? ov * ov : 0);
    }

    /** Chooses and pastes the patch whose top-left is (oy, ox) on the canvas; returns its overlap error. */
    private double place(float[] smp, int sw, int sh, float[] out, int[] source, int cw, int oy, int ox, int ov,
                         Random rnd) {
        boolean top = oy > 0 && ov > 0;
        boolean left = ox > 0 && ov > 0;
        int ncx = sw - patch + 1;
        int ncy = sh - patch + 1;
        double[] err = new double[ncx * ncy];
        if (top || left) {
            IntStream.range(0, ncy).parallel().forEach(sy -> {
                for (int sx = 0; sx < ncx; sx++) {
                    double sum = 0;
                    for (int r = 0; r < patch; r++) {
                        int cols = top && r < ov ? patch : left ? ov : 0;
                        if (cols == 0) {
                            break;
                        }
                        int o = ((oy + r) * cw + ox) * 3;
                        int s = ((sy + r) * sw + sx) * 3;
                        for (int k = 0; k < cols * 3; k++) {
                            float d = out[o + k] - smp[s + k];
                            sum += d * d;
                        }
                    }
                    err[sy * ncx + sx] = sum;
                }
            });
        }
        int pick = choose(err, tolerance, rnd);
        int sy = pick / ncx;
        int sx = pick % ncx;
        boolean[][] keepOld = new boolean[patch][patch];
        if (left) {
            double[][] e = new double[patch][ov];
            for (int r = 0; r < patch; r++) {
                for (int k = 0; k < ov; k++) {
                    e[r][k] = diff(out, ((oy + r) * cw + ox + k) * 3, smp, ((sy + r) * sw + sx + k) * 3);
                }
            }
            int[] seam = verticalSeam(e);
            for (int r = 0; r < patch; r++) {
                for (int k = 0; k < seam[r]; k++) {
                    keepOld[r][k] = true;
                }
            }
        }
        if (top) {
            // the horizontal cut is the vertical one through the transposed strip
            double[][] e = new double[patch][ov];
            for (int c = 0; c < patch; c++) {
                for (int k = 0; k < ov; k++) {
                    e[c][k] = diff(out, ((oy + k) * cw + ox + c) * 3, smp, ((sy + k) * sw + sx + c) * 3);
                }
            }
            int[] seam = verticalSeam(e);
            for (int c = 0; c < patch; c++) {
                for (int k = 0; k < seam[c]; k++) {
                    keepOld[k][c] = true;
                }
            }
        }
        for (int r = 0; r < patch; r++) {
            for (int c = 0; c < patch; c++) {
                if (!keepOld[r][c]) {
                    int o = (oy + r) * cw + ox + c;
                    int s = (sy + r) * sw + sx + c;
                    System.arraycopy(smp, s * 3, out, o * 3, 3);
                    source[o] = s;
                }
            }
        }
        return err[pick];
    }

    /** A random index among those whose error is within {@code tolerance} of the smallest. */
    static int choose(double[] err, double tolerance, Random rnd) {
        double min = Double.POSITIVE_INFINITY;
        for (double e : err) {
            min = Math.min(min, e);
        }
        double limit = min * (1 + tolerance);
        int[] good = new int[err.length];
        int n = 0;
        for (int i = 0; i < err.length; i++) {
            if (err[i] <= limit) {
                good[n++] = i;
            }
        }
        return good[rnd.nextInt(n)];
    }

    private static double diff(float[] a, int i, float[] b, int j) {
        double s = 0;
        for (int c = 0; c < 3; c++) {
            double d = a[i + c] - b[j + c];
            s += d * d;
        }
        return s;
    }

    /**
     * The minimum-error boundary cut: for each row of {@code e}, the column of the cheapest top-to-bottom path that
     * moves at most one column per row (dynamic programming over cumulative costs, then a walk back up).
     */
    static int[] verticalSeam(double[][] e) {
        int n = e.length;
        int m = e[0].length;
        double[][] cost = new double[n][];
        cost[0] = e[0].clone();
        for (int r = 1; r < n; r++) {
            cost[r] = new double[m];
            for (int c = 0; c < m; c++) {
                double best = cost[r - 1][c];
                if (c > 0) {
                    best = Math.min(best, cost[r - 1][c - 1]);
                }
                if (c < m - 1) {
                    best = Math.min(best, cost[r - 1][c + 1]);
                }
                cost[r][c] = e[r][c] + best;
            }
        }
        int[] path = new int[n];
        path[n - 1] = argMin(cost[n - 1], 0, m - 1);
        for (int r = n - 2; r >= 0; r--) {
            path[r] = argMin(cost[r], Math.max(0, path[r + 1] - 1), Math.min(m - 1, path[r + 1] + 1));
        }
        return path;
    }

    private static int argMin(double[] v, int from, int to) {
        int b = from;
        for (int i = from + 1; i <= to; i++) {
            if (v[i] < v[b]) {
                b = i;
            }
        }
        return b;
    }
}
