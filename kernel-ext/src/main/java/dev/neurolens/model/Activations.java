package dev.neurolens.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Layer outputs copied out of one forward pass, by the names they were asked for. Immutable. */
public final class Activations {
    private final Map<String, Tensor> byName;
    private final Map<String, String> canonical;

    Activations(Map<String, Tensor> byName, Map<String, String> canonical) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        this.canonical = Map.copyOf(canonical);
    }

    /** The output of a layer that was captured, by the name used to ask for it or its torchvision name. */
    public Tensor get(String layer) {
        Tensor t = byName.get(layer);
        if (t == null) {
            for (var e : canonical.entrySet()) {
                if (e.getValue().equals(layer)) {
                    t = byName.get(e.getKey());
                }
            }
        }
        if (t == null) {
            throw new IllegalArgumentException("layer '" + layer + "' was not captured; captured: " + byName.keySet());
        }
        return t;
    }

    public Set<String> layers() {
        return byName.keySet();
    }

    public Map<String, Tensor> asMap() {
        return byName;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Activations{");
        byName.forEach((k, v) -> sb.append(k).append('=').append(java.util.Arrays.toString(v.shape())).append(' '));
        return sb.toString().trim() + "}";
    }
}
