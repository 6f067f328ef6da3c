package dev.neurolens.display;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import static dev.neurolens.display.CellColorBackend.GRAY;
import static dev.neurolens.display.CellColorBackend.GRID;
import static dev.neurolens.display.CellColorBackend.cellColor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The painter against a backend whose picture is known cell by cell: API, browser protocol, display. */
class PainterTest {
    private FakeSink sink;
    private CellColorBackend backend;
    private Painter painter;

    @BeforeEach
    void setUp() {
        sink = new FakeSink();
        Display.setSink(sink);
        backend = new CellColorBackend();
        painter = Painter.builder(backend).name("scene").build();
    }

    @AfterEach
    void tearDown() {
        Display.setSink(null);
    }

    private static BufferedImage decode(String b64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(b64)));
    }

    private static Set<String> changedCells(BufferedImage a, BufferedImage b) {
        Set<String> out = new HashSet<>();
        for (int y = 0; y < GRID; y++) {
            for (int x = 0; x < GRID; x++) {
                if (cellColor(a, x, y) != cellColor(b, x, y)) {
                    out.add(x + "," + y);
                }
            }
        }
        return out;
    }

    private static Set<String> rectCells(int x0, int y0, int x1, int y1) {
        Set<String> out = new HashSet<>();
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                out.add(x + "," + y);
            }
        }
        return out;
    }

    @Test
    void buildRendersTheUneditedPictureAndRegistersByName() {
        assertEquals(1, backend.renders);
        for (int y = 0; y < GRID; y++) {
            for (int x = 0; x < GRID; x++) {
                assertEquals(GRAY, cellColor(painter.image(), x, y));
            }
        }
        assertSame(painter, Painter.named("scene"));
        assertSame(painter, Painter.byId(painter.id()));
        assertSame(painter, Painter.named(null)); // the latest
        assertTrue(Painter.names().contains("scene"));
    }

    @Test
    void paintRemoveUndoResetChangeExactlyTheirCells() {
        BufferedImage before = painter.image();
        BufferedImage after = painter.paint("green", 2, 3, 5, 7);
        assertEquals(rectCells(2, 3, 5, 7), changedCells(before, after));
        assertEquals(0x00ff00, cellColor(after, 4, 5));
        BufferedImage removed = painter.remove("green", 4, 5, 4, 5);
        assertEquals(Set.of("4,5"), changedCells(after, removed));
        assertEquals(0x000000, cellColor(removed, 4, 5));
        assertEquals(after.getRGB(0, 0), painter.undo().getRGB(0, 0));
        assertEquals(Set.of(), changedCells(after, painter.image()));
        assertEquals(Set.of(), changedCells(before, painter.reset()));
        assertEquals(4, painter.revision());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> painter.paint("sky", 0, 0, 1, 1));
        assertTrue(e.getMessage().contains("red, green, blue"), e.getMessage());
        // every change redraws the outputs showing the painter, under its one display id
        assertEquals(4, sink.sent.size());
        sink.sent.forEach(s -> assertEquals(painter.displayId(), s.id()));
    }

    @Test
    void paintMessageAnswersWithTheNewPictureChangedExactlyAtThePaintedCells() throws Exception {
        BufferedImage before = painter.image();
        PaintState s = PaintState.empty(GRID, GRID)
                .with(PaintState.Stroke.rect("red", PaintState.Mode.PAINT, GRID, GRID, 1, 1, 2, 3));
        JsonObject msg = new JsonObject();
        msg.addProperty("action", "paint");
        msg.addProperty("seq", 7);
        msg.add("state", s.toJson());
        JsonObject reply = new JsonParser().parse(painter.receive(msg.toString())).getAsJsonObject();
        assertEquals("image", reply.get("type").getAsString());
        assertEquals(7, reply.get("seq").getAsInt());
        assertEquals(1, reply.get("rev").getAsLong());
        assertEquals(s.toJson(), reply.get("state"));
        BufferedImage img = decode(reply.get("png").getAsString());
        assertEquals(rectCells(1, 1, 2, 3), changedCells(before, img));
        assertEquals(0xff0000, cellColor(img, 2, 3));
        assertEquals(s, painter.state());
        assertTrue(sink.sent.isEmpty(), "receive leaves the displays to the caller (reply first)");
        // the same state again is not re-rendered
        int renders = backend.renders;
        painter.receive(msg.toString());
        assertEquals(renders, backend.renders);
        JsonObject hello = new JsonParser().parse(painter.receive("{\"action\":\"hello\",\"seq\":8}")).getAsJsonObject();
        assertEquals(Set.of(), changedCells(img, decode(hello.get("png").getAsString())));
    }

    @Test
    void badMessagesAndFailingBackendsAreAnsweredAndChangeNothing() throws Exception {
        painter.paint("blue", 0, 0, 0, 0);
        PaintState kept = painter.state();
        long rev = painter.revision();
        String[][] bad = {
                {"not json at all {", "bad message"},
                {"[1]", "JSON object"},
                {"{\"action\":\"draw\"}", "unknown action 'draw'"},
                {"{\"action\":\"paint\",\"seq\":3,\"state\":{\"strokes\":[{\"concept\":\"sky\",\"mode\":\"paint\",\"cells\":\"1\"}]}}",
                        "unknown concept 'sky'"},
                {"{\"action\":\"paint\",\"state\":{\"grid\":[\"a\",2],\"strokes\":[]}}", "bad message"},
        };
        for (String[] b : bad) {
            JsonObject r = new JsonParser().parse(painter.receive(b[0])).getAsJsonObject();
            assertEquals("error", r.get("type").getAsString(), b[0]);
            assertTrue(r.get("message").getAsString().contains(b[1]), b[0] + " -> " + r.get("message"));
            assertEquals(rev, r.get("rev").getAsLong());
            assertEquals(kept.toJson(), r.get("state"));
        }
        backend.failNext = new IllegalStateException("CUDA out of memory");
        JsonObject msg = new JsonObject();
        msg.addProperty("action", "paint");
        msg.addProperty("seq", 9);
        msg.add("state", kept.with(PaintState.Stroke.rect("red", PaintState.Mode.PAINT, GRID, GRID, 5, 5, 6, 6)).toJson());
        JsonObject r = new JsonParser().parse(painter.receive(msg.toString())).getAsJsonObject();
        assertEquals("error", r.get("type").getAsString());
        assertEquals(9, r.get("seq").getAsInt());
        assertTrue(r.get("message").getAsString().contains("backend failed"), r.get("message").toString());
        assertTrue(r.get("message").getAsString().contains("CUDA out of memory"));
        assertEquals(kept, painter.state());
        assertEquals(0x808080, cellColor(painter.image(), 5, 5));
        // and the next message works again
        r = new JsonParser().parse(painter.receive(msg.toString())).getAsJsonObject();
        assertEquals("image", r.get("type").getAsString());
        assertEquals(0xff0000, cellColor(decode(r.get("png").getAsString()), 5, 5));
        assertThrows(Painter.BackendException.class, () -> {
            backend.failNext = new RuntimeException("boom");
            painter.reset();
        });
    }

    @Test
    void viewIsSelfContainedHtmlWithTheLatestPictureAndAStaticFallbackLine() throws Exception {
        painter.paint("red", 0, 0, 3, 3);
        MimeBundle b = painter.mimeBundle();
        String html = (String) b.get(MimeBundle.HTML);
        assertNotNull(html);
        assertTrue(html.contains(Base64.getEncoder().encodeToString(Images.toPng(painter.image()))),
                "the view embeds the current picture");
        assertTrue(html.contains("NeurolensPainter.mount("));
        assertTrue(html.contains("\"target\":\"neurolens.painter\""));
        assertTrue(html.contains("Live painting needs this notebook open in Jupyter"));
        assertTrue(html.contains("%paint scene --concept red --rect 0,0,1,1"));
        assertFalse(html.contains("src=\"http"), "no external scripts or images");
        assertFalse(html.matches("(?s).*<script[^>]+src=.*"), "no external scripts");
        assertEquals(1, html.split("</script>", -1).length - 1, "one script element, not closed early");
        // the PNG in the same bundle is the current picture (enlarged), for front ends without HTML
        BufferedImage png = decode((String) b.get(MimeBundle.PNG));
        assertEquals(0xff0000, png.getRGB(0, 0) & 0xffffff);
        assertEquals(GRAY, png.getRGB(png.getWidth() - 1, png.getHeight() - 1) & 0xffffff);
        // shown with display(x), it keeps its own display id so updates reach it
        assertEquals(painter.displayId(), Display.display(painter));
    }
}
