package dev.neurolens.model;


import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network as bytes (its architecture's {@link Architecture.Recipe} and its weights as safetensors), to send to another JVM,
 * such as a cluster's executors. {@link #open()} there builds the network once per JVM and weights, and keeps it
 * for every later task: loading a model per task would cost more than most tasks.
 */
public final class PortableNetwork implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Network> OPEN = new ConcurrentHashMap<>();

    private final String architecture;
    private final Architecture.Recipe recipe;
    private final String source;
    private final String hash;
    private final byte[] safetensors;

    private PortableNetwork(String architecture, Architecture.Recipe recipe, String source, String hash,
                            byte[] safetensors) {
        this.architecture = architecture;
        this.recipe = recipe;
        this.source = source;
        this.hash = hash;
        this.safetensors = safetensors;
    }

    /**
     * {@code net}'s architecture recipe and weights: a registered architecture ({@link Architecture#of}), a built-in
     * one ({@code SceneClassifier}), or one of your own given {@link Architecture#rebuiltBy}.
     */
    public static PortableNetwork of(Network net) {
        String name = net.name();
        Architecture.Recipe recipe = net.architecture().recipe();
        if (recipe == null) {
            throw new IllegalArgumentException("the network '" + name + "' has no architecture recipe, so another"
                    + " JVM cannot rebuild it; build its architecture with Architecture.custom(...).rebuiltBy("
                    + "MyModels::architecture), a static method every worker has, or use a registered one ("
                    + String.join(", ", Architecture.names()) + ")");
        }
        byte[] bytes = WeightsFiles.safetensorsBytes(net.parameters());
        return new PortableNetwork(name, recipe, net.source(), net.weightsHash(), bytes);
    }

    /** The network, built on first use in this JVM and shared by later calls; do not close it. */
    public Network open() {
        return OPEN.computeIfAbsent(architecture + "@" + hash, key -> recipe.build()
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
