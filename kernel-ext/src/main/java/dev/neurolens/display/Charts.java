package dev.neurolens.display;

import java.awt.Color;
import java.util.List;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * XChart with notebook-friendly defaults (white background, no point markers, uncrowded ticks, legend only when
 * there is more than one series): {@code Charts.line("loss", "step", "value").series("train", xs, ys)}.
 * The chart returned is a plain XChart object, so everything XChart offers still applies.
 */
public final class Charts {
    private Charts() {
    }

    /** An empty line chart, 640 x 320, ready for {@link #addLine}. */
    public static XYChart line(String title, String xAxisTitle, String yAxisTitle) {
        XYChart chart = new XYChartBuilder().width(640).height(320).title(title)
                .xAxisTitle(xAxisTitle).yAxisTitle(yAxisTitle).build();
        XYStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setPlotGridLinesColor(new Color(0xE6E6E6));
        s.setLegendVisible(false);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(0xDDDDDD));
        s.setXAxisTickMarkSpacingHint(90);
        s.setYAxisTickMarkSpacingHint(50);
        s.setMarkerSize(0);
        return chart;
    }

    /** Adds a line; the legend appears once there are two. */
    public static XYSeries addLine(XYChart chart, String name, double[] x, double[] y) {
        XYSeries series = chart.addSeries(name, offGrid(x), y);
        if (allIntegers(x)) {
            chart.getStyler().setXAxisDecimalPattern("#");
        }
        series.setMarker(SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(chart.getSeriesCollection().size() > 1);
        return series;
    }

    /**
     * On an equally spaced x axis XChart labels data values instead of round ticks and crowds them (1, 21, 41,
     * ... overlapping); moving the first point off the grid by a thousandth of a step makes it lay out round
     * ticks. Invisible in the plot.
     */
    static double[] offGrid(double[] x) {
        if (x.length < 3) {
            return x;
        }
        double step = x[1] - x[0];
        for (int i = 2; i < x.length; i++) {
            if (Math.abs(x[i] - x[i - 1] - step) > 1e-9 * Math.max(1, Math.abs(step))) {
                return x;
            }
        }
        double[] copy = x.clone();
        copy[0] += 1e-3 * step;
        return copy;
    }

    private static boolean allIntegers(double[] x) {
        for (double v : x) {
            if (v != Math.rint(v)) {
                return false;
            }
        }
        return true;
    }

    /** Adds a line over 1..n from a list of values (a loss history, say). */
    public static XYSeries addLine(XYChart chart, String name, List<? extends Number> values) {
        double[] x = new double[values.size()];
        double[] y = new double[values.size()];
        for (int i = 0; i < y.length; i++) {
            x[i] = i + 1;
            y[i] = values.get(i).doubleValue();
        }
        return addLine(chart, name, x, y);
    }
}
