package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

/**
 * What a {@link WindowedLayer} needs from the incremental pass that runs it: where windows go, the input
 * windows a kernel reads, the activations and weights of the network.
 */
public interface Windowing {

    /** Windows for changed regions {@code {ay0, ay1, ax0, ax1}} of an {@code outH x outW} map. */
    Windows place(int[][] changed, int outH, int outW);

    /**
     * The input each output window {@code out} of kernel {@code k} reads: {@code [N, C, ih, iw]} from the input's
     * windows where it has them, from its unchanged activation elsewhere, {@code pad} outside the map.
     */
    NDArray gather(WindowedMap in, Windows out, WindowKernel k, float pad);

    /** The unchanged activation of layer {@code name} (one captured by the pass over the unchanged input). */
    NDArray base(String name);

    /** Weight {@code name}, or its rows for output channel {@code restrict} when that is {@code >= 0}. */
    NDArray parameter(NDArray like, String name, int restrict);
}
