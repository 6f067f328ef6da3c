package dev.neurolens.kernel;

import dev.neurolens.display.Display;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.magics.MagicRegistry;

/**
 * Functions every cell can call unqualified (statically imported at start-up), with IJava's names:
 * {@code display(x)}, {@code updateDisplay(id, x)}, {@code render(x)}. The magic entry points are what
 * {@code %name} lines are rewritten to.
 */
public final class Notebook {
    private Notebook() {
    }

    /** Shows x now (not only at the end of the cell) and returns its display id. */
    public static String display(Object x) {
        return Display.display(x);
    }

    /** Replaces what an earlier {@link #display} showed. */
    public static void updateDisplay(String displayId, Object x) {
        Display.update(displayId, x);
    }

    /** The MIME bundle x would be shown as. */
    public static MimeBundle render(Object x) {
        return Display.bundleOf(x);
    }

    public static Object lineMagic(String name, String args) throws Exception {
        return MagicRegistry.runLine(name, args);
    }

    public static Object cellMagic(String name, String args, String body) throws Exception {
        return MagicRegistry.runCell(name, args, body);
    }
}
