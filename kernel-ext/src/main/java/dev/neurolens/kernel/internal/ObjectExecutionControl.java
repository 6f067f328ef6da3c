package dev.neurolens.kernel.internal;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl.EngineTerminationException;
import jdk.jshell.spi.ExecutionControl.InternalException;
import jdk.jshell.spi.ExecutionControl.RunException;

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

        /** With the stack of the cell code that polled: tells whether it stopped inside a static initialiser. */
        Interrupted(boolean withStack) {
            super("the cell was interrupted", null, false, withStack);
        }
    }

    private static final String KEY_PREFIX = "\u0000neurolens-result-";
    /** How long a stop waits for the cell before saying where it is still busy. */
    private static final long STOP_GRACE_MILLIS = 1500;

    private final Map<String, Object> results = new ConcurrentHashMap<>();
    /** Set while {@link #readVariable} runs: where {@link #varValue} leaves the live object it read. */
    private final ThreadLocal<Object[]> variableSlot = new ThreadLocal<>();
    private final AtomicLong counter = new AtomicLong();
    private volatile Thread running;
    private volatile boolean stopRequested;
    private volatile String interruptedInitializer;
    /** A cell is being compiled or run: an interrupt that comes before its code starts still stops it. */
    private volatile boolean inCell;
    private volatile boolean pendingStop;

    public ObjectExecutionControl(ClasspathLoaderDelegate loader) {
        super(loader);
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object[] value = new Object[1];
        Throwable[] failure = new Throwable[1];
        interruptedInitializer = null;
        if (pendingStop) {
            stopRequested = true;
            throw new InvocationTargetException(new Interrupted());
        }
        stopRequested = false;
        Interrupts.clear();
        Thread worker = new Thread(() -> {
            try {
                value[0] = doitMethod.invoke(null);
            } catch (InvocationTargetException e) {
                failure[0] = e.getCause();
            } catch (Throwable t) { // errors thrown outside user frames (a class that failed to load, ...)
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
            interruptedInitializer = initializerOf(failure[0]);
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

    /**
     * The live object behind a variable: {@code read} calls JShell's {@code varValue}, which reaches
     * {@link #varValue} here; JShell itself hands back only the text.
     */
    public Object readVariable(Runnable read) {
        Object[] slot = new Object[1];
        variableSlot.set(slot);
        try {
            read.run();
        } finally {
            variableSlot.remove();
        }
        return slot[0];
    }

    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException,
            InternalException {
        Object[] slot = variableSlot.get();
        if (slot != null) {
            try {
                Field f = findClass(className).getDeclaredField(varName);
                f.setAccessible(true);
                slot[0] = f.get(null);
            } catch (ReflectiveOperationException e) {
                throw new InternalException("cannot read " + varName + ": " + e);
            }
        }
        return super.varValue(className, varName);
    }

    public static boolean isResultKey(String value) {
        return value != null && value.startsWith(KEY_PREFIX);
    }

    public void clearResults() {
        results.clear();
    }

    /**
     * The binary name of the cell-defined class whose static initialiser the interrupt stopped, or null. Such a
     * class is unusable from then on (the JVM marks it erroneous); the kernel defines it again.
     */
    public String takeInterruptedInitializer() {
        String c = interruptedInitializer;
        interruptedInitializer = null;
        return c;
    }

    private static String initializerOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ExceptionInInitializerError) {
                for (StackTraceElement f : t.getCause() == null ? t.getStackTrace() : t.getCause().getStackTrace()) {
                    if (f.getMethodName().equals("<clinit>") && f.getClassName().startsWith("REPL.")) {
                        return f.getClassName();
                    }
                }
            }
        }
        return null;
    }

    /**
     * Interrupt without {@code Thread.stop}: the flag that cells' code polls at every loop turn and call
     * ({@link StopPoints}) plus {@link Thread#interrupt()}, which wakes sleeps and waits and stops library loops
     * between steps. If the cell is still busy after a grace period (inside a library call that does not check),
     * one line says where, that it stops at its next check, and that a restart frees the kernel at once.
     */
    /** The kernel starts a cell (compiling it may take a moment before any snippet runs). */
    public void beginCell() {
        pendingStop = false;
        inCell = true;
    }

    /** The cell is done: a later interrupt has nothing to stop. */
    public void endCell() {
        inCell = false;
        pendingStop = false;
    }

    @Override
    public void stop() {
        Thread t = running;
        if (t == null) {
            pendingStop = inCell; // between snippets, or before the first one started: stop at the next
            return;
        }
        stopRequested = true;
        Interrupts.request();
        t.interrupt();
        try {
            t.join(STOP_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            System.err.println("Interrupt requested, but the cell is busy in " + busyIn(t) + ", which does not check"
                    + " for interrupts; it stops at its next check. To stop it now, restart the kernel"
                    + " (Kernel > Restart); variables are lost.");
        }
    }

    private static String busyIn(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            String c = f.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                return c + "." + f.getMethodName() + "()";
            }
        }
        StackTraceElement[] all = t.getStackTrace();
        return all.length == 0 ? "native code" : all[0].getClassName() + "." + all[0].getMethodName() + "()";
    }
}
