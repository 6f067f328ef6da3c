package dev.neurolens.display;

import static dev.neurolens.display.ImagesTest.decode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

class ChartImageTest {
    private static XYChart lossChart() {
        XYChart chart = new XYChartBuilder().width(300).height(200).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3, 4}, new double[] {2.3, 1.1, 0.7, 0.5});
        return chart;
    }

    @Test
    void rendersAtTwiceTheSizeWithLogicalSizeInMetadata() throws IOException {
        MimeBundle b = ChartImage.of(lossChart()).mimeBundle();
        BufferedImage img = decode(b.pngBytes());
        assertEquals(600, img.getWidth());
        assertEquals(400, img.getHeight());
        assertEquals(300, b.metadata().get(MimeBundle.PNG).get("width"));
        assertEquals(200, b.metadata().get(MimeBundle.PNG).get("height"));
        assertTrue(((String) b.get(MimeBundle.TEXT)).contains("loss"));
    }

    @Test
    void customSizeLeavesTheChartsOwnSizeAlone() throws IOException {
        XYChart chart = lossChart();
        BufferedImage img = decode(ChartImage.of(chart).size(400, 250).pixelRatio(1).toPng());
        assertEquals(400, img.getWidth());
        assertEquals(250, img.getHeight());
        assertEquals(300, chart.getWidth());
        assertEquals(200, chart.getHeight());
        assertEquals(300, decode(ChartImage.of(chart).pixelRatio(1).toPng()).getWidth());
    }
}
