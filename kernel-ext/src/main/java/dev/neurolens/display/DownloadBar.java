package dev.neurolens.display;

import dev.neurolens.model.DownloadProgress;

/** Weight downloads as a live {@link Progress} bar in MB: done/total, percent, MB/s, elapsed and ETA. */
public final class DownloadBar implements DownloadProgress {
    @Override
    public Bar start(String fileName, String url, long totalBytes) {
        Progress p = Progress.builder().bytes().total(totalBytes).label("downloading " + fileName).start();
        return new Bar() {
            private long shown;

            @Override
            public void update(long bytesSoFar) {
                p.step(bytesSoFar - shown);
                shown = bytesSoFar;
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }
}
