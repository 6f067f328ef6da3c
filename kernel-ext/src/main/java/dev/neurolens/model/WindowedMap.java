package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * An activation for a batch of local changes: its windows (data {@code [N, C, h, w]}, placed by
 * {@code windows}) over the activation of the unchanged input ({@code base}, {@code [1, C, H, W]}).
 */
public record WindowedMap(Windows windows, NDArray data, NDArray base) {

    /** Channel {@code c} alone. */
    public WindowedMap channel(int c) {
        NDIndex i = new NDIndex(":, {}:{}", c, c + 1);
        return new WindowedMap(windows, data.get(i), base.get(data.getManager(), i));
    }
}
