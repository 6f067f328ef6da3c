package dev.neurolens.magics;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.neurolens.display.Display;
import dev.neurolens.display.DisplaySink;
import dev.neurolens.display.ImageView;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.PaintState;
import dev.neurolens.display.Painter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** %paint through its argument schema, as the kernel calls it, against a backend that colours painted cells. */
class PaintMagicTest {
    private final List<String> updates = new ArrayList<>();
    private Painter painter;

    /** 4x4 grid of 1-pixel cells: white, the concept's colour where painted, black where removed. */
    private static final class Backend implements Painter.Backend {
        @Override
        public List<String> concepts() {
            return List.of("tree", "sky");
        }

        @Override
        public int gridWidth() {
            return 4;
        }

        @Override
        public int gridHeight() {
            return 4;
        }

        @Override
        public BufferedImage render(PaintState s) {
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    PaintState.Mode t = s.cell("tree", x, y);
                    img.setRGB(x, y, t == PaintState.Mode.PAINT ? 0x00aa00 : t == PaintState.Mode.REMOVE ? 0 : 0xffffff);
                }
            }
            return img;
        }
    }

    @BeforeEach
    void setUp() {
        Display.setSink(new DisplaySink() {
            @Override
            public void display(MimeBundle bundle, String displayId) {
            }

            @Override
            public void update(MimeBundle bundle, String displayId) {
                updates.add(displayId);
            }
        });
        painter = Painter.builder(new Backend()).name("garden").build();
    }

    @AfterEach
    void tearDown() {
        Display.setSink(null);
    }

    private static Object run(String line) throws Exception {
        PaintMagic m = new PaintMagic();
        return m.run(m.schema().parse(line), null);
    }

    private static BufferedImage image(Object result) {
        return assertInstanceOf(ImageView.class, result).image();
    }

    /** Which cells of the 4x4 picture have the colour rgb, as a 16-character row-major mask. */
    private static String where(BufferedImage img, int rgb) {
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                sb.append((img.getRGB(x, y) & 0xffffff) == rgb ? '1' : '0');
            }
        }
        return sb.toString();
    }

    @Test
    void strokesUndoAndResetChangeExactlyTheNamedCells() throws Exception {
        Object r = run("garden --concept tree --rect 1,0,2,1");
        assertEquals("0110" + "0110" + "0000" + "0000", where(image(r), 0x00aa00));
        assertEquals("garden: paint tree at columns 1-2, rows 0-1", assertInstanceOf(ImageView.class, r).toString()
                .replaceAll(".*'(.*)'", "$1"));
        r = run("garden --concept tree --rect 2,1,3,3 --remove");
        assertEquals("0110" + "0100" + "0000" + "0000", where(image(r), 0x00aa00));
        assertEquals("0000" + "0011" + "0011" + "0011", where(image(r), 0x000000));
        r = run("--undo"); // the latest painter when none is named
        assertEquals("0110" + "0110" + "0000" + "0000", where(image(r), 0x00aa00));
        r = run("garden --reset");
        assertEquals("1111".repeat(4), where(image(r), 0xffffff));
        assertEquals(4, updates.size(), "each change redraws the live view");
        updates.forEach(id -> assertEquals(painter.displayId(), id));
        r = run("garden");
        assertEquals("1111".repeat(4), where(image(r), 0xffffff));
    }

    @Test
    void mistakesSayWhatToDo() {
        String[][] cases = {
                {"nowhere --concept tree --rect 0,0,1,1", "no painter named 'nowhere'"},
                {"garden --concept cloud --rect 0,0,1,1", "tree, sky"},
                {"garden --concept tree --rect 0,0,1", "4 numbers"},
                {"garden --concept tree", "needs both --concept"},
                {"garden --rect 0,0,1,1", "needs both --concept"},
                {"garden --concept tree --rect 5,5,9,9", "outside the 4x4 grid"},
                {"garden --undo --reset", "one of --undo, --reset"},
                {"garden --rect a,b", "comma-separated integers"},
        };
        for (String[] c : cases) {
            MagicArgumentException e = assertThrows(MagicArgumentException.class, () -> run(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void helpListsTheOptions() {
        String help = new PaintMagic().schema().helpText();
        for (String s : List.of("%paint", "--concept", "--rect", "--remove", "--undo", "--reset", "--help")) {
            assertTrue(help.contains(s), s);
        }
    }
}
