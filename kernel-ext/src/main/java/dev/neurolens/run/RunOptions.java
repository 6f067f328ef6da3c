package dev.neurolens.run;

import java.util.function.Consumer;

/**
 * The settings every iterative technique shares, as one immutable value: how many steps, the random seed, how
 * often to keep a frame for a GIF, whether to show the live figure, and who else hears about each step.
 */
public record RunOptions(int steps, long seed, int recordEvery, boolean live, int listenEvery,
        Consumer<Frame> listener) {

    public RunOptions {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (recordEvery < 0) {
            throw new IllegalArgumentException("recordEvery must be >= 0 (0 keeps no frames), got " + recordEvery);
        }
        if (listenEvery < 1) {
            throw new IllegalArgumentException("a listener's interval must be >= 1 step, got " + listenEvery);
        }
    }

    public static RunOptions defaults(int steps) {
        return new RunOptions(steps, 0, 0, true, 1, null);
    }

    public RunOptions withSteps(int n) {
        return new RunOptions(n, seed, recordEvery, live, listenEvery, listener);
    }

    public RunOptions withLive(boolean on) {
        return new RunOptions(steps, seed, recordEvery, on, listenEvery, listener);
    }

    /** Whether step {@code step} (0-based) is one whose frame is kept for {@code saveGif}. */
    public boolean records(int step) {
        return recordEvery > 0 && step % recordEvery == 0;
    }

    /** Whether the listener wants the frame after step {@code step} (0-based): every n-th and the last. */
    public boolean listensAt(int step) {
        return listener != null && (step % listenEvery == listenEvery - 1 || step == steps - 1);
    }
}
