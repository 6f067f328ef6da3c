package dev.neurolens.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.internal.Names;
import dev.neurolens.model.internal.ScriptCalls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    private final PtNDManager manager;
    private final PtSymbolBlock block;
    private final ModelInfo info;
    private final List<String> methods;
    private List<String> layerNames;

    private TorchScriptModel(PtNDManager manager, PtSymbolBlock block, ModelInfo info) {
        this.manager = manager;
        this.block = block;
        this.info = info;
        this.methods = List.of(JniUtils.getMethodNames(block));
    }

    static TorchScriptModel load(Path file, ModelInfo info) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("TorchScript file " + file.toAbsolutePath() + " does not exist");
        }
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Devices.current(), "PyTorch");
        try {
            // trainParam=true: weights stay normal tensors, so autograd can flow through them
            PtSymbolBlock block = JniUtils.loadModule(manager, file, true, new String[0], new String[0], true);
            JniUtils.enableInferenceMode(block); // module.eval(): batch norm and dropout in eval mode
            return new TorchScriptModel(manager, block, info);
        } catch (RuntimeException e) {
            manager.close();
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
        block.close();
        manager.close();
    }

    private NDArray forward(NDArray x, NDManager scope) {
        try (IValue in = IValue.from((PtNDArray) x); IValue out = ScriptCalls.run(block, "forward", in)) {
            if (out.isTensor()) {
                return out.toTensor((PtNDManager) scope);
            }
            if (out.isTuple()) { // (logits, ...) : take the first
                IValue[] items = out.toIValueTuple();
                try {
                    return items[0].toTensor((PtNDManager) scope);
                } finally {
                    Arrays.stream(items).forEach(IValue::close);
                }
            }
            throw new IllegalStateException("forward returned " + out.getType() + ", expected a tensor");
        }
    }

    private Map<String, NDArray> activations(NDArray x, NDManager scope) {
        if (!methods.contains(ACTIVATIONS)) {
            throw new UnsupportedOperationException("this TorchScript module exports no '" + ACTIVATIONS
                    + "' method, so its intermediate outputs are not reachable; methods: " + methods
                    + ". Add @torch.jit.export def activations(self, x) -> Dict[str, Tensor].");
        }
        try (IValue in = IValue.from((PtNDArray) x); IValue out = ScriptCalls.run(block, ACTIVATIONS, in)) {
            Map<String, IValue> map = out.toIValueMap();
            Map<String, NDArray> result = new LinkedHashMap<>();
            for (var e : map.entrySet()) {
                try (IValue v = e.getValue()) {
                    result.put(e.getKey(), v.toTensor((PtNDManager) scope));
                }
            }
            return result;
        }
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
