package dev.neurolens.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;

/**
 * JJava's own base library (1.0-a6) with a minimal kernel on it: the extension must be found through the SPI that
 * JJava reads when {@code %classpath} adds our jars, and plug renderers and magics into it.
 */
class JJavaExtensionTest {
    private final DisplaySink before = Display.sink();

    static final class Host extends BaseKernel {
        final List<DisplayData> shown = new ArrayList<>();

        Host() {
            super("host", "0", new LanguageInfo("Java", "17", "text/x-java-source", ".jshell", null, "java", null),
                    List.of(), new HistoryManager() { }, new JupyterIO(StandardCharsets.UTF_8), new CommManager(),
                    new Renderer(), new MagicParser("(?<=(?:^|=))\\s*%", "%%", new MagicTranspiler()),
                    new MagicsRegistry(), true, new StringStyler.Builder().build());
        }

        @Override
        public void display(DisplayData dd) {
            shown.add(dd);
        }

        @Override
        public Object evalRaw(String code) {
            return null;
        }

        @Override
        public DisplayData inspect(String code, int at, boolean detail) {
            return null;
        }

        @Override
        public ReplacementOptions complete(String code, int at) {
            return null;
        }

        @Override
        public String isComplete(String code) {
            return IS_COMPLETE_YES;
        }
    }

    @AfterEach
    void restore() {
        Display.setSink(before);
    }

    @Test
    void foundThroughTheServiceFileAndJoinsTheKernel() throws Exception {
        Extension found = null;
        for (Extension e : ServiceLoader.load(Extension.class)) {
            if (e instanceof JJavaExtension) {
                found = e;
            }
        }
        assertTrue(found != null, "META-INF/services/org.dflib.jjava.jupyter.Extension lists JJavaExtension");
        Host kernel = new Host();
        found.install(kernel);

        DisplayData dd = kernel.getRenderer().render(new IJavaBridgeTest.Card("fire8"));
        assertEquals("<h3>fire8</h3>", dd.getData(MIMEType.TEXT_HTML));

        assertTrue(kernel.getMagicsRegistry().getLineMagicNames().containsAll(List.of("saliency", "neurolens", "style")),
                kernel.getMagicsRegistry().getLineMagicNames().toString());
        Object help = kernel.getMagicsRegistry().evalLineMagic(kernel, "device", List.of("--help"));
        assertNull(help, "the magic's value is displayed, not returned");
        assertEquals(1, kernel.shown.size());
        String text = (String) kernel.shown.get(0).getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.startsWith("%device"), text);

        String id = Display.display(new IJavaBridgeTest.Card("live"));
        assertEquals(2, kernel.shown.size());
        assertEquals(id, kernel.shown.get(1).getDisplayId(), "views that will be updated carry their display id");
    }
}
