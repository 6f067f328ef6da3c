package dev.neurolens.magics;

import java.util.List;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;

/** A small two-or-more column listing shown by informational magics, as HTML with a plain-text twin. */
record TextTable(String title, List<String> header, List<List<String>> rows) implements Displayable {
    @Override
    public MimeBundle mimeBundle() {
        StringBuilder html = new StringBuilder("<div class=\"neurolens-info\"><b>").append(esc(title)).append("</b>")
                .append("<table style=\"border-collapse:collapse;margin-top:4px\"><tr>");
        header.forEach(h -> html.append("<th style=\"text-align:left;padding:2px 12px 2px 0\">").append(esc(h)).append("</th>"));
        html.append("</tr>");
        for (List<String> row : rows) {
            html.append("<tr>");
            row.forEach(c -> html.append("<td style=\"text-align:left;padding:2px 12px 2px 0\">").append(esc(c)).append("</td>"));
            html.append("</tr>");
        }
        html.append("</table></div>");
        return MimeBundle.html(html.toString(), toString());
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder(title).append('\n');
        appendRow(sb, header, width);
        for (List<String> r : rows) {
            appendRow(sb, r, width);
        }
        return sb.toString().stripTrailing();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            sb.append(String.format("%-" + (width[i] + 2) + "s", cells.get(i)));
        }
        sb.setLength(sb.length() - 2);
        sb.append('\n');
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
