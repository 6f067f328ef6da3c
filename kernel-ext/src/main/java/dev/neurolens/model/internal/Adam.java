package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) for the project's own training loops, on named parameters that hold their gradients.
 * The moments live in a long-lived manager; everything else a step computes is moved into the step's scope
 * (results of ops on the moments would otherwise land in their manager and outlive the step: a leak the size of the
 * model per step). Updates run with grad mode off, since in-place changes of leaves that require grad are refused
 * while it is on, and notebook cells run on threads where it is on.
 */
public final class Adam {
    private final NDManager state;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int t;

    /** Moments are kept in {@code state}; {@code lr}, betas as in torch.optim.Adam, eps 1e-8. */
    public Adam(NDManager state, double lr, double beta1, double beta2) {
        this.state = state;
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
    }

    /** Betas 0.9 and 0.999. */
    public Adam(NDManager state, double lr) {
        this(state, lr, 0.9, 0.999);
    }

    /** One update of every parameter from its gradient, which is then zeroed; temporaries die with {@code scope}. */
    public void step(Map<String, NDArray> params, NDManager scope) {
        step(params, scope, lr);
    }

    /** {@link #step(Map, NDManager)} at another learning rate (schedules). */
    public void step(Map<String, NDArray> params, NDManager scope, double learningRate) {
        t++;
        float lr = (float) learningRate;
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            update(params, scope, lr);
        } finally {
            JniUtils.setGradMode(mode);
        }
    }

    private void update(Map<String, NDArray> params, NDManager scope, float lr) {
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        for (var e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            g.attach(scope);
            NDArray[] mv = moments.computeIfAbsent(e.getKey(),
                    k -> new NDArray[] {state.zeros(p.getShape()), state.zeros(p.getShape())});
            mv[0].muli(beta1).addi(g.mul(1 - beta1));
            mv[1].muli(beta2).addi(g.square().mul(1 - beta2));
            NDArray mHat = mv[0].div(c1);
            mHat.attach(scope);
            NDArray vHat = mv[1].div(c2);
            vHat.attach(scope);
            p.subi(mHat.div(vHat.sqrt().add(1e-8f)).mul(lr));
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }
}
