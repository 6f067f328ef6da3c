package dev.neurolens.model;


import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network as bytes (its registered architecture's name and its weights as safetensors), to send to another JVM,
 * such as a cluster's executors. {@link #open()} there builds the network once per JVM and weights, and keeps it
 * for every later task: loading a model per task would cost more than most tasks.
 */
public final class PortableNetwork implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Network> OPEN = new ConcurrentHashMap<>();

    private final String architecture;
    private final String source;
    private final String hash;
    private final byte[] safetensors;

    private PortableNetwork(String architecture, String source, String hash, byte[] safetensors) {
        this.architecture = architecture;
        this.source = source;
        this.hash = hash;
        this.safetensors = safetensors;
    }

    /** {@code net}'s architecture name and weights; the architecture must be one {@link Architecture#of} knows. */
    public static PortableNetwork of(Network net) {
        String name = net.name();
        if (!Architecture.names().contains(name)) {
            throw new IllegalArgumentException("the network '" + name + "' has no registered architecture, so another"
                    + " JVM cannot rebuild it; use a built-in or registry architecture (" + String.join(", ",
                    Architecture.names()) + ")");
        }
        byte[] bytes = WeightsFiles.safetensorsBytes(net.parameters());
        return new PortableNetwork(name, net.source(), net.weightsHash(), bytes);
    }

    /** The network, built on first use in this JVM and shared by later calls; do not close it. */
    public Network open() {
        return OPEN.computeIfAbsent(architecture + "@" + hash, key -> Architecture.of(architecture)
                .load(new ByteArrayInputStream(safetensors), source));
    }

    public String architecture() {
        return architecture;
    }

    public String weightsHash() {
        return hash;
    }

    /** Size of the weights in bytes, as sent. */
    public int size() {
        return safetensors.length;
    }
}
