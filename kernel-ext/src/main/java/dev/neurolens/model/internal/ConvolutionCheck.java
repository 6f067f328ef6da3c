package dev.neurolens.model.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * A start-up self-check of libtorch's CPU convolutions. libtorch 2.7.1 bundles oneDNN 3.7.1, which on some
 * (virtual) x86-64 CPUs computes convolutions wrongly: the input gradient when the output channels are not a
 * multiple of its register block (16 with AVX-512, 8 with AVX2), and even the forward pass for some input channel
 * counts. Weight gradients stay right, so training "works" while every picture made by a gradient is garbage or
 * NaN. The cause is the CPU reporting no cache sizes (CPUID leaves 4 / 0x8000001D read as zero in some VMs),
 * which oneDNN sizes its kernels from.
 *
 * <p>The check runs a few tiny convolutions against an exact answer built from matrix products, and
 * when they differ switches oneDNN off for the whole process (torch's {@code torch.backends.mkldnn.enabled =
 * False}), so libtorch uses its own im2col convolutions. That switch is global to libtorch's operator dispatch,
 * so TorchScript models are covered too. Healthy CPUs keep oneDNN: nothing changes on the fast path.
 * {@code -Dneurolens.onednn=on|off|auto} (or {@code NEUROLENS_ONEDNN}) overrides the decision.
 */
public final class ConvolutionCheck {
    /** What the check found. */
    public enum State {
        /** oneDNN convolutions are exact on this CPU; they stay on. */
        HEALTHY,
        /** oneDNN was wrong here and is now off; libtorch's own convolutions are exact. */
        REPAIRED,
        /** Still wrong with oneDNN off, or it could not be switched off: gradients through convolutions are wrong. */
        FAULTY,
        /** The user forced a mode with {@code neurolens.onednn}; no probe ran. */
        FORCED
    }

    private static final double TOLERANCE = 1e-4;
    private static volatile State state;
    private static volatile String summary = "not checked yet";

    private ConvolutionCheck() {
    }

    /** Runs the check once per process (later calls return at once). */
    public static State ensureChecked() {
        State s = state;
        if (s != null) {
            return s;
        }
        synchronized (ConvolutionCheck.class) {
            if (state == null) {
                state = check();
            }
            return state;
        }
    }

    /** One line for {@code %device}: what the check found and what runs convolutions now. */
    public static String describe() {
        ensureChecked();
        return summary;
    }

    private static State check() {
        String mode = System.getProperty("neurolens.onednn", System.getenv().getOrDefault("NEUROLENS_ONEDNN", "auto"))
                .trim().toLowerCase(Locale.ROOT);
        if (mode.equals("on") || mode.equals("off")) {
            boolean on = mode.equals("on");
            if (!on && !setOneDnn(false)) {
                summary = "oneDNN could not be switched off (neurolens.onednn=off): libtorch_cpu not found";
                return State.FORCED;
            }
            summary = "oneDNN convolutions " + (on ? "on" : "off") + " (set by neurolens.onednn=" + mode + ")";
            return State.FORCED;
        }
        int wrong = wrongProbes();
        if (wrong == 0) {
            summary = "oneDNN convolutions on (start-up check: exact)";
            return State.HEALTHY;
        }
        if (setOneDnn(false) && wrongProbes() == 0) {
            summary = "oneDNN convolutions off: on this CPU oneDNN computed " + wrong + " of " + PROBES.size()
                    + " check convolutions wrongly, so libtorch's own (exact, slower) convolutions run instead";
            System.err.println("Neurolens: " + summary + ".");
            return State.REPAIRED;
        }
        summary = "convolutions on this CPU are WRONG (" + wrong + " of " + PROBES.size() + " checks): restart"
                + " with ONEDNN_MAX_CPU_ISA=SSE41 in the environment (exact, slower)";
        System.err.println("Neurolens: " + summary + ".");
        return State.FAULTY;
    }

    /** One probe: input {@code n x in x 9 x 9}, weight {@code out x in x k x k}, stride, padding. */
    record Probe(int n, int in, int out, int kernel, int stride, int padding) {
    }

    /** Shapes that went wrong on an affected AMD EPYC (AVX-512) VM, in forward or input gradient. */
    static final List<Probe> PROBES = List.of(
            new Probe(2, 16, 3, 3, 1, 1),    // output channels below the block, 3x3
            new Probe(1, 16, 8, 4, 2, 1),    // DCGAN's last layers: 8 outputs, 4x4, stride 2
            new Probe(2, 16, 24, 3, 1, 1),   // not a multiple of 16 above it
            new Probe(2, 17, 16, 3, 1, 1),   // forward wrong: 17 input channels
            new Probe(3, 48, 16, 2, 1, 1));  // input gradient wrong with a full block of outputs

