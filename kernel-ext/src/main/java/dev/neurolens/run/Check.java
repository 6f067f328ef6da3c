package dev.neurolens.run;

/** The argument checks every builder shares, so a bad setting reads the same in every technique. */
public final class Check {
    private Check() {
    }

    /** {@code n}, or an error naming the setting when it is below 1. */
    public static int atLeastOne(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + n);
        }
        return n;
    }
}
