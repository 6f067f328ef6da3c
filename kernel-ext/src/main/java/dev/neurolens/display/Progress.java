package dev.neurolens.display;

import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * A progress bar that redraws in place: step i/n, percent, rate, elapsed time, ETA, and any metrics set along
 * the way (loss, accuracy). HTML in a notebook, one text line elsewhere. Redraws go through a
 * {@link LiveDisplay} (at most every 100 ms, and at most half a percent of wall time), so stepping a million times
 * costs a few renders; {@link #close()} always draws the final state.
 *
 * <pre>{@code
 * try (Progress p = Progress.of(epochs, "training")) {
 *     for (int e = 0; e < epochs; e++) { p.set("loss", train()).step(); }
 * }
 * for (Image img : Progress.over(images, "scoring")) { ... }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
    private static final int TEXT_BAR_WIDTH = 24;
    static final double BUDGET = 0.005;

    private final long total;
    private final boolean bytes;
    private final LiveDisplay live;
    private final LongSupplier clock;
    private final long startedAt;
    // Raw values, formatted only when a frame is drawn, so set() on a skipped frame costs a map put.
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private String label;
    private long count;
    private boolean done;

    private Progress(Builder b) {
        this.total = b.total;
        this.bytes = b.bytes;
        this.label = b.label;
        this.clock = b.clock;
        // A bar is secondary to the work and to any figure beside it: a 1% share of wall time is plenty.
        LiveDisplay.Builder lb = LiveDisplay.builder().clock(b.clock).sink(b.sink).budget(BUDGET);
        if (b.minInterval != null) {
            lb.minInterval(b.minInterval);
        }
        this.live = lb.build();
        this.startedAt = clock.getAsLong();
        live.render(bundle());
    }

    /** A bar for total steps, shown now. */
    public static Progress of(long total, String label) {
        return builder().total(total).label(label).start();
    }

    public static Progress of(long total) {
        return of(total, null);
    }

    /** Iterates items with a bar that steps after each item's work and closes when the items run out. */
    public static <T> Iterable<T> over(Iterable<T> items, String label) {
        long n = items instanceof Collection<?> c ? c.size() : -1;
        return over(items, builder().total(n).label(label));
    }

    /** As {@link #over(Iterable, String)} with a configured builder (total is taken from the builder). */
    public static <T> Iterable<T> over(Iterable<T> items, Builder builder) {
        return () -> new Iterator<T>() {
            private final Iterator<T> it = items.iterator();
            private final Progress bar = builder.start();
            // The step for an item is counted when the loop comes back for the next one, i.e. after its work.
            private boolean handedOut;

            @Override
            public boolean hasNext() {
                if (handedOut) {
                    bar.step();
                    handedOut = false;
                }
                boolean more = it.hasNext();
                if (!more) {
                    bar.close();
                }
                return more;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                handedOut = true;
                return it.next();
            }
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    public Progress step() {
        return step(1);
    }

    public synchronized Progress step(long k) {
        count += k;
        live.update(this::bundle);
        return this;
    }

    /** Shows name=value beside the bar (numbers to 4 significant digits); redraws when the throttle allows. */
    public synchronized Progress set(String name, Object value) {
        metrics.put(name, value);
        live.update(this::bundle);
        return this;
    }

    public synchronized Progress label(String newLabel) {
        this.label = newLabel;
        return this;
    }

    public synchronized long count() {
        return count;
    }

    public long total() {
        return total;
    }

    /** Draws the final state. Idempotent. */
    @Override
    public synchronized void close() {
        if (done) {
            return;
        }
        done = true;
        live.finish(bundle());
    }

    public LiveDisplay.Stats stats() {
        return live.stats();
    }

    /** The bar as it would be drawn now: HTML and text/plain. */
    public synchronized MimeBundle bundle() {
        long now = clock.getAsLong();
        double elapsed = (now - startedAt) / 1e9;
        double rate = elapsed > 0 ? count / elapsed : 0;
        boolean known = total > 0;
        double frac = known ? Math.min(1, count / (double) total) : 0;
        String unit = bytes ? " MB" : "";
        String counts = known ? amount(count) + "/" + amount(total) + unit + String.format(Locale.ROOT, " %3.0f%%", 100 * frac)
                : amount(count) + unit;
        String time = clock(elapsed);
        if (known && !done && rate > 0) {
            time += " < " + clock(Math.max(0, total - count) / rate);
        }
        String metricText = metricsText();
        String stats = counts + " · " + (bytes ? megabytes(rate) + " MB/s" : rateText(rate)) + " · " + time
                + (metricText.isEmpty() ? "" : " · " + metricText);

        StringBuilder text = new StringBuilder();
        if (label != null && !label.isEmpty()) {
            text.append(label).append(' ');
        }
        if (known) {
            int filled = (int) Math.round(frac * TEXT_BAR_WIDTH);
            text.append('|').append("█".repeat(filled)).append("░".repeat(TEXT_BAR_WIDTH - filled)).append("| ");
        }
        text.append(stats.replace(" · ", "  "));

        String barColor = done && (!known || count >= total) ? "#22a06b" : "#3b82f6";
        StringBuilder html = new StringBuilder(400);
        html.append("<div class=\"nl-progress\" style=\"display:flex;align-items:center;gap:8px;")
                .append("font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace\">");
        if (label != null && !label.isEmpty()) {
            html.append("<span style=\"font-weight:600\">").append(Html.escape(label)).append("</span>");
        }
        html.append("<div style=\"flex:0 0 240px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden\">")
                .append("<div style=\"width:")
                .append(String.format(Locale.ROOT, "%.1f", known ? 100 * frac : (done ? 100.0 : 0.0)))
                .append("%;height:100%;background:").append(barColor).append("\"></div></div>")
                .append("<span>").append(Html.escape(stats)).append("</span></div>");
        return MimeBundle.html(html.toString(), text.toString());
    }

    private String metricsText() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : metrics.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=').append(formatValue(e.getValue()));
        }
        return sb.toString();
    }

    static String formatValue(Object value) {
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (d != 0 && (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e5)) {
                return String.format(Locale.ROOT, "%.3e", d);
            }
            String s = new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros()
                    .toPlainString();
            return s;
        }
        return String.valueOf(value);
    }

    private String amount(long n) {
        return bytes ? megabytes(n) : String.valueOf(n);
    }

    private static String megabytes(double n) {
        return String.format(Locale.ROOT, n >= 100e6 ? "%.0f" : "%.1f", n / 1e6);
    }

    private static String rateText(double perSecond) {
        if (perSecond <= 0) {
            return "– it/s";
        }
        return perSecond >= 1
                ? String.format(Locale.ROOT, "%.1f it/s", perSecond)
                : String.format(Locale.ROOT, "%.1f s/it", 1 / perSecond);
    }

    /** m:ss, or h:mm:ss past an hour. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    public static final class Builder {
        private long total = -1;
        private String label;
        private LongSupplier clock = System::nanoTime;
        private DisplaySink sink;
        private Duration minInterval;
        private boolean bytes;

        private Builder() {
        }

        /** Number of steps; unknown (-1) shows a count and rate without a bar or ETA. */
        public Builder total(long n) {
            this.total = n;
            return this;
        }

        /** Counts bytes: amounts in MB and the rate in MB/s (a download). */
        public Builder bytes() {
            this.bytes = true;
            return this;
        }

        public Builder label(String l) {
            this.label = l;
            return this;
        }

        public Builder clock(LongSupplier nanoTime) {
            this.clock = nanoTime;
            return this;
        }

        public Builder sink(DisplaySink s) {
            this.sink = s;
            return this;
        }

        /** Fixed redraw interval instead of the adaptive one. */
        public Builder minInterval(Duration d) {
            this.minInterval = d;
            return this;
        }

        /** Shows the bar at 0 and returns it. */
        public Progress start() {
            return new Progress(this);
        }
    }
}
