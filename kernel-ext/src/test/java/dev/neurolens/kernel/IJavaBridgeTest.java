package dev.neurolens.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;

/** A stand-in for IJava's kernel (same base library, same getMagics()): the bridge must plug into it. */
class IJavaBridgeTest {
    public static final class FakeIJavaKernel extends BaseKernel {
        private final Magics magics = new Magics();
        final java.util.List<DisplayData> shown = new java.util.ArrayList<>();

        @Override
        public void display(DisplayData dd) {
            shown.add(dd);
        }

        public Magics getMagics() {
            return magics;
        }

        @Override
        public DisplayData eval(String expr) {
            return null;
        }

        @Override
        public LanguageInfo getLanguageInfo() {
            return new LanguageInfo.Builder("java").build();
        }
    }

    record Card(String title) implements Displayable {
        @Override
        public MimeBundle mimeBundle() {
            return MimeBundle.html("<h3>" + title + "</h3>", title);
        }
    }

    @Test
    void renderersAndMagicsJoinTheHostKernel() throws Exception {
        FakeIJavaKernel kernel = new FakeIJavaKernel();
        String banner = IJavaBridge.install(kernel);
        assertTrue(banner.startsWith("Neurolens "), banner);

        DisplayData dd = kernel.getRenderer().render(new Card("fire8"));
        assertEquals("<h3>fire8</h3>", dd.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_HTML));

        // IJava drops a magic line's value (it runs "lineMagic(...);{};"), so the bridge displays it
        Object help = kernel.getMagics().applyLineMagic("device", List.of("--help"));
        assertEquals(null, help);
        assertEquals(1, kernel.shown.size());
        String text = (String) kernel.shown.get(0).getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN);
        assertTrue(text.startsWith("%device"), text);
    }
}
