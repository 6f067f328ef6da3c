package dev.neurolens.model;

import dev.neurolens.model.internal.Layers;

/**
 * torch.nn's standard layers, named as in a state_dict, for {@link Architecture#custom}: the same layers the
 * built-in architectures are made of.
 */
public final class StandardLayers {
    private StandardLayers() {
    }

    /** nn.Conv2d with square kernel, stride and padding. */
    public static Layer conv2d(String name, int in, int out, int kernel, int stride, int padding, boolean bias) {
        return new Layers.Conv2d(name, in, out, kernel, stride, padding, bias);
    }

    /** nn.Conv2d with dilation and groups too. */
    public static Layer conv2d(String name, int in, int out, int kernel, int stride, int padding, int dilation,
                               int groups, boolean bias) {
        return new Layers.Conv2d(name, in, out, kernel, stride, padding, dilation, groups, bias);
    }

    public static Layer relu(String name) {
        return new Layers.Relu(name);
    }

    public static Layer maxPool2d(String name, int kernel, int stride, int padding, boolean ceilMode) {
        return new Layers.MaxPool2d(name, kernel, stride, padding, ceilMode);
    }

    public static Layer adaptiveAvgPool2d(String name, int height, int width) {
        return new Layers.AdaptiveAvgPool2d(name, height, width);
    }

    /** Flattens all but the batch dimension. */
    public static Layer flatten(String name) {
        return new Layers.Flatten(name);
    }

    /** nn.Linear with bias. */
    public static Layer dense(String name, int in, int out) {
        return new Layers.Dense(name, in, out);
    }
}
