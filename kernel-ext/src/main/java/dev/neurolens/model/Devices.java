package dev.neurolens.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.neurolens.model.internal.ConvolutionCheck;
import dev.neurolens.model.internal.Torch;

/** Which device the models run on: the first GPU when libtorch sees CUDA, else the CPU. */
public final class Devices {
    private static volatile Device current;

    private Devices() {
    }

    public static Device current() {
        Device d = current;
        if (d == null) {
            synchronized (Devices.class) {
                if (current == null) {
                    ConvolutionCheck.ensureChecked();
                    current = gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
                }
                d = current;
            }
        }
        return d;
    }

    /**
     * Makes GPU {@code index} this JVM's device when libtorch sees it and nothing has run yet (a cluster executor
     * that was given its own GPU); otherwise keeps the current device. Returns the device in use.
     */
    public static Device assign(int index) {
        synchronized (Devices.class) {
            if (current == null && index >= 0 && index < gpuCount()) {
                ConvolutionCheck.ensureChecked();
                current = Device.gpu(index);
            }
        }
        return current();
    }

    /** Number of CUDA devices libtorch can use (0 on CPU-only builds or machines). */
    public static int gpuCount() {
        return engine().getGpuCount();
    }

    /** One line for {@code %device}: device in use, CUDA, libtorch version, threads. */
    public static String describe() {
        Engine e = engine();
        int gpus = e.getGpuCount();
        return String.format("device %s; CUDA %s (%d GPU%s); libtorch %s (DJL %s); threads %d intra-op, %d inter-op",
                current(), gpus > 0 ? "available" : "not available", gpus, gpus == 1 ? "" : "s",
                Torch.libtorchVersion(), Engine.getDjlVersion(), Torch.intraOpThreads(),
                Torch.interOpThreads());
    }

    /** What the start-up convolution check found on this CPU (oneDNN on, or off because it was wrong here). */
    public static String convolutions() {
        return ConvolutionCheck.describe();
    }

    public static String libtorchVersion() {
        engine();
        return Torch.libtorchVersion();
    }

    /** libtorch's intra-op and inter-op thread counts. */
    public static int[] threads() {
        engine();
        return new int[] {Torch.intraOpThreads(), Torch.interOpThreads()};
    }

    /** Sets libtorch's intra-op thread count (e.g. to compare with a peer at equal threads). */
    public static void setThreads(int threads) {
        engine();
        Torch.setIntraOpThreads(threads);
    }

    static Engine engine() {
        return Engine.getEngine("PyTorch");
    }
}
