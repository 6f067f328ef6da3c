package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The state of one evaluation of a network: the weights, the resolved hooks and captures, the ReLU in
 * force. Layers call {@link #emit} with each output. Created by {@link Network}; used by layers.
 */
public final class ForwardPass {
    private final Map<String, NDArray> parameters;
    private final Map<String, LayerHook> hooks;
    private final Set<String> captures;
    private final ReluFunction relu;
    private final boolean training;
    private final boolean stopEarly;
    private final Map<String, NDArray> captured = new LinkedHashMap<>();

    ForwardPass(Map<String, NDArray> parameters, Map<String, LayerHook> hooks, Set<String> captures,
                ReluFunction relu, boolean training, boolean stopEarly) {
        this.parameters = parameters;
        this.hooks = hooks;
        this.captures = captures;
        this.relu = relu;
        this.training = training;
        this.stopEarly = stopEarly;
    }

    /** A weight by its full state_dict name. */
    public NDArray parameter(String name) {
        NDArray p = parameters.get(name);
        if (p == null) {
            throw new IllegalStateException("no parameter " + name + " in this network");
        }
        return p;
    }

    /** Applies the hook registered for {@code layer} (if any), captures the result if asked, returns it. */
    public NDArray emit(String layer, NDArray output) {
        LayerHook hook = hooks.get(layer);
        NDArray out = hook == null ? output : hook.apply(output);
        if (captures.contains(layer)) {
            captured.put(layer, out);
        }
        return out;
    }

    public NDArray relu(String layer, NDArray x) {
        return relu.apply(layer, x);
    }

    public boolean training() {
        return training;
    }

    /** True once every capture has been taken and the caller does not need the logits. */
    public boolean done() {
        return stopEarly && !captures.isEmpty() && captured.size() == captures.size();
    }

    Map<String, NDArray> captured() {
        return captured;
    }
}
