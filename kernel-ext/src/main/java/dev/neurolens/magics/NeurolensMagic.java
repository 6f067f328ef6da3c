package dev.neurolens.magics;

import java.util.ArrayList;
import java.util.List;

/** {@code %neurolens}: the magics that are installed and the versions in use. */
public final class NeurolensMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("neurolens",
            "list the Neurolens magics and the versions of Neurolens, Java and DJL").build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        List<List<String>> rows = new ArrayList<>();
        for (Magic m : MagicRegistry.all()) {
            String form = m.requiresCell() ? "%%" + m.name() : m.acceptsCell() ? "%" + m.name() + " / %%" + m.name() : "%" + m.name();
            rows.add(List.of(form, m.schema().summary()));
        }
        rows.add(List.of("", ""));
        rows.add(List.of("Neurolens", Versions.neurolens()));
        rows.add(List.of("Java", Versions.java()));
        rows.add(List.of("DJL", Versions.djl()));
        return new TextTable("Neurolens magics (each takes --help)", List.of("magic", "what it does"), rows);
    }
}
