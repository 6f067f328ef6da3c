package dev.neurolens.magics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.neurolens.model.Names;

/**
 * The declared arguments of one magic: positionals, then {@code --name value} options and {@code --flag}s.
 * Parsing checks everything up front and fails with one message that names the problem and the fix.
 */
public final class ArgSchema {
    public enum Type {
        STRING("a word or \"quoted text\""), INT("an integer"), DOUBLE("a number"),
        INT_LIST("comma-separated integers, e.g. 1,2,3"), STRING_LIST("comma-separated words");

        final String description;

        Type(String description) {
            this.description = description;
        }
    }

    /** One declared argument. */
    public record Spec(String name, Type type, boolean positional, boolean flag, boolean required,
                       Object defaultValue, String help) {
    }

    private final String magic;
    private final String summary;
    private final List<Spec> positionals;
    private final Map<String, Spec> options;
    private final boolean restPositional;

    private ArgSchema(Builder b) {
        this.magic = b.magic;
        this.summary = b.summary;
        this.positionals = List.copyOf(b.positionals);
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.restPositional = b.restPositional;
    }

    public static Builder builder(String magic, String summary) {
        return new Builder(magic, summary);
    }

    public String magic() {
        return magic;
    }

    public String summary() {
        return summary;
    }

    public List<Spec> positionals() {
        return positionals;
    }

    public Map<String, Spec> options() {
        return options;
    }

