package dev.neurolens.run;

import java.util.function.Consumer;

/**
 * The one way every iterative technique is configured and run. A technique's static {@code builder(…)} (or its
 * {@code of(…)} alias) takes what it cannot run without; every builder method after that is an optional setting
 * named after what it sets, returning the builder; {@code run()} computes and returns an immutable result that
 * renders itself (or, for trainers, the trained model). The settings every technique shares are declared here once.
 *
 * <p>Interrupting a run (the kernel's stop button) ends it at the next step with what was done so far; the kernel
 * discards an interrupted cell's value, so that partial result is kept in {@link LastResults} for the next cell.
 */
public abstract class RunBuilder<B extends RunBuilder<B>> {
    private RunOptions options;

    protected RunBuilder(int defaultSteps) {
        this.options = RunOptions.defaults(defaultSteps);
    }

    @SuppressWarnings("unchecked")
    protected final B self() {
        return (B) this;
    }

    /** Optimization steps (for a dataset technique: iterations or epochs, as its Javadoc says). */
    public B steps(int n) {
        options = options.withSteps(n);
        return self();
    }

    public B seed(long s) {
        options = new RunOptions(options.steps(), s, options.recordEvery(), options.live(), options.listenEvery(),
                options.listener());
        return self();
    }

    /** Keeps a frame every n steps (and the last) for the result's GIF; 0 keeps none. */
    public B recordEvery(int n) {
        options = new RunOptions(options.steps(), options.seed(), n, options.live(), options.listenEvery(),
                options.listener());
        return self();
    }

    /** Whether to show the live figure and progress bar (on by default). */
    public B live(boolean on) {
        options = options.withLive(on);
        return self();
    }

    /** Calls {@code listener} after every {@code every}-th step and after the last, with a {@link Frame}. */
    public B listener(int every, Consumer<Frame> listener) {
        options = new RunOptions(options.steps(), options.seed(), options.recordEvery(), options.live(), every,
                listener);
        return self();
    }

    /** All shared settings at once (to run several techniques alike). */
    public B options(RunOptions o) {
        options = o;
        return self();
    }

    public RunOptions options() {
        return options;
    }

    public int steps() {
        return options.steps();
    }

    public long seed() {
        return options.seed();
    }

    public boolean live() {
        return options.live();
    }

    public int recordEvery() {
        return options.recordEvery();
    }
}
