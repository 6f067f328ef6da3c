package dev.neurolens.display;

import java.util.Locale;

import dev.neurolens.model.Prediction;

/** Top-k predictions as a small table with probability bars (the renderer for {@link Prediction}). */
final class PredictionView {
    private PredictionView() {
    }

    static MimeBundle render(Prediction p) {
        StringBuilder html = new StringBuilder("<table style=\"border-collapse:collapse;font-size:13px\">"
                + "<tr><th style=\"text-align:right;padding:2px 8px\">#</th><th style=\"text-align:left;padding:2px 8px\">class</th>"
                + "<th style=\"text-align:right;padding:2px 8px\">index</th><th style=\"text-align:left;padding:2px 8px\">probability</th></tr>");
        int rank = 1;
        for (Prediction.Entry e : p.top()) {
            int width = Math.round(e.probability() * 160);
            html.append("<tr><td style=\"text-align:right;padding:2px 8px\">").append(rank++)
                    .append("</td><td style=\"padding:2px 8px\">").append(Html.escape(e.label()))
                    .append("</td><td style=\"text-align:right;padding:2px 8px\">").append(e.index())
                    .append("</td><td style=\"padding:2px 8px;white-space:nowrap\"><span style=\"display:inline-block;width:")
                    .append(width).append("px;height:10px;background:#3b75af;margin-right:6px\"></span>")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100 * e.probability())).append("</td></tr>");
        }
        html.append("</table>");
        return MimeBundle.html(html.toString(), p.toString());
    }
}
