package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

class ChartsTest {
    @Test
    void equallySpacedXMovesOnlyItsFirstPointByAThousandthOfAStep() {
        double[] x = {1, 2, 3, 4};
        assertArrayEquals(new double[] {1.001, 2, 3, 4}, Charts.offGrid(x), 1e-12);
        assertArrayEquals(new double[] {1, 2, 3, 4}, x, 0); // the caller's array is untouched
        double[] uneven = {1, 2, 4, 8};
        assertArrayEquals(uneven, Charts.offGrid(uneven), 0);
    }

    @Test
    void aLossHistoryBecomesOneLineWithoutLegend() {
        XYChart chart = Charts.line("loss", "step", "value");
        Charts.addLine(chart, "loss", List.of(3.0, 2.0, 1.0));
        assertEquals(1, chart.getSeriesCollection().size());
        assertEquals(false, chart.getStyler().isLegendVisible());
        Charts.addLine(chart, "other", List.of(1.0, 1.0, 1.0));
        assertEquals(true, chart.getStyler().isLegendVisible());
    }
}
