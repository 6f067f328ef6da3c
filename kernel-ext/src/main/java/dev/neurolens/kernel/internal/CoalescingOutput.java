package dev.neurolens.kernel.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gathers a cell's printing into few stream messages. The base kernel's stdout flushes on every write, so a
 * {@code printf} in a loop became one message (and one saved output) per fragment; like IPython, text is sent at
 * most every {@link #INTERVAL_MS} ms, and at once on {@link #flush} (before a picture, at the end of the cell).
 */
public final class CoalescingOutput extends OutputStream {
    static final long INTERVAL_MS = 100;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "neurolens-stdout");
        t.setDaemon(true);
        return t;
    });

    private final PrintStream target;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private ScheduledFuture<?> scheduled;

    private CoalescingOutput(PrintStream target) {
        this.target = target;
    }

    /** A print stream over {@code target} that coalesces writes; close it (or flush) to send the rest. */
    public static PrintStream over(PrintStream target) {
        return new PrintStream(new CoalescingOutput(target), false, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        pending.write(b);
        schedule();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        pending.write(b, off, len);
        schedule();
    }

    private void schedule() {
        if (scheduled == null) {
            scheduled = TIMER.schedule(this::flush, INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void flush() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
        if (pending.size() > 0) {
            target.write(pending.toByteArray(), 0, pending.size());
            pending.reset();
        }
        target.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
