package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.SymbolBlock;
import ai.djl.util.PairList;
import dev.neurolens.model.internal.Torch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript module on the current device, in eval mode (batch norm and dropout as in inference), whose methods
 * run with gradients allowed (DJL's own calls run under inference mode). It owns its native memory: close it.
 */
public final class ScriptModule implements AutoCloseable {
    private final NDManager manager;
    private final SymbolBlock block;
    private final List<String> methods;

    private ScriptModule(NDManager manager, SymbolBlock block) {
        this.manager = manager;
        this.block = block;
        this.methods = Torch.scriptMethods(block);
    }

    /** Loads {@code file}; the engine's exception passes through (nothing is left allocated) when it cannot. */
    public static ScriptModule load(Path file) {
        NDManager manager = NDManager.newBaseManager(Devices.current(), "PyTorch");
        try {
            return new ScriptModule(manager, Torch.loadScript(manager, file));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The manager holding the module; scopes for calls are its sub-managers. */
    public NDManager manager() {
        return manager;
    }

    /** Methods the module exports (forward, activations, ...). */
    public List<String> methods() {
        return methods;
    }

    /** The module's own parameters (not its submodules'), by name. */
    public PairList<String, Parameter> directParameters() {
        return block.getDirectParameters();
    }

    /**
     * {@code forward(x)} into {@code into}: its tensor, or the first item when it returns a tuple (logits, ...);
     * anything else is an {@code IllegalStateException}.
     */
    public NDArray forward(NDArray x, NDManager into) {
        return Torch.callForTensor(block, "forward", x, into, true, "forward", "a tensor");
    }

    /**
     * {@code forward(x)} into {@code into} when it returns one tensor; anything else is an
     * {@code IllegalStateException("<who> returned <type>, expected <expected>")}.
     */
    public NDArray forwardTensor(NDArray x, NDManager into, String who, String expected) {
        return Torch.callForTensor(block, "forward", x, into, false, who, expected);
    }

    /** {@code method(x)} for a method returning {@code Dict[str, Tensor]}, into {@code into}. */
    public Map<String, NDArray> callForMap(String method, NDArray x, NDManager into) {
        return Torch.callForMap(block, method, x, into);
    }

    @Override
    public void close() {
        Torch.closeScript(block);
        manager.close();
    }
}
