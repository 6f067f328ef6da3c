package dev.neurolens.model.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.SymbolBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one place that calls DJL's PyTorch engine directly (JniUtils, Pt* types, IValue): libtorch operations DJL's
 * NDArray API lacks or hides. Only {@code dev.neurolens.model} classes use it; code elsewhere reaches these through
 * the public model API ({@code Autograd}, {@code NDArrayOps}, {@code ScriptModule}, {@code Adam}, {@code Devices}).
 * Arrays must come from PyTorch managers (every manager of this project is one).
 */
public final class Torch {
    private Torch() {
    }

    // ---- autograd ----

    /** Runs {@code body} with autograd's recording off, then restores the mode. */
    public static <T> T withoutGradients(Supplier<T> body) {
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(mode);
        }
    }

    /** Sets a leaf's gradient to zero in place. */
    public static void zeroGradient(NDArray leaf) {
        JniUtils.zeroGrad((PtNDArray) leaf);
    }

    /** Vector-Jacobian product of {@code root} with {@code gradient} into the leaves below it, keeping the graph. */
    public static void backwardKeepingGraph(NDArray root, NDArray gradient) {
        JniUtils.backward((PtNDArray) root, (PtNDArray) gradient, true, false);
    }

    // ---- operations ----

    /** torch's interpolate(mode="bilinear", align_corners=False) of an {@code [N, C, H, W]} array; differentiable. */
    public static NDArray resizeBilinear(NDArray x, long height, long width) {
        return JniUtils.interpolate((PtNDArray) x, new long[] {height, width}, 2, false);
    }

    /** torch's batch_norm over {@code [N, C, ...]}; in training mode it uses the batch's statistics. */
    public static NDArray batchNorm(NDArray x, NDArray runningMean, NDArray runningVar, NDArray weight, NDArray bias,
                                    boolean training, double momentum, double eps) {
        return JniUtils.batchNorm((PtNDArray) x, (PtNDArray) runningMean, (PtNDArray) runningVar, (PtNDArray) weight,
                (PtNDArray) bias, training, momentum, eps);
    }

    // ---- threads and versions ----

    public static String libtorchVersion() {
        return LibUtils.getVersion();
    }

    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    public static int interOpThreads() {
        return JniUtils.getNumInteropThreads();
    }

    public static void setIntraOpThreads(int threads) {
        JniUtils.setNumThreads(threads);
    }

    // ---- TorchScript ----

    /**
     * Loads a TorchScript module into {@code manager} in eval mode (batch norm and dropout as in inference); its
     * weights stay ordinary tensors, so autograd flows through them.
     */
    public static SymbolBlock loadScript(NDManager manager, Path file) {
        PtSymbolBlock block = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0],
                true);
        JniUtils.enableInferenceMode(block);
        return block;
    }

    /** Frees a module's native handle (its manager is closed separately). */
    public static void closeScript(SymbolBlock block) {
        ((PtSymbolBlock) block).close();
    }

    /** The methods a TorchScript module exports. */
    public static List<String> scriptMethods(SymbolBlock block) {
        return List.of(JniUtils.getMethodNames((PtSymbolBlock) block));
    }

    /**
     * Calls {@code method} on {@code x} with gradients allowed; a tensor result (or, with {@code firstOfTuple}, the
     * first item of a tuple) lands in {@code into}. Any other result throws {@code IllegalStateException("<who>
     * returned <type>, expected <expected>")}.
     */
    public static NDArray callForTensor(SymbolBlock block, String method, NDArray x, NDManager into,
                                        boolean firstOfTuple, String who, String expected) {
        try (IValue in = IValue.from((PtNDArray) x); IValue out = run((PtSymbolBlock) block, method, in)) {
            if (out.isTensor()) {
                return out.toTensor((PtNDManager) into);
            }
            if (firstOfTuple && out.isTuple()) {
                IValue[] items = out.toIValueTuple();
                try {
                    return items[0].toTensor((PtNDManager) into);
                } finally {
                    Arrays.stream(items).forEach(IValue::close);
                }
            }
            throw new IllegalStateException(who + " returned " + out.getType() + ", expected " + expected);
        }
    }

    /** Calls {@code method} on {@code x} with gradients allowed, for a {@code Dict[str, Tensor]} result. */
    public static Map<String, NDArray> callForMap(SymbolBlock block, String method, NDArray x, NDManager into) {
        try (IValue in = IValue.from((PtNDArray) x); IValue out = run((PtSymbolBlock) block, method, in)) {
            Map<String, IValue> map = out.toIValueMap();
            Map<String, NDArray> result = new LinkedHashMap<>();
            for (var e : map.entrySet()) {
                try (IValue v = e.getValue()) {
                    result.put(e.getKey(), v.toTensor((PtNDManager) into));
                }
            }
            return result;
        }
    }

    /**
     * DJL's public entry points run TorchScript methods under inference mode (no gradients); the native call
     * underneath takes an is-train flag that lifts it without switching modules to training mode, so BatchNorm and
     * Dropout stay in eval. That call is package-private in DJL, hence reflection.
     */
    private static final class ScriptCall {
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
    }

    /** Calls {@code method} on the module with gradients allowed; the caller closes the result. */
    private static IValue run(PtSymbolBlock block, String method, IValue... args) {
        long[] handles = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            handles[i] = args[i].getHandle();
        }
        try {
            long h = (long) ScriptCall.RUN.invoke(ScriptCall.LIB, block.getHandle(), method, handles, true, false);
            return ScriptCall.IVALUE.newInstance(h);
        } catch (InvocationTargetException e) {
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
