package dev.neurolens.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns magics into plain Java calls before JShell sees the cell, as IJava does: a {@code %%name args} cell
 * becomes one call with the body as a string, each {@code %name args} line becomes a call on that same line
 * (so line numbers in errors still match the cell), and the last one's value is shown like any expression.
 */
final class MagicTranslator {
    private static final Pattern LINE_MAGIC = Pattern.compile("^(\\s*)%([A-Za-z_][\\w.-]*)(.*)$");
    private static final Pattern CELL_MAGIC = Pattern.compile("^\\s*%%([A-Za-z_][\\w.-]*)([^\\n]*)(?:\\n([\\s\\S]*))?$");
    private static final String RUNTIME = "dev.neurolens.kernel.Notebook.";

    private MagicTranslator() {
    }

    static String translate(String cell) {
        Matcher cm = CELL_MAGIC.matcher(cell);
        if (cm.matches()) {
            String body = cm.group(3) == null ? "" : cm.group(3);
            return RUNTIME + "cellMagic(" + literal(cm.group(1)) + ", " + literal(cm.group(2).trim()) + ", "
                    + literal(body) + ")";
        }
        String[] lines = cell.split("\n", -1);
        int last = lastCodeLine(lines);
        StringBuilder out = new StringBuilder(cell.length());
        for (int i = 0; i < lines.length; i++) {
            Matcher lm = LINE_MAGIC.matcher(lines[i]);
            if (lm.matches()) {
                out.append(lm.group(1)).append(RUNTIME).append("lineMagic(").append(literal(lm.group(2))).append(", ")
                        .append(literal(lm.group(3).trim())).append(')').append(i == last ? "" : ";");
            } else {
                out.append(lines[i]);
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    static boolean hasMagic(String cell) {
        return CELL_MAGIC.matcher(cell).matches() || cell.lines().anyMatch(l -> LINE_MAGIC.matcher(l).matches());
    }

    private static int lastCodeLine(String[] lines) {
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return i;
            }
        }
        return -1;
    }

    /** A Java string literal. Escaping every backslash also defuses \\u escapes, which javac reads before lexing. */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\%03o", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
