package dev.neurolens.run;

import java.io.Serializable;

/**
 * Somewhere to run a data-set job in parts: a Spark cluster (the {@code neurolens-spark} module), or anything else
 * that can run a function on ranges of item ids and merge what comes back. The job's items {@code [0, n)} are cut
 * into ranges whose bounds are multiples of {@code granularity} (the job's batch, so every batch is the batch one
 * machine would run and the numbers are the same); each range gives a part; parts merge in any order to the part
 * of all items. {@code shared} (the model's weights, the data's recipe) travels to each worker once.
 *
 * <p>Techniques take one with {@code .on(DataParallel)} on their builder; without it they run in this JVM.
 */
public interface DataParallel {
    /**
     * Runs {@code task} over {@code [0, n)} and merges the parts. Interrupting the calling thread cancels what is
     * still running and returns what was merged so far, marked interrupted. {@code merged} (or null) hears the
     * merged part now and then while the job runs, for a live view.
     */
    <S extends Serializable, P extends Serializable> Outcome<P> run(String label, int n, int granularity, S shared,
                                                                     RangeTask<S, P> task, Merge<P> merge,
                                                                     java.util.function.Consumer<Outcome<P>> merged);

    /** What one range of items gives, on a worker. */
    @FunctionalInterface
    interface RangeTask<S, P> extends Serializable {
        P run(S shared, int from, int to) throws Exception;
    }

    /** Merges two parts: associative and commutative, so the order parts finish in does not matter. */
    @FunctionalInterface
    interface Merge<P> extends Serializable {
        P merge(P a, P b);
    }

    /**
     * The merged part (null when no range finished), how many items it covers, and whether an interrupt ended the
     * job early.
     */
    record Outcome<P>(P merged, long items, boolean interrupted) {
    }
}
