package dev.neurolens.optimize;

import dev.neurolens.model.Network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Class labels by name, with errors that list what there is. */
public final class Labels {
    private Labels() {
    }

    /** The index of a class by its exact label, else the unique label containing it (ignoring case). */
    public static int index(Network net, String label) {
        List<String> labels = net.info().labels();
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).equals(label)) {
                return i;
            }
        }
        List<Integer> hits = new ArrayList<>();
        String l = label.toLowerCase(Locale.ROOT);
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).toLowerCase(Locale.ROOT).contains(l)) {
                hits.add(i);
            }
        }
        if (hits.size() == 1) {
            return hits.get(0);
        }
        String some = labels.size() <= 12 ? String.join(", ", labels)
                : String.join(", ", labels.subList(0, 8)) + ", … (" + labels.size() + " in all)";
        if (hits.isEmpty()) {
            throw new IllegalArgumentException("no class '" + label + "' in " + net.name() + "; classes: " + some);
        }
        List<String> names = new ArrayList<>();
        for (int i : hits.subList(0, Math.min(6, hits.size()))) {
            names.add(i + " " + labels.get(i));
        }
        throw new IllegalArgumentException("'" + label + "' matches " + hits.size() + " classes of " + net.name()
                + " (" + String.join(", ", names) + (hits.size() > 6 ? ", …" : "") + "); use the exact label or index");
    }

    static String name(Network net, int index) {
        List<String> labels = net.info().labels();
        return index >= 0 && index < labels.size() ? labels.get(index) : String.valueOf(index);
    }
}
