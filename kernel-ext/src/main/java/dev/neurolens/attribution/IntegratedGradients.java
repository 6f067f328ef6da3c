package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;

import java.util.Arrays;

/**
 * Integrated gradients (Sundararajan et al. 2017): {@code (x - x') * mean over the straight path from the
 * baseline x' to x of the gradient}, by the trapezoid rule over {@code steps} intervals. Completeness says the
 * attributions sum to {@code F(x) - F(x')}; the relative gap is reported as {@link Details#completenessError()} (the
 * largest over the batch), and says when to use more steps. The map is the sum over channels, signed.
 */
public final class IntegratedGradients implements AttributionMethod {
    private final int steps;
    private final Tensor baseline;
    private final float baselineValue;
    private final int batchSize;

    private IntegratedGradients(int steps, Tensor baseline, float baselineValue, int batchSize) {
        this.steps = steps;
        this.baseline = baseline;
        this.baselineValue = baselineValue;
        this.batchSize = batchSize;
    }

    public static IntegratedGradients create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "integrated gradients";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Tensor x = Support.prepare(model, input);
        int n = (int) x.dim(0);
        Target.Resolved t = target.resolve(model, x);
        int points = steps + 1;
        Target.Resolved all = t.repeatEach(points);
        int rows = n * points;
        try (NDManager scope = Support.scope(model)) {
            NDArray xa = x.toNDArray(scope);
            NDArray base = baseline(scope, x);
            NDArray diff = xa.sub(base);
            // per image, the trapezoid sum of the path's gradients, added row by row in path order
            NDArray[] sums = new NDArray[n];
            for (int i = 0; i < n; i++) {
                sums[i] = scope.zeros(diff.getShape().slice(1));
            }
            for (int from = 0; from < rows; from += batchSize) {
                int count = Math.min(batchSize, rows - from);
                long[] img = new long[count];
                float[] alpha = new float[count];
                for (int r = 0; r < count; r++) {
                    img[r] = (from + r) / points;
                    alpha[r] = (float) ((from + r) % points) / steps;
                }
                NDArray which = scope.create(img);
                NDArray path = base.get(which).add(diff.get(which).mul(scope.create(alpha).reshape(count, 1, 1, 1)));
                NDArray g = GradientSaliency.gradient(model, Tensor.from(path), all.rows(from, count))
                        .toNDArray(scope);
                for (int r = 0; r < count; r++) {
                    int k = (from + r) % points;
                    float weight = (k == 0 || k == steps ? 0.5f : 1f) / steps;
                    sums[(int) img[r]] = sums[(int) img[r]].add(g.get(r).mul(weight));
                }
            }
            NDArray attr = diff.mul(NDArrays.stack(new NDList(sums)));
            float[] fx = t.scores(model, x);
            float[] fb = t.scores(model, Tensor.from(base));
            double[] sum = attr.reshape(n, -1).toType(DataType.FLOAT64, false).sum(new int[] {1}).toDoubleArray();
            double[] errors = new double[n];
            float[] gaps = new float[n];
            for (int i = 0; i < n; i++) {
                gaps[i] = fx[i] - fb[i];
                double delta = fx[i] - fb[i];
                errors[i] = Math.abs(sum[i] - delta) / Math.max(Math.abs(delta), 1e-12);
            }
            return Attribution.builder(name(), model, x).maps(Support.sumOverChannels(attr))
                    .perChannel(Tensor.from(attr)).targets(t.descriptions()).signed(true)
                    .details(new Details(errors, steps, gaps)).build();
        }
    }

    /**
     * What integrated gradients reports besides its maps: per image the completeness error (the relative gap
     * between the attributions' sum and {@code F(x) - F(x')}) and that score gap, and the number of steps.
     */
    public record Details(double[] completenessErrors, int steps, float[] scoreGaps) implements Attribution.Details {
        /** The largest completeness error over the batch. */
        public double completenessError() {
            return Arrays.stream(completenessErrors).max().orElse(0);
        }

        @Override
        public double[] completenessErrors() {
            return completenessErrors.clone();
        }

        @Override
        public float[] scoreGaps() {
            return scoreGaps.clone();
        }

        @Override
        public String summary() {
            return Attribution.Details.format("completeness error", completenessError(), "steps", steps,
                    "score gap", scoreGaps.length == 1 ? (Object) (double) scoreGaps[0] : Arrays.toString(scoreGaps));
        }
    }

    /** The baseline for every image of {@code x}, {@code [N, C, H, W]}. */
    private NDArray baseline(NDManager scope, Tensor x) {
        Shape shape = new Shape(x.shape());
        if (baseline == null) {
            return scope.full(shape, baselineValue);
        }
        long per = shape.size() / shape.get(0);
        if (baseline.size() == per) {
            return baseline.toNDArray(scope).reshape(shape.slice(1)).expandDims(0).repeat(0, shape.get(0));
        }
        if (baseline.size() == shape.size()) {
            return baseline.toNDArray(scope).reshape(shape);
        }
        throw new IllegalArgumentException("baseline has shape " + Arrays.toString(baseline.shape())
                + "; it must match one image [C, H, W] or the batch " + Arrays.toString(x.shape()));
    }

    public static final class Builder {
        private int steps = 64;
        private Tensor baseline;
        private float baselineValue;
        private int batchSize = 32;

        /** Trapezoid intervals along the path (64 by default); more steps, smaller completeness error. */
        public Builder steps(int n) {
            steps = Check.atLeastOne("steps", n);
            return this;
        }

        /** A baseline image (one [C, H, W] or [1, C, H, W] for all, or one per image), in model input space. */
        public Builder baseline(Tensor b) {
            baseline = b;
            return this;
        }

        /** A constant baseline in model input space (0 by default: the mean colour for normalized inputs). */
        public Builder baseline(float value) {
            baseline = null;
            baselineValue = value;
            return this;
        }

        public Builder batchSize(int n) {
            batchSize = Check.atLeastOne("batchSize", n);
            return this;
        }

        public IntegratedGradients build() {
            return new IntegratedGradients(steps, baseline, baselineValue, batchSize);
        }
    }
}
