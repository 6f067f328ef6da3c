package dev.neurolens.model;

import java.util.List;

/** A layer name that the network does not have; the message lists the closest names. */
public final class LayerNotFoundException extends IllegalArgumentException {
    private final String layer;
    private final List<String> suggestions;

    LayerNotFoundException(String network, String layer, List<String> suggestions, String overview) {
        super("layer '" + layer + "' not found in " + network + "; closest: " + String.join(", ", suggestions)
                + "; layers: " + overview);
        this.layer = layer;
        this.suggestions = List.copyOf(suggestions);
    }

    public String layer() {
        return layer;
    }

    public List<String> suggestions() {
        return suggestions;
    }
}
