package dev.neurolens.attribution;

import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Integrated gradients (Sundararajan et al. 2017): {@code (x - x') * mean over the straight path from the
 * baseline x' to x of the gradient}, by the trapezoid rule over {@code steps} intervals. Completeness says the
 * attributions sum to {@code F(x) - F(x')}; the relative gap is reported as "completeness error" (the largest
 * over the batch), and says when to use more steps. The map is the sum over channels, signed.
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
        int per = x.size() / n;
        long[] s = x.shape();
        float[] xv = x.toFloatArray();
        float[] bv = baselineValues(x, per);
        Target.Resolved t = target.resolve(model, x);
        int points = steps + 1;
        Target.Resolved all = t.repeatEach(points);
        float[] grads = new float[n * per];
        int rows = n * points;
        for (int from = 0; from < rows; from += batchSize) {
            int count = Math.min(batchSize, rows - from);
            float[] chunk = new float[count * per];
            for (int r = 0; r < count; r++) {
                int row = from + r;
                int img = row / points;
                float a = (float) (row % points) / steps;
                for (int p = 0; p < per; p++) {
                    float b = bv[img * per + p];
                    chunk[r * per + p] = b + a * (xv[img * per + p] - b);
                }
            }
            Tensor g = GradientSaliency.gradient(model, Tensor.of(chunk, count, s[1], s[2], s[3]), all.rows(from, count));
            float[] gv = g.toFloatArray();
            for (int r = 0; r < count; r++) {
                int row = from + r;
                int img = row / points;
                int k = row % points;
                float weight = (k == 0 || k == steps ? 0.5f : 1f) / steps;
                for (int p = 0; p < per; p++) {
                    grads[img * per + p] += weight * gv[r * per + p];
                }
            }
        }
        float[] attr = new float[n * per];
        for (int i = 0; i < attr.length; i++) {
            attr[i] = (xv[i] - bv[i]) * grads[i];
        }
        Tensor attributions = Tensor.of(attr, s);
        float[] fx = t.scores(model, x);
        float[] fb = t.scores(model, Tensor.of(bv, s));
        double worst = 0;
        double[] errors = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int p = 0; p < per; p++) {
                sum += attr[i * per + p];
            }
            double delta = fx[i] - fb[i];
            errors[i] = Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-12);
            worst = Math.max(worst, errors[i]);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("completeness error", worst);
        details.put("completeness errors", errors);
        details.put("steps", steps);
        details.put("score gap", fx.length == 1 ? (double) (fx[0] - fb[0]) : Arrays.toString(sub(fx, fb)));
        return new Attribution(name(), model.info().name(), x, model.preprocessing(),
                Support.sumOverChannels(attributions), attributions, t.descriptions(), true, details);
    }

    private static float[] sub(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] - b[i];
        }
        return r;
    }

    private float[] baselineValues(Tensor x, int per) {
        int n = (int) x.dim(0);
        float[] bv = new float[n * per];
        if (baseline == null) {
            Arrays.fill(bv, baselineValue);
            return bv;
        }
        float[] b = baseline.toFloatArray();
        if (b.length == per) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(b, 0, bv, i * per, per);
            }
            return bv;
        }
        if (b.length == n * per) {
            return b;
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
            if (n < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + n);
            }
            steps = n;
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
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + n);
            }
            batchSize = n;
            return this;
        }

        public IntegratedGradients build() {
            return new IntegratedGradients(steps, baseline, baselineValue, batchSize);
        }
    }
}
