package dev.neurolens.model;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where a weights download reports its progress. The notebook front door installs a live bar
 * ({@code WeightStore.setDownloadProgress}); elsewhere a line per tenth goes to a text stream.
 */
@FunctionalInterface
public interface DownloadProgress {
    /** A download of {@code totalBytes} (-1 when the server does not say) from {@code url} begins. */
    Bar start(String fileName, String url, long totalBytes);

    /** One download's bar: bytes so far, then closed (also on failure). */
    interface Bar extends AutoCloseable {
        void update(long bytesSoFar);

        @Override
        void close();
    }

    /** Text lines on {@code out}: file, MB done of total, percent, MB/s and ETA, every tenth of the file. */
    static DownloadProgress text(PrintStream out) {
        return (fileName, url, total) -> new Bar() {
            private final long started = System.nanoTime();
            private long done;
            private int lastTenth = -1;

            @Override
            public void update(long bytes) {
                done = bytes;
                int tenth = total > 0 ? (int) (bytes * 10 / total) : (int) (bytes >> 24);
                if (out != null && tenth != lastTenth) {
                    lastTenth = tenth;
                    out.println(line(false));
                }
            }

            @Override
            public void close() {
                if (out != null && lastTenth != (total > 0 ? 10 : (int) (done >> 24))) {
                    out.println(line(true));
                }
            }

            private String line(boolean end) {
                double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
                double rate = done / seconds;
                StringBuilder sb = new StringBuilder("downloading ").append(fileName).append(": ")
                        .append(String.format(Locale.ROOT, "%.1f", done / 1e6));
                if (total > 0) {
                    sb.append(String.format(Locale.ROOT, " of %.1f MB (%d%%)", total / 1e6, done * 100 / total));
                } else {
                    sb.append(" MB");
                }
                sb.append(String.format(Locale.ROOT, ", %.1f MB/s", rate / 1e6));
                if (total > 0 && rate > 0 && done < total && !end) {
                    sb.append(String.format(Locale.ROOT, ", ETA %.0f s", (total - done) / rate));
                }
                return sb.toString();
            }
        };
    }
}
