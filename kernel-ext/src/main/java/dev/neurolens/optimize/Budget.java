package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;

import java.util.Locale;

/**
 * How far an adversarial perturbation may move a picture: an L∞ or L2 ball of radius {@code eps} around the original,
 * in pixel units (the picture scaled to [0, 1], before the network's mean/std normalization), or no limit. A value;
 * {@link FoolingImage} projects onto it after every step.
 *
 * <pre>{@code Budget.linf(8 / 255.0)   Budget.l2(1.5)   Budget.none()}</pre>
 */
public record Budget(Norm norm, double eps) {

    public enum Norm { LINF, L2, NONE }

    public Budget {
        if (norm == null) {
            throw new IllegalArgumentException("norm is null; use Budget.linf(eps), Budget.l2(eps) or Budget.none()");
        }
        if (norm != Norm.NONE && !(eps > 0 && Double.isFinite(eps))) {
            throw new IllegalArgumentException("a perturbation budget needs a finite eps > 0 in pixel units [0, 1] "
                    + "(8/255 is the usual L∞ budget), got " + eps + "; Budget.none() sets no limit");
        }
    }

    /** Every pixel moves by at most {@code eps}. */
    public static Budget linf(double eps) {
        return new Budget(Norm.LINF, eps);
    }

    /** The perturbation's Euclidean length over all pixels and channels is at most {@code eps}. */
    public static Budget l2(double eps) {
        return new Budget(Norm.L2, eps);
    }

    /** No limit but the valid pixel range. */
    public static Budget none() {
        return new Budget(Norm.NONE, Double.POSITIVE_INFINITY);
    }

    public boolean limited() {
        return norm != Norm.NONE;
    }

    /**
     * A steepest-ascent step of length {@code size} for gradient {@code g} of a loss to lower, in this norm: the
     * sign of the gradient for L∞ (the fast gradient sign step), the gradient scaled to Euclidean length
     * {@code size} for L2. To subtract from the perturbation.
     */
    NDArray step(NDArray g, double size) {
        return switch (norm) {
            case LINF -> g.sign().mul((float) size);
            case L2, NONE -> g.mul((float) (size / (Math.sqrt(g.square().sum().getFloat()) + 1e-12)));
        };
    }

    /** The nearest perturbation inside the ball (clipping for L∞, rescaling for L2). */
    NDArray project(NDArray delta) {
        return switch (norm) {
            case LINF -> delta.clip(-eps, eps);
            case L2 -> {
                double n = Math.sqrt(delta.square().sum().getFloat());
                yield n > eps ? delta.mul((float) (eps / n)) : delta;
            }
            case NONE -> delta;
        };
    }

    /** An L∞ eps as k/255 when it is one, which is how the literature states those budgets. */
    @Override
    public String toString() {
        if (norm == Norm.NONE) {
            return "no budget";
        }
        if (norm == Norm.L2) {
            return String.format(Locale.ROOT, "L2 ≤ %.3g", eps);
        }
        double k = eps * 255;
        return "L∞ ≤ " + (Math.abs(k - Math.rint(k)) < 1e-9 ? (long) Math.rint(k) + "/255"
                : String.format(Locale.ROOT, "%.3g", eps));
    }
}
