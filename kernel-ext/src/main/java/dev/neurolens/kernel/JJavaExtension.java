package dev.neurolens.kernel;

import dev.neurolens.Neurolens;
import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Renderers;
import dev.neurolens.magics.Magic;
import dev.neurolens.magics.MagicRegistry;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;



/**
 * The Neurolens extension for a stock JJava kernel (dflib's maintained successor of IJava), loaded through JJava's
 * extension SPI ({@code META-INF/services/org.dflib.jjava.jupyter.Extension}): adding the jars is all it takes.
 * <pre>
 * %classpath /path/to/neurolens/kernel-ext/target/neurolens.jar /path/to/neurolens/kernel-ext/target/lib/*.jar
 * </pre>
 * Our renderers join JJava's renderer, our magics its registry, and display updates go through its IOPub. The JJava
 * library is a {@code provided} dependency: the Neurolens kernel never loads this class.
 */
public final class JJavaExtension implements Extension {
    private static final String[] MIMES = {MimeBundle.PNG, MimeBundle.HTML, MimeBundle.TEXT};

    @Override
    public void install(BaseKernel kernel) {
        IJavaBridge.hostDefaults();
        Neurolens.install();
        for (Class<?> type : Renderers.registeredTypes()) {
            register(kernel, type);
        }
        Display.setSink(new DisplaySink() {
            @Override
            public void display(MimeBundle bundle, String displayId) {
                DisplayData dd = toDisplayData(bundle);
                // not setDisplayId: it returns void in JJava 1.0-a6 and DisplayData in 1.0-a7, so a call compiled
                // against either fails with NoSuchMethodError in the other
                dd.putTransientData("display_id", displayId);
                kernel.display(dd);
            }

            @Override
            public void update(MimeBundle bundle, String displayId) {
                kernel.getIO().display.updateDisplay(displayId, toDisplayData(bundle));
            }
        });
        MagicsRegistry magics = kernel.getMagicsRegistry();
        for (Magic m : MagicRegistry.all()) {
            String name = m.name();
            // shown here and null returned, as in IJava: a host that discards a magic's value still shows it
            magics.registerLineMagic(name, (k, args) -> IJavaBridge.shown(MagicRegistry.runLine(name,
                    IJavaBridge.join(args))));
            if (m.acceptsCell()) {
                magics.registerCellMagic(name, (k, args, body) -> IJavaBridge.shown(MagicRegistry.runCell(name,
                        IJavaBridge.join(args), body)));
            }
        }
    }

    private static <T> void register(BaseKernel kernel, Class<T> type) {
        kernel.getRenderer().createRegistration(type).preferring(MIMES).register((value, ctx) ->
                Renderers.render(value).ifPresent(b -> b.data().forEach(ctx.getOutputContainer()::putData)));
    }

    static DisplayData toDisplayData(MimeBundle bundle) {
        DisplayData dd = new DisplayData();
        bundle.data().forEach(dd::putData);
        bundle.metadata().forEach(dd::putMetaData);
        if (!bundle.has(MimeBundle.TEXT)) {
            dd.putText("");
        }
        return dd;
    }

}
