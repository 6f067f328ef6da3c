package dev.neurolens.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Close-name suggestions for error messages. */
public final class Names {
    private Names() {
    }

    /** Up to {@code limit} candidates closest to {@code wanted}, by edit distance then by shared prefix. */
    public static List<String> closest(String wanted, List<String> candidates, int limit) {
        String w = wanted.toLowerCase();
        List<String> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingInt((String c) -> score(w, c.toLowerCase())).thenComparing(c -> c));
        return sorted.subList(0, Math.min(limit, sorted.size()));
    }

    private static int score(String w, String c) {
        int d = distance(w, c);
        // a candidate that contains what was typed ("conv5" in "conv5_3") is a strong hint
        if (c.contains(w) || w.contains(c)) {
            d = Math.min(d, Math.abs(c.length() - w.length()) / 2);
        }
        return d;
    }

    /** Levenshtein distance (insertions, deletions, substitutions). */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
