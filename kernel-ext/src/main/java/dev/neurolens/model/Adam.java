package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.internal.Torch;

import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015), the project's one implementation: the trainers step named parameters that hold their
 * gradients ({@link #step(Map, NDManager)}), the render loop a single array ({@link #next}). The update is
 * {@code p - lr * m̂ / (sqrt(v̂) + 1e-8)} with bias-corrected moments, as torch.optim.Adam.
 *
 * <p>The moments live in a long-lived manager; everything else a step computes is moved into the step's scope
 * (results of ops on the moments would otherwise land in their manager and outlive the step: a leak the size of the
 * model per step).
 */
public final class Adam {
    /** eps of torch.optim.Adam, added after the square root. */
    private static final float EPS = 1e-8f;

    /**
     * How the coefficients are rounded to the float32 the update runs in. Both are kept so every result made so far
     * (the jar's weights, the figures) reproduces bit for bit.
     */
    public enum Rounding {
        /** β rounded to float32 first, then 1 - β in float32 and β^t from the rounded β: the trainers' rounding. */
        FLOAT_BETAS,
        /** 1 - β and β^t in double, then rounded, as torch.optim.Adam does: the render loop's rounding. */
        DOUBLE_BETAS
    }

    private final NDManager state;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float oneMinusBeta1;
    private final float oneMinusBeta2;
    private final double powBase1;
    private final double powBase2;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int t;

    /** Moments are kept in {@code state}; {@code lr} and betas as in torch.optim.Adam, eps 1e-8. */
    public Adam(NDManager state, double lr, double beta1, double beta2, Rounding rounding) {
        this.state = state;
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        if (rounding == Rounding.FLOAT_BETAS) {
            this.oneMinusBeta1 = 1 - this.beta1;
            this.oneMinusBeta2 = 1 - this.beta2;
            this.powBase1 = this.beta1;
            this.powBase2 = this.beta2;
        } else {
            this.oneMinusBeta1 = (float) (1 - beta1);
            this.oneMinusBeta2 = (float) (1 - beta2);
            this.powBase1 = beta1;
            this.powBase2 = beta2;
        }
    }

    /** {@link Rounding#FLOAT_BETAS}, the trainers' rounding. */
    public Adam(NDManager state, double lr, double beta1, double beta2) {
        this(state, lr, beta1, beta2, Rounding.FLOAT_BETAS);
    }

    /** Betas 0.9 and 0.999. */
    public Adam(NDManager state, double lr) {
        this(state, lr, 0.9, 0.999);
    }

    /**
     * One update of every parameter in place from its gradient, which is then zeroed; temporaries die with
     * {@code scope}. Runs with grad mode off, since in-place changes of leaves that require grad are refused while
     * it is on, and notebook cells run on threads where it is on.
     */
    public void step(Map<String, NDArray> params, NDManager scope) {
        step(params, scope, lr);
    }

    /** {@link #step(Map, NDManager)} at another learning rate (schedules). */
    public void step(Map<String, NDArray> params, NDManager scope, double learningRate) {
        t++;
        float rate = (float) learningRate;
        Torch.withoutGradients(() -> {
            for (var e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = p.getGradient();
                g.attach(scope);
                p.subi(update(e.getKey(), g, scope, rate));
                Torch.zeroGradient(p);
            }
            return null;
        });
    }

    /**
     * The next value of one array {@code x} given its gradient, as a new array in {@code x}'s manager; {@code x} and
     * {@code gradient} are left as they are, and so is grad mode. Keep one instance per array.
     */
    public NDArray next(NDArray x, NDArray gradient) {
        t++;
        try (NDManager temporaries = x.getManager().newSubManager()) {
            return x.sub(update("", gradient, temporaries, lr));
        }
    }

    /** {@code lr * m̂ / (sqrt(v̂) + eps)} after updating the moments of {@code key}, in {@code scope}. */
    private NDArray update(String key, NDArray g, NDManager scope, float rate) {
        float c1 = (float) (1 - Math.pow(powBase1, t));
        float c2 = (float) (1 - Math.pow(powBase2, t));
        NDArray[] mv = moments.computeIfAbsent(key,
                k -> new NDArray[] {state.zeros(g.getShape()), state.zeros(g.getShape())});
        mv[0].muli(beta1).addi(g.mul(oneMinusBeta1));
        mv[1].muli(beta2).addi(g.square().mul(oneMinusBeta2));
        NDArray mHat = mv[0].div(c1);
        mHat.attach(scope);
        NDArray vHat = mv[1].div(c2);
        vHat.attach(scope);
        return mHat.div(vHat.sqrt().add(EPS)).mul(rate);
    }
}
