package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TableHtmlTest {
    private static Table table(int rows) {
        StringColumn name = StringColumn.create("name");
        DoubleColumn score = DoubleColumn.create("score");
        IntColumn rank = IntColumn.create("rank");
        for (int i = 0; i < rows; i++) {
            name.append(i == 0 ? "<script>alert('x')</script> & co" : "class " + i);
            score.append(1.0 / (i + 1));
            rank.append(i + 1);
        }
        return Table.create("top-k <logits>", name, score, rank);
    }

    private static int count(String haystack, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(haystack);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void escapesCellsAndNames() {
        String html = TableHtml.of(table(3)).html();
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"), html);
        assertTrue(html.contains("top-k &lt;logits&gt;"), html);
    }

    @Test
    void limitsRowsAndSaysHowManyMore() {
        String html = TableHtml.of(table(25)).html();
        assertEquals(20 + 1 + 1, count(html, "<tr>")); // header, 20 rows, the "more" line
        assertTrue(html.contains("… 5 more rows"), html);
        assertTrue(html.contains("25 rows × 3 columns"), html);
        String few = TableHtml.of(table(25)).maxRows(3).html();
        assertTrue(few.contains("… 22 more rows"), few);
        assertFalse(TableHtml.of(table(4)).html().contains("more row"));
        assertTrue(TableHtml.of(table(25)).maxRows(3).text().endsWith("… 22 more rows"));
    }

    @Test
    void headersCarryColumnTypes() {
        String html = TableHtml.of(table(2)).html();
        assertTrue(html.contains("title=\"score: double\""), html);
        assertTrue(html.contains("title=\"rank: integer\""), html);
        assertTrue(html.contains("<td class=\"nl-num\">0.5</td>"), html);
    }

    @Test
    void missingValuesAreMarked() {
        Table t = table(2);
        t.doubleColumn("score").setMissing(1);
        assertTrue(TableHtml.of(t).html().contains("<td class=\"nl-na\">—</td>"));
    }

    @Test
    void htmlWrapperKeepsHtmlAndStripsTagsForText() {
        MimeBundle b = Html.of("<p>loss &lt; <b>0.1</b></p>").mimeBundle();
        assertEquals("<p>loss &lt; <b>0.1</b></p>", b.get(MimeBundle.HTML));
        assertEquals("loss < 0.1", b.get(MimeBundle.TEXT));
    }

    @Test
    void floatingCellsPrintWithFourSignificantDigitsUnlessTheColumnHasAFormatter() {
        assertEquals("0.5321", TableHtml.compact(0.5321046710014343));
        assertEquals("0.003922", TableHtml.compact(0.00392156862745098));
        assertEquals("1", TableHtml.compact(1.0));
        assertEquals("123456.7", TableHtml.compact(123456.7));
        assertEquals("1.235e-05", TableHtml.compact(1.2345e-5));
        DoubleColumn plain = DoubleColumn.create("p", 0.123456789);
        assertEquals("0.1235", TableHtml.cell(plain, 0));
        DoubleColumn formatted = DoubleColumn.create("f", 0.123456789);
        formatted.setPrintFormatter(java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT), "");
        assertEquals("12%", TableHtml.cell(formatted, 0));
    }
}