    /** Parses a magic's argument line. {@code --help} anywhere wins and yields {@link Args#helpRequested()}. */
    public Args parse(String line) {
        List<String> tokens = Tokenizer.split(line == null ? "" : line);
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> extra = new ArrayList<>();
        if (tokens.contains("--help") || tokens.contains("-h")) {
            return new Args(this, values, true);
        }
        int pos = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i);
            if (tok.startsWith("--") && tok.length() > 2) {
                String name = tok.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Spec spec = options.get(name);
                if (spec == null) {
                    throw error("unknown option --" + name + closest(name) + "; options: " + optionList());
                }
                if (spec.flag()) {
                    if (inline != null) {
                        throw error("--" + name + " is a flag and takes no value");
                    }
                    values.put(name, Boolean.TRUE);
                    continue;
                }
                String raw = inline;
                if (raw == null) {
                    if (i + 1 >= tokens.size() || isOptionToken(tokens.get(i + 1))) {
                        throw error("option --" + name + " needs a value (" + spec.type().description + ")");
                    }
                    raw = tokens.get(++i);
                }
                values.put(name, convert(spec, raw));
            } else if (pos < positionals.size()) {
                Spec spec = positionals.get(pos++);
                values.put(spec.name(), convert(spec, tok));
            } else if (restPositional) {
                extra.add(tok);
            } else {
                throw error("unexpected argument '" + tok + "'" + (positionals.isEmpty()
                        ? "; this magic takes no positional arguments"
                        : "; expected at most " + positionals.size() + " (" + positionalNames() + ")"));
            }
        }
        for (Spec spec : positionals) {
            if (!values.containsKey(spec.name())) {
                if (spec.required()) {
                    throw error("missing argument <" + spec.name() + "> (" + spec.help() + ")");
                }
                values.put(spec.name(), spec.defaultValue());
            }
        }
        for (Spec spec : options.values()) {
            values.putIfAbsent(spec.name(), spec.flag() ? Boolean.FALSE : spec.defaultValue());
            if (spec.required() && values.get(spec.name()) == null) {
                throw error("missing option --" + spec.name() + " (" + spec.help() + ")");
            }
        }
        if (restPositional) {
            values.put(Args.REST, List.copyOf(extra));
        }
        return new Args(this, values, false);
    }

    private static boolean isOptionToken(String tok) {
        // "-3" and "-0.5" are values, not options.
        return tok.startsWith("--") && tok.length() > 2 && !Character.isDigit(tok.charAt(2));
    }

    private Object convert(Spec spec, String raw) {
        String what = spec.positional() ? "argument <" + spec.name() + ">" : "option --" + spec.name();
        try {
            switch (spec.type()) {
                case INT: {
                    int v = Integer.parseInt(raw.trim());
                    // counts, sizes and steps: a negative value is a typo, not "all" (--n -5 ran on every picture);
                    // options whose default is negative (e.g. "none") and seeds take any integer
                    boolean signed = spec.name().equals("seed")
                            || spec.defaultValue() instanceof Integer d && d < 0;
                    if (v < 0 && !signed) {
                        throw error(what + " must be 0 or more, got " + v);
                    }
                    return v;
                }
                case DOUBLE:
                    return Double.parseDouble(raw.trim());
                case INT_LIST: {
                    List<Integer> out = new ArrayList<>();
                    for (String s : raw.split(",")) {
                        if (!s.isBlank()) {
                            out.add(Integer.parseInt(s.trim()));
                        }
                    }
                    return List.copyOf(out);
                }
                case STRING_LIST:
                    return List.of(raw.split("\\s*,\\s*"));
                default:
                    return raw;
            }
        } catch (NumberFormatException e) {
            throw error(what + " expects " + spec.type().description + ", got '" + raw + "'");
        }
    }

    private MagicArgumentException error(String message) {
        return new MagicArgumentException("%" + magic + ": " + message + " (see %" + magic + " --help)");
    }

    private String optionList() {
        return options.isEmpty() ? "none" : options.keySet().stream().map(n -> "--" + n).collect(Collectors.joining(", "));
    }

    private String positionalNames() {
        return positionals.stream().map(s -> "<" + s.name() + ">").collect(Collectors.joining(" "));
    }

    private String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : options.keySet()) {
            int d = editDistance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? " (did you mean --" + best + "?)" : "";
    }

    static int editDistance(String a, String b) {
        return Names.distance(a, b);
    }

    /** The text shown by {@code %name --help}. */
    public String helpText() {
        StringBuilder sb = new StringBuilder();
        sb.append("%").append(magic);
        for (Spec p : positionals) {
            sb.append(p.required() ? " <" + p.name() + ">" : " [" + p.name() + "]");
        }
        if (restPositional) {
            sb.append(" ...");
        }
        if (!options.isEmpty()) {
            sb.append(" [options]");
        }
        sb.append("\n    ").append(summary).append("\n");
        if (!positionals.isEmpty()) {
            sb.append("\narguments:\n");
            for (Spec p : positionals) {
                sb.append(String.format("  %-22s %s%s%n", "<" + p.name() + ">", p.help(), defaultNote(p)));
            }
        }
        sb.append("\noptions:\n");
        for (Spec o : options.values()) {
            String left = "--" + o.name() + (o.flag() ? "" : " " + typeHint(o.type()));
            sb.append(String.format("  %-22s %s%s%n", left, o.help(), defaultNote(o)));
        }
        sb.append(String.format("  %-22s %s%n", "--help", "show this help"));
        return sb.toString();
    }

    private static String typeHint(Type t) {
        switch (t) {
            case INT:
                return "N";
            case DOUBLE:
                return "X";
            case INT_LIST:
                return "N,N,...";
            case STRING_LIST:
                return "A,B,...";
            default:
                return "TEXT";
        }
    }

    private static String defaultNote(Spec s) {
        return s.flag() || s.defaultValue() == null ? "" : " (default: " + s.defaultValue() + ")";
    }

    /** Fluent declaration of a magic's arguments. */
    public static final class Builder {
        private final String magic;
        private final String summary;
        private final List<Spec> positionals = new ArrayList<>();
        private final Map<String, Spec> options = new LinkedHashMap<>();
        private boolean restPositional;

        private Builder(String magic, String summary) {
            this.magic = magic;
            this.summary = summary;
        }

        public Builder positional(String name, Type type, String help) {
            positionals.add(new Spec(name, type, true, false, true, null, help));
            return this;
        }

        public Builder optionalPositional(String name, Type type, Object defaultValue, String help) {
            positionals.add(new Spec(name, type, true, false, false, defaultValue, help));
            return this;
        }

        /** Accept any number of further positional words (e.g. a path list); read them with {@link Args#rest()}. */
        public Builder rest() {
            restPositional = true;
            return this;
        }

        public Builder option(String name, Type type, Object defaultValue, String help) {
            options.put(name, new Spec(name, type, false, false, false, defaultValue, help));
            return this;
        }

        public Builder requiredOption(String name, Type type, String help) {
            options.put(name, new Spec(name, type, false, false, true, null, help));
            return this;
        }

        public Builder flag(String name, String help) {
            options.put(name, new Spec(name, Type.STRING, false, true, false, Boolean.FALSE, help));
            return this;
        }

        public ArgSchema build() {
            return new ArgSchema(this);
        }
    }
}
