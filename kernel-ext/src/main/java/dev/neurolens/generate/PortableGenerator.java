package dev.neurolens.generate;

import dev.neurolens.model.WeightsFiles;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A generator as bytes (its weights as safetensors, from which {@link Generator#load} rebuilds a DCGAN or a
 * Progressive GAN), to send to another JVM such as a cluster's executors. {@link #open()} builds it once per JVM and
 * weights and keeps it for later tasks.
 */
public final class PortableGenerator implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Generator> OPEN = new ConcurrentHashMap<>();

    private final String hash;
    private final int zDim;
    private final byte[] safetensors;

    private PortableGenerator(String hash, int zDim, byte[] safetensors) {
        this.hash = hash;
        this.zDim = zDim;
        this.safetensors = safetensors;
    }

    public static PortableGenerator of(Generator g) {
        if (!g.hasLayers()) {
            throw new IllegalArgumentException("a TorchScript generator cannot travel to other JVMs; load it from "
                    + "its weights (Generator.load of a .pth or .safetensors state_dict)");
        }
        byte[] bytes = WeightsFiles.safetensorsBytes(g.network().parameters());
        return new PortableGenerator(g.network().weightsHash(), g.zDim(), bytes);
    }

    /** The generator, built on first use in this JVM and shared by later calls; do not close it. */
    public Generator open() {
        return OPEN.computeIfAbsent(hash, key -> {
            try {
                Path tmp = Files.createTempFile("neurolens-generator-" + hash, ".safetensors");
                try {
                    Files.write(tmp, safetensors);
                    Generator g = Generator.load(tmp);
                    if (g.zDim() != zDim) {
                        throw new IllegalStateException("the generator rebuilt here takes codes of " + g.zDim()
                                + ", the original " + zDim);
                    }
                    return g;
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the generator's weights to a temporary file: "
                        + e.getMessage(), e);
            }
        });
    }
}
