package dev.neurolens.model;

/** What a layer computes; techniques dispatch on it (guided backprop changes every {@link #RELU}). */
public enum LayerKind {
    CONV2D, CONV_TRANSPOSE2D, RELU, LEAKY_RELU, TANH, SIGMOID, MAX_POOL2D, AVG_POOL2D, ADAPTIVE_AVG_POOL2D, LINEAR, DROPOUT, BATCH_NORM2D, FLATTEN,
    SEQUENTIAL, FIRE, BASIC_BLOCK,
    /** Progressive GAN's per-pixel normalization over channels, its equalized-learning-rate scale, nearest 2x. */
    PIXEL_NORM, WSCALE, UPSAMPLE_NEAREST,
    /** A binomial 5x5 blur and 2x subsampling (one step down an image pyramid); a side branch read at its own name. */
    BLUR_DOWN, TAP;

    /** True for kinds that hold other layers. */
    public boolean isContainer() {
        return this == SEQUENTIAL || this == FIRE || this == BASIC_BLOCK || this == TAP;
    }
}
