package dev.neurolens.model;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * One named node of a {@link Network}, named as in torchvision's state_dict ({@code features.12},
 * {@code layer4.1.conv2}). A layer is pure architecture: its weights live in the network and reach it
 * through the {@link ForwardPass}, so the same layer can be evaluated with hooks, overrides or other weights.
 */
public interface Layer {

    /** Full dotted name, e.g. {@code features.3.expand3x3}. */
    String name();

    LayerKind kind();

    /** Direct children in evaluation order; empty for leaves. */
    List<Layer> children();

    /**
     * Evaluates the layer on {@code x} and returns its output after {@link ForwardPass#emit} (which applies
     * hooks and captures). New arrays must be created from {@code x}'s manager so they die with the call.
     */
    NDArray forward(NDArray x, ForwardPass pass);

    /** Shapes of the parameters this layer and its children own, by full state_dict name. */
    Map<String, long[]> parameterShapes();

    /**
     * Receptive field of this layer's output given that of its input; records its own and its
     * children's fields into {@code sink} by name.
     */
    ReceptiveField receptiveField(ReceptiveField input, Map<String, ReceptiveField> sink);

    /** Short description, e.g. {@code Conv2d(3, 64, kernel=3, stride=1, padding=1)}. */
    String describe();
}
