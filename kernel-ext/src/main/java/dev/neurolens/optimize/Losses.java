package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The loss functions of feature inversion and neural style, on native arrays and differentiable. All are
 * means, so the same weights work at any image size:
 * <ul>
 * <li>Gram matrix {@code G = F Fᵀ / (C·H·W)} of features {@code F [N, C, H, W]}, shape {@code [N, C, C]};</li>
 * <li>content loss {@code mean((F − P)²)};</li>
 * <li>style loss {@code mean((G(F) − A)²)} against a target Gram matrix {@code A};</li>
 * <li>total variation {@code mean((x[i+1,j] − x[i,j])²) + mean((x[i,j+1] − x[i,j])²)};</li>
 * <li>L2 {@code mean(x²)}.</li>
 * </ul>
 * The python oracle in the tests computes the same formulas with torch.
 */
public final class Losses {
    private Losses() {
    }

    /** Gram matrices of a batch of feature maps: {@code [N, C, H, W] -> [N, C, C]}, divided by C·H·W. */
    public static NDArray gram(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("a Gram matrix needs features [N, C, H, W]; got " + s);
        }
        long n = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray f = features.reshape(n, c, hw);
        return f.batchMatMul(f.transpose(0, 2, 1)).div((float) (c * hw));
    }

    /** Mean squared difference between features and the target features (broadcast over the batch). */
    public static NDArray content(NDArray features, NDArray target) {
        return features.sub(target).square().mean();
    }

    /** Mean squared difference between the features' Gram matrices and a target Gram matrix {@code [1 or N, C, C]}. */
    public static NDArray style(NDArray features, NDArray targetGram) {
        return gram(features).sub(targetGram).square().mean();
    }

    /** Squared total variation: mean squared difference of vertical plus horizontal neighbours. */
    public static NDArray tv(NDArray image) {
        NDArray dy = image.get(new NDIndex(":, :, 1:, :")).sub(image.get(new NDIndex(":, :, :-1, :")));
        NDArray dx = image.get(new NDIndex(":, :, :, 1:")).sub(image.get(new NDIndex(":, :, :, :-1")));
        return dy.square().mean().add(dx.square().mean());
    }

    /** Mean of squares. */
    public static NDArray l2(NDArray x) {
        return x.square().mean();
    }
}
