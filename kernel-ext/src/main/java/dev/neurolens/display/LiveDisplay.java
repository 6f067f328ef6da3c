package dev.neurolens.display;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A figure that is shown once and then redrawn in place while a loop runs (training curves, an image being
 * optimized). Updates are throttled so watching costs little: a frame is rendered only when enough time has
 * passed since the last one, and the others are dropped. Pass a {@link Supplier} to {@link #update(Supplier)}
 * and dropped frames are never even built.
 *
 * <p>Throttling, by default, is adaptive: at least {@code floor} (100 ms) between renders, and at least a frame's
 * typical cost divided by {@code budget} (3.5%), so rendering takes about that share of the wall time and a slow
 * figure is simply redrawn less often. The typical cost is the median of the last {@value #RECENT} frames after the
 * first (which also loads classes): single frames that pay for JIT warm-up or a collection would otherwise hold the
 * next frames back for seconds, which made a progress bar lag the figure beside it (docs/benchmarks.md).
 * {@code minInterval} replaces all this with a fixed interval.
 *
 * <p>{@link #close()} renders the last dropped frame, so the saved notebook shows the final state:
 * <pre>{@code
 * try (LiveDisplay live = LiveDisplay.create()) {
 *     for (int step = 0; step < 2000; step++) {
 *         train(step);
 *         live.update(() -> ImageView.of(current()).title("step " + step));
 *     }
 * }
 * }</pre>
 */
public final class LiveDisplay implements AutoCloseable {
    public static final Duration DEFAULT_FLOOR = Duration.ofMillis(100);
    /** 3.5%, so a live figure plus a progress bar (0.5%) stay under 5% of a loop's time with margin for what is not timed. */
    public static final double DEFAULT_BUDGET = 0.035;

    /** What watching has cost so far; {@link #overhead()} is the share of wall time spent rendering. */
    public record Stats(long renders, long skipped, long renderNanos, long elapsedNanos) {
        public double overhead() {
            return elapsedNanos <= 0 ? 0 : renderNanos / (double) elapsedNanos;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d renders, %d skipped, %.1f ms rendering in %.1f s (%.2f%%)",
                    renders, skipped, renderNanos / 1e6, elapsedNanos / 1e9, 100 * overhead());
        }
    }

    private final DisplaySink sink;
    private final LongSupplier clock;
    private final long fixedIntervalNanos;
    private final long floorNanos;
    private final double budget;
    private final String displayId;
    private final long createdAt;

    private boolean shown;
    private boolean closed;
    private long lastRenderAt;
    private long renders;
    private long skipped;
    private long renderNanos;
    /** Costs of the last {@value #RECENT} frames after the first, whose median sets the adaptive interval. */
    private final long[] recent = new long[RECENT];
    static final int RECENT = 5;
    /** The adaptive interval, set after each render so offering a frame costs no more than a comparison. */
    private long adaptiveIntervalNanos;
    private Supplier<?> pending;

    private LiveDisplay(Builder b) {
        this.sink = b.sink;
        this.clock = b.clock;
        this.fixedIntervalNanos = b.fixedIntervalNanos;
        this.floorNanos = b.floorNanos;
        this.budget = b.budget;
        this.displayId = Display.newDisplayId();
        this.createdAt = clock.getAsLong();
    }

    /** Adaptive throttling, the current {@link Display} sink; nothing is shown until the first update. */
    public static LiveDisplay create() {
        return builder().build();
    }

    /** Shows first now and returns the handle to update it. */
    public static LiveDisplay show(Object first) {
        LiveDisplay live = create();
        live.render(first);
        return live;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Offers a frame; renders it if the throttle allows, else keeps it as the frame close() will show. */
    public boolean update(Object frame) {
        return update(() -> frame);
    }

    /** Offers a lazily built frame: the supplier runs only if this frame is rendered. */
    public synchronized boolean update(Supplier<?> frame) {
        Objects.requireNonNull(frame, "frame");
        requireOpen();
        long now = clock.getAsLong();
        if (!due(now)) {
            skipped++;
            pending = frame;
            return false;
        }
        renderNow(frame, now);
        return true;
    }

    /** Renders frame now, whatever the throttle says (the first frame, a final state, a checkpoint). */
    public synchronized void render(Object frame) {
        requireOpen();
        renderNow(() -> frame, clock.getAsLong());
    }

    /** Renders frame as the final one and closes. */
    public synchronized void finish(Object frame) {
        render(frame);
        closed = true;
        pending = null;
    }

    /** Renders the last frame that was dropped, if any, so the notebook keeps the final state. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (pending != null) {
            renderNow(pending, clock.getAsLong());
        }
        closed = true;
    }

    public String displayId() {
        return displayId;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    public synchronized Stats stats() {
        return new Stats(renders, skipped, renderNanos, clock.getAsLong() - createdAt);
    }

    /** Whether a frame offered at now would be rendered. */
    private boolean due(long now) {
        if (!shown) {
            return true;
        }
        long since = now - lastRenderAt;
        if (fixedIntervalNanos > 0) {
            return since >= fixedIntervalNanos;
        }
        return since >= Math.max(floorNanos, adaptiveIntervalNanos);
    }

    private void renderNow(Supplier<?> frame, long start) {
        MimeBundle bundle = bundleOf(frame.get());
        DisplaySink target = sink != null ? sink : Display.sink();
        if (shown) {
            target.update(bundle, displayId);
        } else {
            target.display(bundle, displayId);
            shown = true;
        }
        long end = clock.getAsLong();
        if (renders > 0) { // the first frame also pays for loading classes: left out
            recent[(int) ((renders - 1) % RECENT)] = end - start;
            // lastRenderAt is the start of a render, so the interval includes it: cost/interval <= budget
            adaptiveIntervalNanos = (long) (typicalCost() / budget);
        }
        renderNanos += end - start;
        lastRenderAt = start;
        renders++;
        pending = null;
    }

    private long typicalCost() {
        long[] costs = java.util.Arrays.copyOf(recent, (int) Math.min(renders, RECENT));
        java.util.Arrays.sort(costs);
        return costs[costs.length / 2];
    }

    private static MimeBundle bundleOf(Object frame) {
        if (frame instanceof MimeBundle b) {
            return b;
        }
        return Display.bundleOf(frame);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("LiveDisplay " + displayId + " is closed; create a new one to keep "
                    + "showing frames");
        }
    }

    public static final class Builder {
        private DisplaySink sink;
        private LongSupplier clock = System::nanoTime;
        private long fixedIntervalNanos;
        private long floorNanos = DEFAULT_FLOOR.toNanos();
        private double budget = DEFAULT_BUDGET;

        private Builder() {
        }

        /** Render at most once per interval, instead of the adaptive throttle. */
        public Builder minInterval(Duration interval) {
            this.fixedIntervalNanos = interval.toNanos();
            return this;
        }

        /** Shortest gap between adaptive renders. */
        public Builder floor(Duration floor) {
            this.floorNanos = floor.toNanos();
            return this;
        }

        /** Largest share of wall time adaptive throttling lets rendering take, e.g. 0.05. */
        public Builder budget(double share) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("budget must be in (0, 1], got " + share);
            }
            this.budget = share;
            return this;
        }

        /** Where frames go; by default whatever {@link Display#sink()} is at render time. */
        public Builder sink(DisplaySink s) {
            this.sink = s;
            return this;
        }

        /** Time source in nanoseconds, for tests. */
        public Builder clock(LongSupplier nanoTime) {
            this.clock = Objects.requireNonNull(nanoTime);
            return this;
        }

        public LiveDisplay build() {
            return new LiveDisplay(this);
        }
    }
}
