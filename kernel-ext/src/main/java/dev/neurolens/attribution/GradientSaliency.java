package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Gradient;
import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;

/**
 * Vanilla gradient saliency (Simonyan et al. 2014): the gradient of the target score with respect to the
 * input pixels; the map is the largest absolute value over colour channels. One forward and one backward
 * pass for the whole batch.
 */
public final class GradientSaliency implements AttributionMethod {
    private final boolean timesInput;

    private GradientSaliency(boolean timesInput) {
        this.timesInput = timesInput;
    }

    public static GradientSaliency create() {
        return new GradientSaliency(false);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return timesInput ? "gradient x input" : "gradient";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Tensor x = Support.prepare(model, input);
        Target.Resolved t = target.resolve(model, x);
        Tensor g = gradient(model, x, t);
        try (NDManager scope = Support.scope(model)) {
            NDArray ga = g.toNDArray(scope);
            if (timesInput) {
                ga = ga.mul(x.toNDArray(scope));
                g = Tensor.from(ga);
            }
            return Attribution.builder(name(), model, x).maps(Support.maxAbsOverChannels(ga)).perChannel(g)
                    .targets(t.descriptions()).details(new Attribution.TargetLayer(t.layer())).build();
        }
    }

    /** d(score_i)/d(input_i) for every image of the batch, {@code [N, C, H, W]}. */
    static Tensor gradient(Model model, Tensor x, Target.Resolved t) {
        Gradient g = model.gradient(x, t.layer(), t.scalar());
        return g.gradient();
    }

    public static final class Builder {
        private boolean timesInput;

        /** Multiply the gradient by the input (gradient x input) before reducing over channels. */
        public Builder timesInput(boolean on) {
            timesInput = on;
            return this;
        }

        public GradientSaliency build() {
            return new GradientSaliency(timesInput);
        }
    }
}
