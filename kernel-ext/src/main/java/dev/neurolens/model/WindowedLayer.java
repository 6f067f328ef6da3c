package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A layer that computes its output on windows (exact incremental inference, as in Krypton, Nakandala et al.
 * 2019): a local change of its input changes only windows of its output, so it computes just those, each with
 * the halo its kernel reads, and leaves the rest to the activation of the unchanged input. Convolutions, max
 * pooling, element-wise layers, Fire modules and residual blocks implement it; a pass runs layers through this
 * capability as far as they offer it.
 */
public interface WindowedLayer extends Layer {

    /** False when this layer cannot be windowed after all (e.g. a shortcut of an unknown form). */
    default boolean windowable() {
        return true;
    }

    /** Output side for an input side (0 when there is none). */
    default int outSize(int len) {
        return len;
    }

    /** Output channels for {@code in} input channels. */
    default long outChannels(long in) {
        return in;
    }

    /** Activations inside the layer whose unchanged values windowed execution reads (a Fire module's squeeze). */
    default List<String> innerActivations() {
        return List.of();
    }

    /** True when each output channel depends only on the same input channel (activations, dropout). */
    default boolean channelwise() {
        return false;
    }

    /** True for a convolution whose output channels can be computed one alone (groups 1). */
    default boolean computesOneChannel() {
        return false;
    }

    /** True for a global average pooling (to 1 x 1), which ends a class head. */
    default boolean globalAveragePool() {
        return false;
    }

    /**
     * The windows of each stage for changed windows {@code in} of the input: the output's for a plain layer; the
     * inner then the output's for a Fire module or a residual block.
     */
    default Windows[] windows(Windows in, int outH, int outW, Windowing w) {
        return new Windows[] {in};
    }

    /**
     * Multiply-adds per output position of each of {@link #windows}'s stages (0 for pooling and activations);
     * with {@code oneChannel}, of one output channel.
     */
    default long[] macsPerPosition(boolean oneChannel) {
        return new long[] {0};
    }

    /**
     * This layer on the windows {@code in}: its output windows over {@code outBase}, its unchanged output (of
     * channel {@code restrict} alone when {@code restrict >= 0}).
     */
    WindowedMap apply(WindowedMap in, NDArray outBase, int restrict, Windowing w);
}
