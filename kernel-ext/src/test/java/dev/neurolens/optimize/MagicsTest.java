package dev.neurolens.optimize;

import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.magics.ClassVizMagic;
import dev.neurolens.magics.DreamMagic;
import dev.neurolens.magics.MagicArgumentException;
import dev.neurolens.magics.StyleMagic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** %classviz, %dream and %style run small jobs, show a live PNG figure, and reject bad arguments clearly. */
class MagicsTest {
    private final List<MimeBundle> shown = new ArrayList<>();
    private DisplaySink before;

    @BeforeEach
    void captureDisplays() {
        before = Display.sink();
        Display.setSink(new DisplaySink() {
            @Override
            public void display(MimeBundle bundle, String displayId) {
                shown.add(bundle);
            }

            @Override
            public void update(MimeBundle bundle, String displayId) {
                shown.add(bundle);
            }
        });
    }

    @AfterEach
    void restore() {
        Display.setSink(before);
    }

    private boolean sawPng() {
        return shown.stream().anyMatch(b -> b.has(MimeBundle.PNG));
    }

    @Test
    void classvizShowsAFigure() throws Exception {
        ClassVizMagic m = new ClassVizMagic();
        m.run(m.schema().parse("Trouser --steps 5"), null);
        assertTrue(sawPng());
        shown.clear();
        m.run(m.schema().parse("Trouser --steps 5 --lucid"), null);
        assertTrue(sawPng());
        assertTrue(Render.lastResult().title().endsWith("· Lucid"), Render.lastResult().title());
        m.run(m.schema().parse("Trouser --steps 5 --model robust"), null);
        assertTrue(Render.lastResult().title().endsWith("fashion_cnn (adversarially trained)"),
                Render.lastResult().title());
    }

    @Test
    void dreamAndStyleRunOnRandomNetworks() throws Exception {
        DreamMagic d = new DreamMagic();
        d.run(d.schema().parse("chelsea --layer fire3 --octaves 1 --steps 2 --size 64"), null);
        StyleMagic s = new StyleMagic();
        s.run(s.schema().parse("chelsea starry_night,coffee --blend 1,3 --model random:squeezenet1_1 "
                + "--size 64 --steps 2"), null);
        assertTrue(sawPng());
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        StyleMagic s = new StyleMagic();
        MagicArgumentException e = assertThrows(MagicArgumentException.class, () -> s.run(s.schema().parse(
                "chelsea starry_night --optimizer sgd --model random:squeezenet1_1"), null));
        assertTrue(e.getMessage().contains("adam or lbfgs"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> s.run(s.schema().parse(
                "no_such_picture.jpg starry_night --model random:squeezenet1_1"), null));
        assertTrue(missing.getMessage().contains("no_such_picture.jpg"), missing.getMessage());
    }
}
