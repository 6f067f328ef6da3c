package dev.neurolens.optimize;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Charts;
import dev.neurolens.display.ImageGrid;
import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/** Draws an optimization's frame: the picture(s) beside the loss curves, under a title line. */
final class Figures {
    static final int CELL = 288;

    private Figures() {
    }

    /** Loss curves, one per term plus the total when there are several terms. */
    static XYChart lossChart(Map<String, double[]> history, int steps, String title) {
        XYChart chart = Charts.line(title, "step", "loss");
        // ticks are laid out for the chart's own size: build it at the size it is drawn
        XYChart sized = new org.knowm.xchart.XYChartBuilder().width(440).height(300).title(title).xAxisTitle("step")
                .yAxisTitle("loss").build();
        sized.getStyler().setChartBackgroundColor(Color.WHITE);
        sized.getStyler().setPlotBackgroundColor(Color.WHITE);
        sized.getStyler().setPlotBorderVisible(false);
        sized.getStyler().setPlotGridLinesColor(new Color(0xE6E6E6));
        sized.getStyler().setLegendVisible(false);
        sized.getStyler().setLegendBorderColor(new Color(0xDDDDDD));
        sized.getStyler().setMarkerSize(0);
        chart = sized;
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        int n = 0;
        for (var e : history.entrySet()) {
            double[] y = e.getValue();
            if (y.length == 0 || (history.size() == 2 && !"total".equals(e.getKey()))) {
                continue; // with one term its curve is the total
            }
            n = Math.max(n, y.length);
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            Charts.addLine(chart, e.getKey(), x, y);
        }
        if (n == 0) {
            Charts.addLine(chart, "total", new double[] {0}, new double[] {0});
        }
        return chart;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static BufferedImage frame(String title, List<BufferedImage> images, List<String> captions, XYChart chart) {
        ImageGrid grid = ImageGrid.of(images).cellSize(CELL).columns(Math.min(images.size(), 3));
        if (captions != null && !captions.isEmpty()) {
            grid = grid.captions(captions);
        }
        BufferedImage left = grid.render();
        BufferedImage right = chart == null ? null
                : ChartImage.of(chart).size(440, 300).pixelRatio(1).render();
        int titleH = 26;
        int w = left.getWidth() + (right == null ? 0 : right.getWidth() + 8);
        int h = titleH + Math.max(left.getHeight(), right == null ? 0 : right.getHeight());
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0x222222));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, 8, 18);
            g.drawImage(left, 0, titleH, null);
            if (right != null) {
                g.drawImage(right, left.getWidth() + 8, titleH, null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
