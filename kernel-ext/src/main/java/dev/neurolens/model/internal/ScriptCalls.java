package dev.neurolens.model.internal;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Runs a TorchScript method with autograd allowed. DJL's public entry points run methods under inference
 * mode (no gradients); the native call underneath takes an is-train flag that lifts it without switching
 * modules to training mode, so BatchNorm and Dropout stay in eval. That call is package-private in DJL,
 * hence reflection.
 */
public final class ScriptCalls {
    private static final Object LIB;
    private static final Method RUN;
    private static final Constructor<IValue> IVALUE;

    static {
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field f = lib.getDeclaredField("LIB");
            f.setAccessible(true);
            LIB = f.get(null);
            RUN = lib.getDeclaredMethod("moduleRunMethod", long.class, String.class, long[].class, boolean.class,
                    boolean.class);
            RUN.setAccessible(true);
            IVALUE = IValue.class.getDeclaredConstructor(long.class);
            IVALUE.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this DJL version does not expose moduleRunMethod: " + e);
        }
    }

    private ScriptCalls() {
    }

    /** Calls {@code method} on the module with gradients allowed; the caller closes the result. */
    public static IValue run(PtSymbolBlock block, String method, IValue... args) {
        long[] handles = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            handles[i] = args[i].getHandle();
        }
        try {
            long h = (long) RUN.invoke(LIB, block.getHandle(), method, handles, true, false);
            return IVALUE.newInstance(h);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
