package dev.neurolens.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's TorchScript model ({@code torch.jit.script(m).save(path)} or a traced module). {@code forward}
 * gives the logits. Intermediate outputs come from an exported method, by default {@code activations},
 * that returns {@code Dict[str, Tensor]}:
 *
 * <pre>
 * &#64;torch.jit.export
 * def activations(self, x: torch.Tensor) -&gt; Dict[str, torch.Tensor]:
 *     a = self.conv1(x); b = self.conv2(F.relu(a)); return {"conv1": a, "conv2": b}
 * </pre>
 *
 * The module runs in eval mode; gradients are still available.
 */
public final class TorchScriptModel implements Model {
    public static final String ACTIVATIONS = "activations";

    private final ScriptModule module;
    private final NDManager manager;
    private final ModelInfo info;
    private final List<String> methods;
    private List<String> layerNames;

    private TorchScriptModel(ScriptModule module, ModelInfo info) {
        this.module = module;
        this.manager = module.manager();
        this.info = info;
        this.methods = module.methods();
    }

    static TorchScriptModel load(Path file, ModelInfo info) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("TorchScript file " + file.toAbsolutePath() + " does not exist");
        }
        try {
            return new TorchScriptModel(ScriptModule.load(file), info);
        } catch (RuntimeException e) {
            throw new WeightsException("cannot load TorchScript file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** Methods the module exports (forward, activations, ...). */
    public List<String> methods() {
        return methods;
    }

    /** The keys of {@code activations(x)}, sorted, found by one pass on a blank input; empty without that method. */
    @Override
    public List<String> layerNames() {
        if (layerNames == null) {
            if (!methods.contains(ACTIVATIONS)) {
                layerNames = List.of();
            } else {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.zeros(new ai.djl.ndarray.types.Shape(1, info.channels(), info.crop(), info.crop()));
                    layerNames = activations(x, scope).keySet().stream().sorted().toList(); // dict order is not kept
                }
            }
        }
        return layerNames;
    }

    @Override
    public Tensor logits(Tensor input) {
        try (NDManager scope = manager.newSubManager()) {
            return Tensor.from(forward(input.toNDArray(scope), scope));
        }
    }

    @Override
    public Activations run(Tensor input, String... layers) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = input.toNDArray(scope);
            Map<String, NDArray> all = needsActivations(layers) ? activations(x, scope) : Map.of();
            Map<String, Tensor> out = new LinkedHashMap<>();
            Map<String, String> canonical = new LinkedHashMap<>();
            for (String l : layers) {
                out.put(l, Tensor.from(Network.OUTPUT.equals(l) ? forward(x, scope) : pick(all, l)));
                canonical.put(l, l);
            }
            return new Activations(out, canonical);
        }
    }

    @Override
    public Gradient gradient(Tensor input, String layer, Scalar scalar) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = input.toNDArray(scope);
            x.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = Network.OUTPUT.equals(layer) ? forward(x, scope) : pick(activations(x, scope), layer);
                NDArray s = scalar.of(out);
                value = s.toType(DataType.FLOAT32, false).getFloat();
                gc.backward(s);
            }
            return new Gradient(Tensor.from(x.getGradient()), value, layer, "input");
        }
    }

    @Override
    public void close() {
        module.close();
    }

    private NDArray forward(NDArray x, NDManager scope) {
        return module.forward(x, scope);
    }

    private Map<String, NDArray> activations(NDArray x, NDManager scope) {
        if (!methods.contains(ACTIVATIONS)) {
            throw new UnsupportedOperationException("this TorchScript module exports no '" + ACTIVATIONS
                    + "' method, so its intermediate outputs are not reachable; methods: " + methods
                    + ". Add @torch.jit.export def activations(self, x) -> Dict[str, Tensor].");
        }
        return module.callForMap(ACTIVATIONS, x, scope);
    }

    private boolean needsActivations(String[] layers) {
        for (String l : layers) {
            if (!Network.OUTPUT.equals(l)) {
                return true;
            }
        }
        return false;
    }

    private static NDArray pick(Map<String, NDArray> all, String layer) {
        NDArray a = all.get(layer);
        if (a == null) {
            List<String> names = new ArrayList<>(all.keySet());
            throw new IllegalArgumentException("layer '" + layer + "' not among the activations; closest: "
                    + String.join(", ", Names.closest(layer, names, 5)) + "; all: " + names);
        }
        return a;
    }
}
