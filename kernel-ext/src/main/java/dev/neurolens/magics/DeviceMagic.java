package dev.neurolens.magics;

import java.util.List;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** {@code %device}: where tensors live (GPU when libtorch sees CUDA, else CPU) and what libtorch was loaded. */
public final class DeviceMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("device",
            "show the compute device in use (GPU when libtorch sees CUDA, else CPU) and the libtorch build").build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Engine engine = Engine.getEngine("PyTorch");
        Device device = engine.defaultDevice();
        int gpus = engine.getGpuCount();
        String threads = System.getProperty("ai.djl.pytorch.num_threads",
                Runtime.getRuntime().availableProcessors() + " (all cores)");
        return new TextTable("Compute device", List.of("", ""), List.of(
                List.of("device in use", device.toString() + (device.isGpu() ? " (GPU)" : " (CPU)")),
                List.of("CUDA GPUs visible", String.valueOf(gpus)),
                List.of("engine", engine.getEngineName() + " " + engine.getVersion()),
                List.of("CPU threads", threads)));
    }
}
