package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

/**
 * What every ReLU layer computes. The default is {@code max(x, 0)}; techniques that change how ReLUs pass
 * gradients (guided backprop, deconvnet) or soften them supply their own through {@link Forward#relu}.
 */
@FunctionalInterface
public interface ReluFunction {

    ReluFunction STANDARD = (layer, x) -> ai.djl.nn.Activation.relu(x);

    /** @param layer full name of the ReLU layer being evaluated */
    NDArray apply(String layer, NDArray x);
}
