package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChartBuilder;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class DisplayDefaultsTest {
    @BeforeAll
    static void register() {
        DisplayDefaults.register();
        DisplayDefaults.register();
    }

    @Test
    void imagesAndImageShapedArraysBecomePngs() throws IOException {
        Optional<MimeBundle> img = Renderers.render(new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB));
        assertTrue(img.isPresent() && img.get().has(MimeBundle.PNG));
        assertEquals(200, ImagesTest.decode(img.get().pngBytes()).getWidth());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray chw = m.ones(new Shape(3, 32, 32));
            MimeBundle b = Renderers.render(chw).orElseThrow();
            BufferedImage png = ImagesTest.decode(b.pngBytes());
            assertEquals(32 * 8, png.getWidth()); // small pictures are enlarged to be seen
            assertEquals(0xFFFFFF, ImagesTest.rgb(png, 5, 5));
            assertEquals(chw.toString(), b.get(MimeBundle.TEXT)); // the array's own text is kept
        }
    }

    @Test
    void otherArraysFallBackToText() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0.1f, 2f, -1f});
            assertFalse(Renderers.render(logits).isPresent());
            assertFalse(Renderers.render(m.zeros(new Shape(64, 64))).isPresent());
            MimeBundle b = Display.bundleOf(logits);
            assertEquals(logits.toString(), b.get(MimeBundle.TEXT));
            assertFalse(b.has(MimeBundle.PNG));
        }
    }

    @Test
    void tablesChartsAndDisplayables() {
        Table t = Table.create("t", IntColumn.create("n", 1, 2, 3));
        assertTrue(Renderers.render(t).orElseThrow().has(MimeBundle.HTML));
        var chart = new XYChartBuilder().width(200).height(100).build();
        chart.addSeries("s", new double[] {0, 1}, new double[] {0, 1});
        assertTrue(Renderers.render(chart).orElseThrow().has(MimeBundle.PNG));
        Displayable custom = () -> MimeBundle.text("mine");
        assertEquals("mine", Renderers.render(custom).orElseThrow().get(MimeBundle.TEXT));
    }
}
