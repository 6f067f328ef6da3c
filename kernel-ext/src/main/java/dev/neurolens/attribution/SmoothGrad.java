package dev.neurolens.attribution;

import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * SmoothGrad (Smilkov et al. 2017): the vanilla saliency map averaged over {@code samples} noisy copies of the
 * input, noise Gaussian with standard deviation {@code noise * (max - min)} of each image. The copies run in
 * batches of {@code batchSize}, not one pass each.
 */
public final class SmoothGrad implements AttributionMethod {
    private final int samples;
    private final double noise;
    private final long seed;
    private final int batchSize;

    private SmoothGrad(int samples, double noise, long seed, int batchSize) {
        this.samples = samples;
        this.noise = noise;
        this.seed = seed;
        this.batchSize = batchSize;
    }

    public static SmoothGrad create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "smoothgrad";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Tensor x = Support.prepare(model, input);
        // the same draws for every image, so an image's map does not depend on its place in the batch
        Random random = new Random(seed);
        int n = (int) x.dim(0);
        int per = x.size() / n;
        float[] one = new float[samples * per];
        for (int i = 0; i < one.length; i++) {
            one[i] = (float) random.nextGaussian();
        }
        float[] eps = new float[n * one.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(one, 0, eps, i * one.length, one.length);
        }
        long[] s = x.shape();
        return attribute(model, x, target, Tensor.of(eps, s[0] * samples, s[1], s[2], s[3]));
    }

    /**
     * With given standard-normal noise {@code [N * samples, C, H, W]} (image i's copies are rows
     * {@code i*samples .. i*samples+samples-1}); the noise is scaled by {@code noise * (max - min)} of each image.
     */
    public Attribution attribute(Model model, Tensor input, Target target, Tensor standardNoise) {
        Tensor x = Support.prepare(model, input);
        int n = (int) x.dim(0);
        int k = (int) (standardNoise.dim(0) / n);
        if (standardNoise.dim(0) != (long) n * k || k == 0 || standardNoise.size() != x.size() * k) {
            throw new IllegalArgumentException("noise must be [N * samples, C, H, W] for input "
                    + java.util.Arrays.toString(x.shape()) + "; got " + java.util.Arrays.toString(standardNoise.shape()));
        }
        Target.Resolved t = target.resolve(model, x);
        Target.Resolved all = t.repeatEach(k);
        int per = x.size() / n;
        float[] xv = x.toFloatArray();
        float[] ev = standardNoise.toFloatArray();
        float[] noisy = new float[ev.length];
        for (int i = 0; i < n; i++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < per; p++) {
                lo = Math.min(lo, xv[i * per + p]);
                hi = Math.max(hi, xv[i * per + p]);
            }
            float sigma = (float) (noise * (hi - lo));
            for (int j = 0; j < k; j++) {
                int row = (i * k + j) * per;
                for (int p = 0; p < per; p++) {
                    noisy[row + p] = xv[i * per + p] + sigma * ev[row + p];
                }
            }
        }
        long[] s = x.shape();
        int h = (int) s[2];
        int w = (int) s[3];
        float[][][] maps = new float[n][h][w];
        int rows = n * k;
        for (int from = 0; from < rows; from += batchSize) {
            int count = Math.min(batchSize, rows - from);
            float[] chunk = java.util.Arrays.copyOfRange(noisy, from * per, (from + count) * per);
            Tensor g = GradientSaliency.gradient(model, Tensor.of(chunk, count, s[1], h, w), all.rows(from, count));
            float[][][] m = Support.maxAbsOverChannels(g);
            for (int r = 0; r < count; r++) {
                float[][] dst = maps[(from + r) / k];
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        dst[yy][xx] += m[r][yy][xx] / k;
                    }
                }
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("samples", k);
        details.put("noise", noise);
        details.put("layer", t.layer());
        return new Attribution(name(), model.info().name(), x, model.preprocessing(), maps, null, t.descriptions(),
                false, details);
    }

    public static final class Builder {
        private int samples = 25;
        private double noise = 0.15;
        private long seed = 0;
        private int batchSize = 32;

        /** Number of noisy copies per image (25 by default). */
        public Builder samples(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("samples must be >= 1, got " + n);
            }
            samples = n;
            return this;
        }

        /** Noise standard deviation as a fraction of each image's value range (0.15 by default). */
        public Builder noise(double level) {
            if (!(level >= 0)) {
                throw new IllegalArgumentException("noise must be >= 0, got " + level);
            }
            noise = level;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** Noisy copies per forward/backward pass. */
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + n);
            }
            batchSize = n;
            return this;
        }

        public SmoothGrad build() {
            return new SmoothGrad(samples, noise, seed, batchSize);
        }
    }
}
