package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(0);
    private final FakeSink sink = new FakeSink();

    private Progress.Builder builder(long total, String label) {
        return Progress.builder().total(total).label(label).clock(now::get).sink(sink);
    }

    @Test
    void showsCountRateEtaAndMetrics() {
        Progress p = builder(100, "train").start();
        assertEquals(1, sink.sent.size());
        assertTrue(sink.last().text().contains("0/100"), sink.last().text());
        for (int i = 0; i < 50; i++) {
            now.addAndGet(100 * MS);
            p.step();
        }
        p.set("loss", 0.123456);
        String text = (String) p.bundle().get(MimeBundle.TEXT);
        String html = (String) p.bundle().get(MimeBundle.HTML);
        assertTrue(text.startsWith("train |████████████░░░░░░░░░░░░| 50/100  50%"), text);
        assertTrue(text.contains("10.0 it/s"), text);
        assertTrue(text.contains("0:05 < 0:05"), text); // 5 s elapsed, 50 more at 10 it/s
        assertTrue(text.contains("loss=0.1235"), text);
        assertTrue(html.contains("width:50.0%"), html);
        assertTrue(html.contains("loss=0.1235"), html);
    }

    @Test
    void bytesShowMegabytesAndMegabytesPerSecond() {
        Progress p = Progress.builder().bytes().total(50_000_000).label("downloading f.pth").clock(now::get).sink(sink)
                .start();
        now.addAndGet(2000 * MS);
        p.step(20_000_000);
        String text = (String) p.bundle().get(MimeBundle.TEXT);
        assertTrue(text.contains("20.0/50.0 MB  40%"), text);
        assertTrue(text.contains("10.0 MB/s"), text);
        assertTrue(text.contains("0:02 < 0:03"), text); // 30 MB more at 10 MB/s
    }

    @Test
    void closeAlwaysSendsTheFinalState() {
        Progress p = builder(10, "x").start();
        for (int i = 0; i < 10; i++) {
            p.step(); // the clock stands still, so the throttle drops all of these
        }
        assertEquals(1, sink.sent.size());
        p.close();
        p.close();
        assertEquals(2, sink.sent.size());
        assertTrue(sink.last().text().contains("10/10 100%"), sink.last().text());
        assertTrue(((String) sink.last().bundle().get(MimeBundle.HTML)).contains("width:100.0%"));
    }

    @Test
    void escapesLabelsAndMetrics() {
        Progress p = builder(3, "<script>").start();
        p.set("tag", "a&b");
        String html = (String) p.bundle().get(MimeBundle.HTML);
        assertTrue(html.contains("&lt;script&gt;"), html);
        assertTrue(html.contains("tag=a&amp;b"), html);
        assertTrue(!html.contains("<script>"), html);
    }

    @Test
    void wrapsAnIterableAndStepsAfterEachItem() {
        List<String> seen = new ArrayList<>();
        List<Long> countsDuringWork = new ArrayList<>();
        Progress.Builder b = builder(4, "items");
        for (String s : Progress.over(List.of("a", "b", "c", "d"), b)) {
            seen.add(s);
            countsDuringWork.add(countFrom(sink.last().text()));
            now.addAndGet(200 * MS);
        }
        assertEquals(List.of("a", "b", "c", "d"), seen);
        assertEquals(0L, countsDuringWork.get(0)); // nothing finished while the first item is being worked on
        assertTrue(sink.last().text().contains("4/4 100%"), sink.last().text());
    }

    @Test
    void unknownTotalShowsCountWithoutBar() {
        Progress p = builder(-1, null).start();
        now.addAndGet(2000 * MS);
        p.step(7);
        String text = (String) p.bundle().get(MimeBundle.TEXT);
        assertTrue(text.startsWith("7  3.5 it/s  0:02"), text);
    }

    @Test
    void formatsTimesAndValues() {
        assertEquals("1:01:05", Progress.clock(3665));
        assertEquals("0:59", Progress.clock(59.2));
        assertEquals("1.235e-04", Progress.formatValue(0.00012345));
        assertEquals("2.5", Progress.formatValue(2.5f));
        assertEquals("17", Progress.formatValue(17));
    }

    private static long countFrom(String text) {
        String[] parts = text.split("\\| ")[1].split("/");
        return Long.parseLong(parts[0].trim());
    }
}
