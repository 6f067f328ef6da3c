package dev.neurolens.kernel.internal;

import java.util.Map;

import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/** Hands JShell our in-process execution control and remembers it, so the kernel can fetch result objects. */
public final class ObjectExecutionControlProvider implements ExecutionControlProvider {
    private final ClassLoader parent;
    private volatile ObjectExecutionControl control;

    public ObjectExecutionControlProvider(ClassLoader parent) {
        this.parent = parent;
    }

    @Override
    public String name() {
        return "neurolens";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        control = new ObjectExecutionControl(new ClasspathLoaderDelegate(parent));
        return control;
    }

    public ObjectExecutionControl control() {
        return control;
    }
}
