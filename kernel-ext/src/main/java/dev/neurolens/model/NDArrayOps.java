package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import dev.neurolens.model.internal.Torch;

/** Differentiable libtorch operations on {@code [N, C, H, W]} arrays that DJL's NDArray API lacks. */
public final class NDArrayOps {
    private NDArrayOps() {
    }

    /** Bilinear resize (torch's interpolate, align_corners = false); the result is in {@code x}'s manager. */
    public static NDArray resizeBilinear(NDArray x, long height, long width) {
        return Torch.resizeBilinear(x, height, width);
    }

    /**
     * torch's batch_norm in training mode: normalizes each channel by the batch's mean and biased variance, then
     * scales by {@code weight} and shifts by {@code bias}; the running statistics are updated in place with
     * {@code momentum}.
     */
    public static NDArray batchNormTraining(NDArray x, NDArray runningMean, NDArray runningVar, NDArray weight,
                                            NDArray bias, double momentum, double eps) {
        return Torch.batchNorm(x, runningMean, runningVar, weight, bias, true, momentum, eps);
    }
}
