package dev.neurolens.attribution;

import boofcv.abst.segmentation.ImageSuperpixels;
import boofcv.factory.segmentation.ConfigSlic;
import boofcv.factory.segmentation.FactoryImageSegmentation;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.ImageType;
import boofcv.struct.image.Planar;
import dev.neurolens.display.Images;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Saliency-based segmentation (Simonyan et al. 2014, section 3.1): turn a saliency map into a foreground mask.
 * The map is smoothed and thresholded (Otsu, or a quantile); then, GrabCut-style, the picture is cut into
 * BoofCV SLIC superpixels and each superpixel is labelled foreground or background by a colour model of the
 * two sides (a Gaussian per side, refit every iteration), the saliency prior, and its neighbours' labels.
 *
 * <pre>{@code SaliencySegmentation.create().segment(GradientSaliency.create().attribute(model, image))}</pre>
 */
public final class SaliencySegmentation {
    private final double quantile;
    private final int superpixels;
    private final int iterations;
    private final double saliencyWeight;
    private final double smoothness;

    private SaliencySegmentation(double quantile, int superpixels, int iterations, double saliencyWeight,
                                 double smoothness) {
        this.quantile = quantile;
        this.superpixels = superpixels;
        this.iterations = iterations;
        this.saliencyWeight = saliencyWeight;
        this.smoothness = smoothness;
    }

    public static SaliencySegmentation create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first image of an attribution and its map. */
    public Segmentation segment(Attribution a) {
        return segment(a, 0);
    }

    public Segmentation segment(Attribution a, int i) {
        float[][] m = a.map(i);
        if (a.signed()) {
            for (float[] row : m) {
                for (int x = 0; x < row.length; x++) {
                    row[x] = Math.max(0, row[x]);
                }
            }
        }
        return segment(a.image(i), m, a.method());
    }

