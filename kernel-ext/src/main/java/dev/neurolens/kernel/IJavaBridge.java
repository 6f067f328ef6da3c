package dev.neurolens.kernel;

import java.util.List;

import dev.neurolens.Neurolens;
import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Renderers;
import dev.neurolens.magics.Magic;
import dev.neurolens.magics.MagicRegistry;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;

/**
 * Loads the Neurolens extension into a stock IJava kernel (or any kernel on jupyter-jvm-basekernel): our
 * renderers join its renderer, our magics its magic registry, and display updates go through its IOPub.
 * In an IJava cell:
 * <pre>
 * %jars /path/to/neurolens/kernel-ext/target/neurolens.jar /path/to/neurolens/kernel-ext/target/lib/*.jar
 * dev.neurolens.kernel.IJavaBridge.install();
 * </pre>
 */
public final class IJavaBridge {
    private static final String[] MIMES = {MimeBundle.PNG, MimeBundle.HTML, MimeBundle.TEXT};

    private IJavaBridge() {
    }

    /** Finds the running IJava kernel and installs into it. */
    public static String install() throws ReflectiveOperationException {
        Object kernel = Class.forName("io.github.spencerpark.ijava.IJava").getMethod("getKernelInstance").invoke(null);
        if (kernel == null) {
            throw new IllegalStateException("no IJava kernel is running in this JVM; call install(kernel) with your kernel instead");
        }
        return install((BaseKernel) kernel);
    }

    public static String install(BaseKernel kernel) {
        hostDefaults();
        Neurolens.install();
        for (Class<?> type : Renderers.registeredTypes()) {
            registerRenderer(kernel, type);
        }
        Display.setSink(new DisplaySink() {
            @Override
            public void display(MimeBundle bundle, String displayId) {
                DisplayData dd = NeurolensKernel.toDisplayData(bundle);
                dd.setDisplayId(displayId);
                kernel.display(dd);
            }

            @Override
            public void update(MimeBundle bundle, String displayId) {
                kernel.getIO().display.updateDisplay(displayId, NeurolensKernel.toDisplayData(bundle));
            }
        });
        int magics = registerMagics(kernel);
        return "Neurolens " + dev.neurolens.magics.Versions.neurolens() + " loaded: "
                + Renderers.registeredTypes().size() + " renderers, " + magics + " magics (%neurolens lists them)";
    }

    /**
     * What the Neurolens kernelspec passes as -D options ({@link KernelSpecInstaller#PROPERTIES}), set here unless
     * the host set them: a stock kernel would otherwise print DJL's INFO lines and the CUDA warning of every CPU-only
     * machine into the cell, and let DJL look for its model hub. slf4j-simple reads a logger's level when the logger
     * is made, so this is in time.
     */
    static void hostDefaults() {
        KernelSpecInstaller.PROPERTIES.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    private static <T> void registerRenderer(BaseKernel kernel, Class<T> type) {
        kernel.getRenderer().createRegistration(type).preferring(MIMES).register((value, ctx) ->
                Renderers.render(value).ifPresent(b -> b.data().forEach(ctx.getOutputContainer()::putData)));
    }

    /** IJava's kernel exposes getMagics(); other base-kernel hosts may not, and then only rendering is added. */
    private static int registerMagics(BaseKernel kernel) {
        Magics magics;
        try {
            magics = (Magics) kernel.getClass().getMethod("getMagics").invoke(kernel);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return 0;
        }
        for (Magic m : MagicRegistry.all()) {
            String name = m.name();
            // IJava runs a magic line as a statement ("lineMagic(...);{};") and drops its value, so the result is
            // displayed here; `Object r = lineMagic(...)` then holds null
            magics.registerLineMagic(name, (List<String> args) -> shown(MagicRegistry.runLine(name, join(args))));
            if (m.acceptsCell()) {
                magics.registerCellMagic(name, (List<String> args, String body) ->
                        shown(MagicRegistry.runCell(name, join(args), body)));
            }
        }
        return MagicRegistry.all().size();
    }

    static Object shown(Object result) {
        if (result != null) {
            Display.display(result);
        }
        return null;
    }

    /** IJava has already split the line; quote words back so our parser sees the same tokens. */
    static String join(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            boolean plain = !a.isEmpty() && a.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\');
            sb.append(plain ? a : '"' + a.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        }
        return sb.toString();
    }
}
