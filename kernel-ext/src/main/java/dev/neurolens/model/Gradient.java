package dev.neurolens.model;

/**
 * The gradient of a scalar read at {@code layer} with respect to {@code wrt} (the input, or a layer's
 * output), and the scalar's value. Immutable.
 */
public record Gradient(Tensor gradient, float value, String layer, String wrt) {
}
