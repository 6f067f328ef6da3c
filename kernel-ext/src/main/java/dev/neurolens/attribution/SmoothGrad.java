package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;

import java.util.Arrays;
import java.util.Random;

/**
 * SmoothGrad (Smilkov et al. 2017): a method's maps averaged over {@code samples} noisy copies of the input,
 * noise Gaussian with standard deviation {@code noise * (max - min)} of each image. It wraps any method, as
 * Captum's NoiseTunnel does ({@code SmoothGrad.of(IntegratedGradients.create())}); {@link #create()} wraps the
 * vanilla gradient. The copies run in batches of {@code batchSize}, not one pass each, all explaining the
 * target as resolved on the clean input.
 */
public final class SmoothGrad implements AttributionMethod {
    private final AttributionMethod method;
    private final int samples;
    private final double noise;
    private final long seed;
    private final int batchSize;

    private SmoothGrad(AttributionMethod method, int samples, double noise, long seed, int batchSize) {
        this.method = method;
        this.samples = samples;
        this.noise = noise;
        this.seed = seed;
        this.batchSize = batchSize;
    }

    /** SmoothGrad of the vanilla gradient, default options. */
    public static SmoothGrad create() {
        return builder().build();
    }

    /** SmoothGrad of {@code method}, default options. */
    public static SmoothGrad of(AttributionMethod method) {
        return builder().method(method).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return method instanceof GradientSaliency g && g.name().equals("gradient") ? "smoothgrad"
                : "smoothgrad (" + method.name() + ")";
    }

    /** The method whose maps are averaged. */
    public AttributionMethod method() {
        return method;
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
        long[] s = x.shape();
        try (NDManager scope = Support.scope(model)) {
            NDArray draws = scope.create(one, new Shape(1, (long) samples * per)).repeat(0, n);
            return attribute(model, x, target, Tensor.from(draws.reshape(s[0] * samples, s[1], s[2], s[3])));
        }
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
                    + Arrays.toString(x.shape()) + "; got " + Arrays.toString(standardNoise.shape()));
        }
        Target.Resolved t = target.resolve(model, x);
        Target.Resolved all = t.repeatEach(k);
        int rows = n * k;
        try (NDManager scope = Support.scope(model)) {
            NDArray xa = x.toNDArray(scope);
            NDArray flat = xa.reshape(n, -1);
            float[] lo = flat.min(new int[] {1}).toFloatArray();
            float[] hi = flat.max(new int[] {1}).toFloatArray();
            long[] img = new long[rows];
            float[] sigma = new float[rows];
            for (int r = 0; r < rows; r++) {
                img[r] = r / k;
                sigma[r] = (float) (noise * (hi[r / k] - lo[r / k]));
            }
            NDArray eps = standardNoise.toNDArray(scope).reshape(new Shape(rows).addAll(xa.getShape().slice(1)));
            NDArray noisy = xa.get(scope.create(img)).add(eps.mul(scope.create(sigma).reshape(rows, 1, 1, 1)));
            // per image, the mean of its copies' maps, added copy by copy in order
            NDArray[] maps = new NDArray[n];
            for (int from = 0; from < rows; from += batchSize) {
                int count = Math.min(batchSize, rows - from);
                NDArray chunk = noisy.get(from + ":" + (from + count));
                Target copies = Target.resolved(all.rows(from, count));
                NDArray m = method.attribute(model, Tensor.from(chunk), copies).maps().toNDArray(scope);
                for (int r = 0; r < count; r++) {
                    int i = (from + r) / k;
                    NDArray part = m.get(r).div(k);
                    maps[i] = maps[i] == null ? part : maps[i].add(part);
                }
            }
            return Attribution.builder(name(), model, x).maps(NDArrays.stack(new NDList(maps)))
                    .targets(t.descriptions()).details(new Details(k, noise, t.layer())).build();
        }
    }

    /** What SmoothGrad reports besides its maps: copies per image, noise level and the target's layer. */
    public record Details(int samples, double noise, String layer) implements Attribution.Details {
        @Override
        public String summary() {
            return Attribution.Details.format("samples", samples, "noise", noise, "layer", layer);
        }
    }

    public static final class Builder {
        private AttributionMethod method = GradientSaliency.create();
        private int samples = 25;
        private double noise = 0.15;
        private long seed = 0;
        private int batchSize = 32;

        /** Number of noisy copies per image (25 by default). */
        public Builder samples(int n) {
            samples = Check.atLeastOne("samples", n);
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
            batchSize = Check.atLeastOne("batchSize", n);
            return this;
        }

        /** The method whose maps are averaged (the vanilla gradient by default). */
        public Builder method(AttributionMethod m) {
            method = java.util.Objects.requireNonNull(m, "method");
            return this;
        }

        public SmoothGrad build() {
            return new SmoothGrad(method, samples, noise, seed, batchSize);
        }
    }
}
