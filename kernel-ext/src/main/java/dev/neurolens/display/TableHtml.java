package dev.neurolens.display;

import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.util.List;

/**
 * A Tablesaw table as a compact HTML table: escaped cells, numbers right-aligned, each header showing its column
 * type (and in its tooltip), and at most {@code maxRows} rows with a "… N more rows" line for the rest.
 *
 * <pre>{@code TableHtml.of(topk).maxRows(10)}</pre>
 */
public final class TableHtml implements Displayable {
    public static final int DEFAULT_MAX_ROWS = 20;

    // Scoped by class so the notebook's own styles are left alone.
    private static final String CSS = "<style>"
            + ".nl-table{border-collapse:collapse;font:12px/1.35 -apple-system,'Segoe UI',Roboto,sans-serif;"
            + "margin:2px 0}"
            + ".nl-table th,.nl-table td{padding:2px 8px;border-bottom:1px solid #e2e2e2;text-align:left;"
            + "white-space:nowrap;max-width:32em;overflow:hidden;text-overflow:ellipsis}"
            + ".nl-table th{border-bottom:2px solid #999;vertical-align:bottom}"
            + ".nl-table th .nl-type{display:block;font-weight:normal;color:#888;font-size:10px}"
            + ".nl-table td.nl-num,.nl-table th.nl-num{text-align:right;font-variant-numeric:tabular-nums}"
            + ".nl-table td.nl-na{color:#bbb}"
            + ".nl-table tbody tr:nth-child(even){background:#f7f7f7}"
            + ".nl-table caption{caption-side:top;text-align:left;color:#555;padding-bottom:2px}"
            + ".nl-table .nl-more{color:#888;font-style:italic;text-align:left}"
            + "</style>";

    private final Table table;
    private final int maxRows;

    private TableHtml(Table table, int maxRows) {
        this.table = table;
        this.maxRows = maxRows;
    }

    public static TableHtml of(Table table) {
        return new TableHtml(table, DEFAULT_MAX_ROWS);
    }

    public TableHtml maxRows(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + n);
        }
        return new TableHtml(table, n);
    }

    public String html() {
        List<Column<?>> cols = table.columns();
        int rows = table.rowCount();
        int shown = Math.min(rows, maxRows);
        StringBuilder sb = new StringBuilder(256 + shown * cols.size() * 24);
        sb.append(CSS).append("<table class=\"nl-table\"><caption>");
        if (table.name() != null && !table.name().isEmpty()) {
            sb.append("<b>").append(Html.escape(table.name())).append("</b> · ");
        }
        sb.append(rows).append(rows == 1 ? " row" : " rows").append(" × ").append(cols.size())
                .append(cols.size() == 1 ? " column" : " columns").append("</caption><thead><tr>");
        boolean[] numeric = new boolean[cols.size()];
        for (int c = 0; c < cols.size(); c++) {
            Column<?> col = cols.get(c);
            String type = typeName(col.type());
            numeric[c] = isNumeric(col.type());
            sb.append("<th title=\"").append(Html.escape(col.name() + ": " + type)).append('"')
                    .append(numeric[c] ? " class=\"nl-num\"" : "").append('>')
                    .append(Html.escape(col.name())).append("<span class=\"nl-type\">").append(Html.escape(type))
                    .append("</span></th>");
        }
        sb.append("</tr></thead><tbody>");
        for (int r = 0; r < shown; r++) {
            sb.append("<tr>");
            for (int c = 0; c < cols.size(); c++) {
                Column<?> col = cols.get(c);
                if (col.isMissing(r)) {
                    sb.append("<td class=\"nl-na\">—</td>");
                } else {
                    sb.append(numeric[c] ? "<td class=\"nl-num\">" : "<td>").append(Html.escape(cell(col, r)))
                            .append("</td>");
                }
            }
            sb.append("</tr>");
        }
        if (rows > shown) {
            int more = rows - shown;
            sb.append("<tr><td class=\"nl-more\" colspan=\"").append(Math.max(1, cols.size())).append("\">… ")
                    .append(more).append(more == 1 ? " more row" : " more rows").append("</td></tr>");
        }
        sb.append("</tbody></table>");
        return sb.toString();
    }

    public String text() {
        String body = table.print(maxRows);
        int more = table.rowCount() - Math.min(table.rowCount(), maxRows);
        return more > 0 ? body + "\n… " + more + (more == 1 ? " more row" : " more rows") : body;
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.html(html(), text());
    }

    @Override
    public String toString() {
        return text();
    }

    /**
     * Floating-point cells print with 4 significant digits (0.5321, not 0.5321046710014343) unless the column has
     * its own print formatter, which then wins.
     */
    static String cell(Column<?> col, int row) {
        String s = col.getString(row);
        if (col instanceof tech.tablesaw.api.NumberColumn<?, ?> num && isFloating(col.type())) {
            double v = num.getDouble(row);
            if (s.equals(String.valueOf(v)) || s.equals(String.valueOf((float) v))) {
                return compact(v);
            }
        }
        return s;
    }

    static String compact(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        }
        if (a >= 1e4) {
            return String.format(java.util.Locale.ROOT, "%.1f", v);
        }
        if (a < 1e-4) {
            return String.format(java.util.Locale.ROOT, "%.3e", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static boolean isFloating(ColumnType type) {
        return type.name().equals("DOUBLE") || type.name().equals("FLOAT");
    }

    private static String typeName(ColumnType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean isNumeric(ColumnType type) {
        String n = type.name();
        return n.equals("DOUBLE") || n.equals("FLOAT") || n.equals("INTEGER") || n.equals("LONG") || n.equals("SHORT");
    }
}
