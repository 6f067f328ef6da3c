package dev.neurolens.kernel.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jdk.jshell.execution.DirectExecutionControl;

/**
 * Runs JShell snippets in this JVM, on a fresh thread per snippet, and keeps each snippet's result as a live
 * object (JShell itself only hands back a string): the kernel needs the object to render images and tables.
 * The string JShell sees is a key into {@link #takeResult}.
 */
public final class ObjectExecutionControl extends DirectExecutionControl {
    /** Marks a snippet stopped by an interrupt request; the kernel turns it into a short "interrupted" error. */
    public static final class Interrupted extends RuntimeException {
        public Interrupted() {
            super("the cell was interrupted", null, false, false);
        }
    }

    private static final String KEY_PREFIX = "\u0000neurolens-result-";
    private static final long STOP_GRACE_MILLIS = 800;

    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private volatile Thread running;
    private volatile boolean stopRequested;

    public ObjectExecutionControl(ClasspathLoaderDelegate loader) {
        super(loader);
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object[] value = new Object[1];
        Throwable[] failure = new Throwable[1];
        stopRequested = false;
        Thread worker = new Thread(() -> {
            try {
                value[0] = doitMethod.invoke(null);
            } catch (InvocationTargetException e) {
                failure[0] = e.getCause();
            } catch (Throwable t) { // ThreadDeath from stop() lands here when it hits outside user frames
                failure[0] = t;
            }
        }, "neurolens-cell");
        // The kernel's context loader, so libraries that use it (DJL's engine discovery, ServiceLoader) work.
        worker.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        running = worker;
        try {
            worker.start();
            worker.join();
        } finally {
            running = null;
        }
        if (stopRequested) {
            throw new InvocationTargetException(new Interrupted());
        }
        if (failure[0] != null) {
            throw new InvocationTargetException(failure[0]);
        }
        String key = KEY_PREFIX + counter.incrementAndGet();
        if (value[0] != null) {
            results.put(key, value[0]);
        }
        return key;
    }

    /** The object a snippet produced, removed so results don't pile up across cells. */
    public Object takeResult(String key) {
        return key == null ? null : results.remove(key);
    }

    public static boolean isResultKey(String value) {
        return value != null && value.startsWith(KEY_PREFIX);
    }

    public void clearResults() {
        results.clear();
    }

    /**
     * Interrupt: first the polite way (Thread.interrupt wakes sleeps, waits and loops that check it), then,
     * if user code ignores it, Thread.stop so a busy loop still ends and the kernel survives.
     */
    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread t = running;
        if (t == null) {
            return;
        }
        stopRequested = true;
        t.interrupt();
        try {
            t.join(STOP_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            t.stop();
        }
    }
}
