package dev.neurolens.attribution.internal;

import java.util.Map;

/** Wall time of the parts of incremental passes, by layer and part, for benchmarks; off unless given a sink. */
final class PassProfile {
    /** Milliseconds by layer and part ("features.3 gather", "features.3 compute", ...); null when off. */
    private Map<String, double[]> sink;
    private String unit;

    void sink(Map<String, double[]> s) {
        sink = s;
    }

    /** The layer whose parts are being timed. */
    void unit(String name) {
        unit = name;
    }

    String unit() {
        return unit;
    }

    long now() {
        return sink == null ? 0 : System.nanoTime();
    }

    void tick(String part, long t0) {
        if (sink != null) {
            sink.computeIfAbsent(part, k -> new double[1])[0] += (System.nanoTime() - t0) / 1e6;
        }
    }
}
