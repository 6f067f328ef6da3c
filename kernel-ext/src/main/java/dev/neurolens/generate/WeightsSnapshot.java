package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Autograd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies of a network's weights (batch-norm statistics included) taken before a training step changes them in
 * place, to put back when a later step meets NaN (or, kept as a moving average, to put in at the end): the trainers keep the weights whose losses were last seen finite,
 * since the weights an update produced can be finite and still give NaN on the next pass. A copy per step is a
 * native clone, small beside the forward and backward passes of the step.
 */
final class WeightsSnapshot implements AutoCloseable {
    private final Map<String, NDArray> copies = new LinkedHashMap<>();

    private WeightsSnapshot(Map<String, NDArray> params, NDManager manager) {
        // a clone of a weight that requires grad would otherwise join its graph
        Autograd.withoutGradients(() -> params.forEach((k, v) -> {
            NDArray c = v.duplicate();
            c.attach(manager);
            copies.put(k, c);
        }));
    }

    /** Copies of every array of {@code params}, owned by {@code manager}. */
    static WeightsSnapshot of(Map<String, NDArray> params, NDManager manager) {
        return new WeightsSnapshot(params, manager);
    }

    /** Writes the copies back into {@code params} in place; their requiresGradient must be off. */
    void restore(Map<String, NDArray> params) {
        copies.forEach((k, v) -> params.get(k).set(v.toByteBuffer()));
    }

    /**
     * Moves each copy towards the current weights: {@code copy = keep * copy + (1 - keep) * weight}, a moving
     * average of the weights over steps (GanTrainer's EMA). No autograd graph is recorded.
     */
    void average(Map<String, NDArray> params, float keep) {
        Autograd.withoutGradients(() -> copies.forEach((k, c) -> {
            try (NDArray part = params.get(k).mul(1 - keep)) {
                c.muli(keep).addi(part);
            }
        }));
    }

    @Override
    public void close() {
        copies.values().forEach(NDArray::close);
    }
}
