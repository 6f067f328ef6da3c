package dev.neurolens.kernel.internal;

/**
 * The interrupt flag that code compiled from cells polls (see {@link StopPoints}). Once an interrupt is requested
 * it stays set until the next cell starts, so a cell that catches the exception (even {@code catch (Throwable t)})
 * meets it again at its next loop turn or call, outside the try. Public because the instrumented snippet classes,
 * defined in a child loader, call {@link #check()}.
 */
public final class Interrupts {
    private static volatile boolean requested;

    private Interrupts() {
    }

    /** Called by cells' code at every backward jump and method entry: one volatile read when not interrupted. */
    public static void check() {
        if (requested) {
            throw new ObjectExecutionControl.Interrupted(true);
        }
    }

    static void request() {
        requested = true;
    }

    static void clear() {
        requested = false;
    }

    static boolean requested() {
        return requested;
    }
}
