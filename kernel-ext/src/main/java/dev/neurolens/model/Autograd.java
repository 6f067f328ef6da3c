package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import dev.neurolens.model.internal.Torch;

import java.util.function.Supplier;

/**
 * The autograd controls DJL's NDArray API does not offer: recording off for a block, a backward pass that keeps
 * the graph for another, and zeroing a leaf's gradient.
 */
public final class Autograd {
    private Autograd() {
    }

    /**
     * Runs {@code body} with autograd's recording off, then restores the mode: for in-place changes of leaves that
     * require grad, and copies that must not join a graph (notebook cells run on threads where recording is on).
     */
    public static <T> T withoutGradients(Supplier<T> body) {
        return Torch.withoutGradients(body);
    }

    /** {@link #withoutGradients(Supplier)} for a body without a result. */
    public static void withoutGradients(Runnable body) {
        Torch.withoutGradients(() -> {
            body.run();
            return null;
        });
    }

    /**
     * A vector-Jacobian product of {@code root} with {@code gradient}, accumulated into the leaves below it; the
     * graph is kept, so segments that share nodes can be backpropagated one after another.
     */
    public static void backwardKeepingGraph(NDArray root, NDArray gradient) {
        Torch.backwardKeepingGraph(root, gradient);
    }

    /** Sets the gradient of a leaf that requires grad to zero, in place. */
    public static void zeroGradient(NDArray leaf) {
        Torch.zeroGradient(leaf);
    }
}