    /** Any picture with a saliency map of any size (resized to the picture). */
    public Segmentation segment(BufferedImage picture, float[][] saliency, String method) {
        // small pictures (28 px Fashion-MNIST) are enlarged so superpixels have room
        int factor = Math.max(1, (int) Math.ceil(112.0 / Math.min(picture.getWidth(), picture.getHeight())));
        int w = picture.getWidth() * factor;
        int h = picture.getHeight() * factor;
        BufferedImage image = factor == 1 ? picture : Images.resize(picture, w, h, true);
        float[][] sal = smooth(normalized(Images.resizeBilinear(saliency, h, w)), Math.max(1, Math.min(w, h) / 40));
        double threshold = quantile > 0 ? quantileOf(sal, quantile) : otsu(sal);
        boolean[][] initial = new boolean[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                initial[y][x] = sal[y][x] >= threshold;
            }
        }
        Planar<GrayF32> planar = new Planar<>(GrayF32.class, w, h, 3);
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            planar.getBand(0).data[i] = (rgb[i] >> 16) & 0xFF;
            planar.getBand(1).data[i] = (rgb[i] >> 8) & 0xFF;
            planar.getBand(2).data[i] = rgb[i] & 0xFF;
        }
        ImageSuperpixels<Planar<GrayF32>> slic = FactoryImageSegmentation.slic(new ConfigSlic(superpixels),
                ImageType.pl(3, GrayF32.class));
        GrayS32 labels = new GrayS32(w, h);
        slic.segment(planar, labels);
        int k = slic.getTotalSuperpixels();
        double[][] color = new double[k][3];
        double[] salMean = new double[k];
        int[] size = new int[k];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int l = labels.get(x, y);
                int p = rgb[y * w + x];
                color[l][0] += (p >> 16) & 0xFF;
                color[l][1] += (p >> 8) & 0xFF;
                color[l][2] += p & 0xFF;
                salMean[l] += sal[y][x];
                size[l]++;
            }
        }
        List<Set<Integer>> neighbours = new ArrayList<>();
        for (int l = 0; l < k; l++) {
            neighbours.add(new HashSet<>());
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int l = labels.get(x, y);
                if (x + 1 < w && labels.get(x + 1, y) != l) {
                    neighbours.get(l).add(labels.get(x + 1, y));
                    neighbours.get(labels.get(x + 1, y)).add(l);
                }
                if (y + 1 < h && labels.get(x, y + 1) != l) {
                    neighbours.get(l).add(labels.get(x, y + 1));
                    neighbours.get(labels.get(x, y + 1)).add(l);
                }
            }
        }
        boolean[] fg = new boolean[k];
        for (int l = 0; l < k; l++) {
            if (size[l] > 0) {
                for (int c = 0; c < 3; c++) {
                    color[l][c] /= size[l];
                }
                salMean[l] /= size[l];
                fg[l] = salMean[l] >= threshold;
            }
        }
        for (int it = 0; it < iterations; it++) {
            double[][] model = colourModel(color, size, fg);
            boolean[] next = new boolean[k];
            for (int l = 0; l < k; l++) {
                if (size[l] == 0) {
                    continue;
                }
                double colourEvidence = logLikelihood(model, true, color[l]) - logLikelihood(model, false, color[l]);
                double prior = saliencyWeight * (salMean[l] - threshold) / Math.max(1e-6, threshold);
                int fgNeighbours = 0;
                for (int nb : neighbours.get(l)) {
                    if (fg[nb]) {
                        fgNeighbours++;
                    }
                }
                double agreement = neighbours.get(l).isEmpty() ? 0
                        : smoothness * (2.0 * fgNeighbours / neighbours.get(l).size() - 1);
                next[l] = Math.max(-20, Math.min(20, colourEvidence)) + prior + agreement > 0;
            }
            fg = next;
        }
        boolean[][] mask = new boolean[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                mask[y][x] = fg[labels.get(x, y)];
            }
        }
        return new Segmentation(image, sal, initial, mask, method, k);
    }

    /** Per side: mean and variance of each colour channel (rows 0..5 foreground, 6..11 background). */
    private static double[][] colourModel(double[][] color, int[] size, boolean[] fg) {
        double[][] m = new double[2][6];
        double[] n = new double[2];
        for (int l = 0; l < color.length; l++) {
            int side = fg[l] ? 0 : 1;
            n[side] += size[l];
            for (int c = 0; c < 3; c++) {
                m[side][c] += color[l][c] * size[l];
            }
        }
        for (int s = 0; s < 2; s++) {
            for (int c = 0; c < 3; c++) {
                m[s][c] /= Math.max(1, n[s]);
            }
        }
        for (int l = 0; l < color.length; l++) {
            int side = fg[l] ? 0 : 1;
            for (int c = 0; c < 3; c++) {
                double d = color[l][c] - m[side][c];
                m[side][3 + c] += d * d * size[l];
            }
        }
        for (int s = 0; s < 2; s++) {
            for (int c = 0; c < 3; c++) {
                // a floor keeps a one-colour side from claiming everything near its colour with certainty
                m[s][3 + c] = m[s][3 + c] / Math.max(1, n[s]) + 100;
            }
        }
        return m;
    }

    private static double logLikelihood(double[][] model, boolean foreground, double[] c) {
        double[] m = model[foreground ? 0 : 1];
        double ll = 0;
        for (int i = 0; i < 3; i++) {
            double d = c[i] - m[i];
            ll += -0.5 * d * d / m[3 + i] - 0.5 * Math.log(m[3 + i]);
        }
        return ll;
    }

    static float[][] normalized(float[][] m) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float[] row : m) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        float[][] out = new float[m.length][m[0].length];
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                out[y][x] = hi > lo ? (m[y][x] - lo) / (hi - lo) : 0;
            }
        }
        return out;
    }

    /** Two passes of a box blur of the given radius (close to a Gaussian). */
    static float[][] smooth(float[][] m, int r) {
        float[][] a = m;
        for (int pass = 0; pass < 2; pass++) {
            a = boxRows(a, r);
            a = transpose(boxRows(transpose(a), r));
        }
        return a;
    }

    private static float[][] boxRows(float[][] m, int r) {
        int h = m.length;
        int w = m[0].length;
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                int n = 0;
                for (int d = -r; d <= r; d++) {
                    int xx = x + d;
                    if (xx >= 0 && xx < w) {
                        s += m[y][xx];
                        n++;
                    }
                }
                out[y][x] = (float) (s / n);
            }
        }
        return out;
    }

    private static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                t[x][y] = m[y][x];
            }
        }
        return t;
    }

    static double quantileOf(float[][] m, double q) {
        float[] v = new float[m.length * m[0].length];
        int k = 0;
        for (float[] row : m) {
            for (float f : row) {
                v[k++] = f;
            }
        }
        java.util.Arrays.sort(v);
        return v[Math.min(v.length - 1, (int) Math.floor(q * v.length))];
    }

    /** Otsu's threshold on values in [0, 1] (256 bins). */
    static double otsu(float[][] m) {
        int[] hist = new int[256];
        int total = 0;
        for (float[] row : m) {
            for (float v : row) {
                hist[Math.min(255, Math.max(0, (int) (v * 255)))]++;
                total++;
            }
        }
        double sumAll = 0;
        for (int i = 0; i < 256; i++) {
            sumAll += i * (double) hist[i];
        }
        double sumB = 0;
        int wB = 0;
        double best = -1;
        int bestT = 128;
        for (int t = 0; t < 256; t++) {
            wB += hist[t];
            if (wB == 0) {
                continue;
            }
            int wF = total - wB;
            if (wF == 0) {
                break;
            }
            sumB += t * (double) hist[t];
            double mB = sumB / wB;
            double mF = (sumAll - sumB) / wF;
            double between = (double) wB * wF * (mB - mF) * (mB - mF);
            if (between > best) {
                best = between;
                bestT = t;
            }
        }
        return (bestT + 1) / 255.0;
    }

    public static final class Builder {
        private double quantile;
        private int superpixels = 300;
        private int iterations = 5;
        private double saliencyWeight = 2;
        private double smoothness = 1;

        /** Threshold at this quantile of the smoothed map (e.g. 0.8 keeps the top 20%); Otsu by default. */
        public Builder quantile(double q) {
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("quantile must be in (0, 1), got " + q);
            }
            quantile = q;
            return this;
        }

        /** About how many SLIC superpixels (300 by default). */
        public Builder superpixels(int n) {
            superpixels = n;
            return this;
        }

        /** Colour-model refinement rounds (5 by default; 0 keeps the thresholded saliency per superpixel). */
        public Builder iterations(int n) {
            iterations = n;
            return this;
        }

        /** Weight of the saliency prior against the colour evidence (2 by default). */
        public Builder saliencyWeight(double w) {
            saliencyWeight = w;
            return this;
        }

        /** Weight of agreeing with neighbouring superpixels (1 by default). */
        public Builder smoothness(double s) {
            smoothness = s;
            return this;
        }

        public SaliencySegmentation build() {
            return new SaliencySegmentation(quantile, superpixels, iterations, saliencyWeight, smoothness);
        }
    }
}
