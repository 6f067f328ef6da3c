package dev.neurolens.magics;

import java.util.List;

import ai.djl.Device;
import dev.neurolens.model.Devices;

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
        Device device = Devices.current();
        int[] threads = Devices.threads();
        return new TextTable("Compute device", List.of("", ""), List.of(
                List.of("device in use", device + (device.isGpu() ? " (GPU)" : " (CPU)")),
                List.of("CUDA GPUs visible", String.valueOf(Devices.gpuCount())),
                List.of("libtorch", Devices.libtorchVersion() + " (DJL " + Versions.djl() + ")"),
                List.of("CPU threads", threads[0] + " intra-op, " + threads[1] + " inter-op"),
                List.of("CPU convolutions", Devices.convolutions())));
    }
}
