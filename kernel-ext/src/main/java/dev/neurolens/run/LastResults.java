package dev.neurolens.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most recent result of each kind in this JVM, partial ones included. The kernel discards the value of a cell
 * that was interrupted or stopped on a NaN, so every technique keeps its result here as it ends, and the next cell
 * reads it back with {@code Neurolens.lastResult()} or the technique's own {@code lastResult()}.
 */
public final class LastResults {
    private static final Map<Class<?>, Object> BY_TYPE = new ConcurrentHashMap<>();
    private static volatile Object latest;

    private LastResults() {
    }

    /** Keeps {@code result} as the last of its type and the last of all; returns it. */
    public static <R> R keep(R result) {
        if (result != null) {
            BY_TYPE.put(result.getClass(), result);
            latest = result;
        }
        return result;
    }

    /** The last result of this type (or a subtype), or null before any. */
    public static <R> R of(Class<R> type) {
        Object exact = BY_TYPE.get(type);
        if (exact != null) {
            return type.cast(exact);
        }
        Object l = latest;
        return type.isInstance(l) ? type.cast(l) : null;
    }

    /** The last result of any technique, or null before any. */
    public static Object latest() {
        return latest;
    }
}
