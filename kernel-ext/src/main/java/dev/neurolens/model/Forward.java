package dev.neurolens.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one forward pass should do besides computing: which layers to capture, which hooks to run, how
 * ReLUs behave, whether to stop once the captures are taken. Immutable; each method returns a new value.
 * Layer names may be torchvision names or aliases; they are resolved by the network.
 */
public final class Forward {
    private static final Forward DEFAULT = new Forward(List.of(), Map.of(), ReluFunction.STANDARD, false, true);

    private final List<String> captures;
    private final Map<String, LayerHook> hooks;
    private final ReluFunction relu;
    private final boolean training;
    private final boolean stopEarly;

    private Forward(List<String> captures, Map<String, LayerHook> hooks, ReluFunction relu, boolean training,
                    boolean stopEarly) {
        this.captures = captures;
        this.hooks = hooks;
        this.relu = relu;
        this.training = training;
        this.stopEarly = stopEarly;
    }

    /** Computes the logits only. */
    public static Forward plain() {
        return DEFAULT;
    }

    /** Captures these layers (and stops after the last of them unless {@link #toOutput()}). */
    public static Forward capture(String... layers) {
        return DEFAULT.andCapture(layers);
    }

    public Forward andCapture(String... layers) {
        List<String> c = new ArrayList<>(captures);
        for (String l : layers) {
            if (!c.contains(l)) {
                c.add(l);
            }
        }
        return new Forward(Collections.unmodifiableList(c), hooks, relu, training, stopEarly);
    }

    /** Runs {@code hook} on the output of {@code layer}; a second hook on the same layer runs after the first. */
    public Forward hook(String layer, LayerHook hook) {
        Map<String, LayerHook> h = new LinkedHashMap<>(hooks);
        h.merge(layer, hook, LayerHook::andThen);
        return new Forward(captures, Collections.unmodifiableMap(h), relu, training, stopEarly);
    }

    public Forward relu(ReluFunction relu) {
        return new Forward(captures, hooks, relu, training, stopEarly);
    }

    /** Training mode: dropout active, batch norm uses batch statistics. */
    public Forward training(boolean training) {
        return new Forward(captures, hooks, relu, training, stopEarly);
    }

    /** Always run to the logits, even when every capture has been taken. */
    public Forward toOutput() {
        return new Forward(captures, hooks, relu, training, false);
    }

    public List<String> captures() {
        return captures;
    }

    public Map<String, LayerHook> hooks() {
        return hooks;
    }

    public ReluFunction relu() {
        return relu;
    }

    public boolean training() {
        return training;
    }

    public boolean stopEarly() {
        return stopEarly;
    }
}
