package dev.neurolens.magics;

import java.util.List;
import java.util.Map;

/** Parsed, type-checked arguments of one magic call. */
public final class Args {
    static final String REST = "\u0000rest";

    private final ArgSchema schema;
    private final Map<String, Object> values;
    private final boolean help;

    Args(ArgSchema schema, Map<String, Object> values, boolean help) {
        this.schema = schema;
        this.values = Map.copyOf(values.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        this.help = help;
    }

    public boolean helpRequested() {
        return help;
    }

    public ArgSchema schema() {
        return schema;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name) {
        return (String) get(name);
    }

    public int integer(String name) {
        return (Integer) get(name);
    }

    public double number(String name) {
        Object v = get(name);
        return v instanceof Integer ? (Integer) v : (Double) v;
    }

    /** A number option whose default is "unset" (null): its value, or {@code otherwise}. */
    public double numberOr(String name, double otherwise) {
        return values.get(name) == null ? otherwise : number(name);
    }

    public boolean flag(String name) {
        return Boolean.TRUE.equals(values.get(name));
    }

    @SuppressWarnings("unchecked")
    public List<Integer> integers(String name) {
        return (List<Integer>) get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String name) {
        return (List<String>) get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> rest() {
        Object v = values.get(REST);
        return v == null ? List.of() : (List<String>) v;
    }

    private Object get(String name) {
        if (!schema.options().containsKey(name) && schema.positionals().stream().noneMatch(s -> s.name().equals(name))) {
            throw new IllegalArgumentException("%" + schema.magic() + " declares no argument '" + name + "'");
        }
        return values.get(name);
    }

    @Override
    public String toString() {
        return "%" + schema.magic() + " " + values;
    }
}
