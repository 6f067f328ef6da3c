package dev.neurolens.magics;

import java.util.ArrayList;
import java.util.List;

/** Shell-like splitting of a magic's argument line: whitespace separates, quotes group, backslash escapes. */
final class Tokenizer {
    private Tokenizer() {
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inToken = true;
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (quote != 0) {
            throw new MagicArgumentException("unclosed " + quote + " quote in: " + line);
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }
}
