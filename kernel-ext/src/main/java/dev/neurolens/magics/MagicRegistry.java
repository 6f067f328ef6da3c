package dev.neurolens.magics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** All magics by name. The kernel (or the IJava bridge) routes {@code %name} lines and {@code %%name} cells here. */
public final class MagicRegistry {
    private static final Map<String, Magic> MAGICS = new TreeMap<>();
    private static volatile NotebookVariables variables;

    private MagicRegistry() {
    }

    public static synchronized void register(Magic magic) {
        MAGICS.put(magic.name(), magic);
    }

    /** Lets magics read notebook variables by name (the Neurolens kernel installs its JShell's). */
    public static void readVariablesWith(NotebookVariables lookup) {
        variables = lookup;
    }

    /** The installed variable lookup, or null outside the Neurolens kernel. */
    static NotebookVariables variables() {
        return variables;
    }

    public static synchronized Collection<Magic> all() {
        return List.copyOf(MAGICS.values());
    }

    public static synchronized Magic get(String name) {
        Magic m = MAGICS.get(name);
        if (m == null) {
            throw new MagicArgumentException("unknown magic %" + name + suggestion(name)
                    + "; %neurolens lists the magics");
        }
        return m;
    }

    public static Object runLine(String name, String argLine) throws Exception {
        Magic m = get(name);
        Args args = m.schema().parse(argLine);
        if (args.helpRequested()) {
            return new MagicHelp(m.schema().helpText());
        }
        if (m.requiresCell()) {
            throw new MagicArgumentException("%" + name + " needs a cell body: write %%" + name
                    + " on the first line of the cell and the content below it");
        }
        return m.run(args, null);
    }

    public static Object runCell(String name, String argLine, String body) throws Exception {
        Magic m = get(name);
        Args args = m.schema().parse(argLine);
        if (args.helpRequested()) {
            return new MagicHelp(m.schema().helpText());
        }
        if (!m.acceptsCell()) {
            throw new MagicArgumentException("%" + name + " is a line magic: use %" + name
                    + " (one %), not %%" + name);
        }
        return m.run(args, body);
    }

    private static String suggestion(String name) {
        List<String> close = new ArrayList<>();
        for (String candidate : MAGICS.keySet()) {
            if (ArgSchema.editDistance(name, candidate) <= 2 || candidate.startsWith(name)) {
                close.add("%" + candidate);
            }
        }
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }
}
