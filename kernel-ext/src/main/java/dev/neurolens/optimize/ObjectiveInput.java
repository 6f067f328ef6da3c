package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What an {@link Objective} sees in one step: the image fed to the network (after transforms), the
 * captured layer outputs, and native copies of constant targets, made once per render and reused.
 */
public final class ObjectiveInput {
    private final NDArray image;
    private final Map<String, NDArray> layers;
    private final Constants constants;

    ObjectiveInput(NDArray image, Map<String, NDArray> layers, Constants constants) {
        this.image = image;
        this.layers = layers;
        this.constants = constants;
    }

    /**
     * What an objective sees for an image computed elsewhere (a generator's picture): {@code layers} by the names
     * the objective asks for; constants are copied into {@code constants}, which must outlive the input.
     */
    public static ObjectiveInput of(NDArray image, Map<String, NDArray> layers, NDManager constants) {
        return new ObjectiveInput(image, layers, new Constants(constants));
    }

    /** The image in the network's normalized input space, {@code [N, C, H, W]}. */
    public NDArray image() {
        return image;
    }

    /** A captured layer's output by the name the objective asked for ("output" for the logits). */
    public NDArray layer(String name) {
        NDArray a = layers.get(name);
        if (a == null) {
            throw new IllegalStateException("layer '" + name + "' was not captured; captured: " + layers.keySet());
        }
        return a;
    }

    public Set<String> layerNames() {
        return layers.keySet();
    }

    /** A native copy of a constant (a target Gram matrix, content features), made once per render. */
    public NDArray constant(Tensor t) {
        return constants.get(t);
    }

    /** Native copies of heap tensors that live as long as one render. */
    static final class Constants {
        private final NDManager manager;
        private final Map<Tensor, NDArray> cache = new IdentityHashMap<>();

        Constants(NDManager manager) {
            this.manager = manager;
        }

        NDArray get(Tensor t) {
            return cache.computeIfAbsent(t, k -> k.toNDArray(manager));
        }
    }
}
