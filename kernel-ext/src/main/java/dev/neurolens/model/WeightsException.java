package dev.neurolens.model;

/** Weights that cannot be used: missing offline, unreadable, corrupt, or not matching the architecture. */
public final class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