    /**
     * Runs every probe with the current oneDNN setting and returns how many differ from the exact answer
     * (forward or input gradient). Public for the guard test, which reproduces the fault directly.
     */
    public static int wrongProbes() {
        int wrong = 0;
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            for (Probe p : PROBES) {
                try (NDManager s = m.newSubManager()) {
                    if (probeError(s, engine, p) > TOLERANCE) {
                        wrong++;
                    }
                }
            }
        }
        return wrong;
    }

    /** Largest relative error of libtorch's forward and input gradient against the exact answer. */
    static double probeError(NDManager s, Engine engine, Probe p) {
        // deterministic, well-scaled values without touching the engine's random state
        NDArray x = wave(s, new Shape(p.n, p.in, 9, 9), 0.37f);
        NDArray w = wave(s, new Shape(p.out, p.in, p.kernel, p.kernel), 0.71f).div(p.in * p.kernel);
        x.setRequiresGradient(true);
        NDArray y;
        NDArray r;
        try (GradientCollector gc = engine.newGradientCollector()) {
            y = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(p.stride, p.stride),
                    new Shape(p.padding, p.padding), new Shape(1, 1), 1).singletonOrThrow();
            r = wave(s, y.getShape(), 0.53f);
            gc.backward(y.mul(r).sum());
        }
        NDArray grad = x.getGradient().duplicate();
        NDArray xe = x.stopGradient();
        xe.setRequiresGradient(true);
        NDArray ye;
        try (GradientCollector gc = engine.newGradientCollector()) {
            ye = exact(xe, w, p.stride, p.padding);
            gc.backward(ye.mul(r).sum());
        }
        return Math.max(relative(y, ye), relative(grad, xe.getGradient()));
    }

    private static NDArray wave(NDManager s, Shape shape, float phase) {
        NDArray i = s.arange((float) shape.size()).reshape(shape);
        return i.mul(phase).sin().add(i.mul(phase * 0.13f).cos().mul(0.5f));
    }

    private static double relative(NDArray got, NDArray want) {
        double d = got.sub(want).norm().getFloat();
        double n = want.norm().getFloat();
        return Double.isFinite(d) ? d / Math.max(n, 1e-12) : Double.POSITIVE_INFINITY;
    }

    /** The convolution as a sum over kernel taps of matrix products: no convolution kernel involved. */
    static NDArray exact(NDArray x, NDArray w, int stride, int padding) {
        long n = x.getShape().get(0);
        long in = x.getShape().get(1);
        long h = x.getShape().get(2);
        long wd = x.getShape().get(3);
        int k = (int) w.getShape().get(2);
        NDArray xp = x;
        if (padding > 0) {
            NDArray rows = x.getManager().zeros(new Shape(n, in, padding, wd));
            xp = rows.concat(x, 2).concat(rows, 2);
            NDArray cols = x.getManager().zeros(new Shape(n, in, h + 2L * padding, padding));
            xp = cols.concat(xp, 3).concat(cols, 3);
        }
        long oh = (h + 2L * padding - k) / stride + 1;
        long ow = (wd + 2L * padding - k) / stride + 1;
        NDArray y = null;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                NDArray taps = xp.get(":, :, " + i + ":" + (i + (oh - 1) * stride + 1) + ":" + stride + ", " + j
                        + ":" + (j + (ow - 1) * stride + 1) + ":" + stride);
                NDArray term = taps.transpose(0, 2, 3, 1).matMul(w.get(":, :, " + i + ", " + j).transpose());
                y = y == null ? term : y.add(term);
            }
        }
        return y.transpose(0, 3, 1, 2);
    }

    /**
     * Switches libtorch's use of oneDNN (torch's {@code torch.backends.mkldnn.enabled}) for the whole process.
     * DJL has no binding for it, so this calls {@code at::Context::setUserEnabledMkldnn} in the loaded
     * libtorch_cpu through JNA. Returns false when the library or symbol is not found.
     */
    public static synchronized boolean setOneDnn(boolean enabled) {
        Engine.getEngine("PyTorch");
        Path lib = loadedLibrary("libtorch_cpu");
        if (lib == null) {
            return false;
        }
        try {
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            Function set = torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb");
            set.invokeVoid(new Object[] {context, enabled});
            return oneDnnEnabled(torch, context) == enabled;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static boolean oneDnnEnabled(NativeLibrary torch, Pointer context) {
        return (torch.getFunction("_ZNK2at7Context17userEnabledMkldnnEv").invokeInt(new Object[] {context}) & 0xff)
                != 0;
    }

    /** The path of a native library this process has loaded, from /proc/self/maps (Linux), or null. */
    private static Path loadedLibrary(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.contains("/" + name + ".so")) {
                    return Path.of(line.substring(slash).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
