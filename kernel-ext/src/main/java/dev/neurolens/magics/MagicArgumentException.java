package dev.neurolens.magics;

/**
 * Bad arguments to a magic. The kernel shows only the message (no stack trace): it already says what was wrong
 * and what to do.
 */
public final class MagicArgumentException extends IllegalArgumentException {
    public MagicArgumentException(String message) {
        super(message);
    }
}
