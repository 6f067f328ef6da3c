package dev.neurolens.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.Collection;

/**
 * The attack step of adversarial training (Madry et al., ICLR 2018), shared by the trainers of the robust built-in
 * models: a training batch is replaced by its two-step projected-gradient attack within an L2 ball. Robust models'
 * input gradients follow object shapes, so their class pictures, dreams and inversions look like objects (Santurkar
 * et al., NeurIPS 2019).
 */
public final class AdversarialTraining {
    /** Ends the source of every robust built-in model; {@link Network#label()} repeats it in titles. */
    public static final String NOTE = " (adversarially trained)";

    private AdversarialTraining() {
    }

    /**
     * The normalized batch {@code x} moved by PGD-2 within an L2 ball of {@code epsilon} pixel units around each
     * picture (a random start at half the radius, two steps of 0.75 of it along the normalized gradient, each
     * projected back into the ball; pixels kept in [0, 1]). {@code oneHot} holds the labels. The gradients the attack
     * leaves on {@code params} are zeroed. The network's normalization must use one mean and spread for all channels,
     * so that a ball in pixel units is a ball in the network's units.
     */
    public static NDArray attack(Network net, Collection<NDArray> params, NDArray x, NDArray oneHot, float epsilon) {
        float[] means = net.info().mean();
        float[] stds = net.info().std();
        for (int c = 1; c < means.length; c++) {
            if (means[c] != means[0] || stds[c] != stds[0]) {
                throw new IllegalArgumentException(net.name() + " normalizes its channels differently; the L2 attack "
                        + "needs one mean and spread for all");
            }
        }
        float radius = epsilon / stds[0];
        float lo = -means[0] / stds[0];
        float hi = (1 - means[0]) / stds[0];
        NDManager scope = x.getManager();
        NDArray d = scope.randomNormal(x.getShape());
        d = d.mul(0.5f * radius).div(l2(d));
        for (int k = 0; k < 2; k++) {
            d.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray logits = net.forward(x.add(d).clip(lo, hi), Forward.plain().training(true)).get(Network.OUTPUT);
                gc.backward(logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean());
            }
            NDArray g = d.getGradient();
            NDArray step = d.stopGradient().add(g.mul(0.75f * radius).div(l2(g).add(1e-12f)));
            d = step.mul(l2(step).add(1e-12f).pow(-1f).mul(radius).minimum(1f));
        }
        for (NDArray p : params) {
            Autograd.zeroGradient(p);
        }
        return x.add(d.stopGradient()).clip(lo, hi);
    }

    private static NDArray l2(NDArray batch) {
        return batch.square().sum(new int[] {1, 2, 3}, true).sqrt();
    }
}
