package dev.neurolens.spark;

import dev.neurolens.display.Progress;
import dev.neurolens.run.DataParallel;
import dev.neurolens.model.Devices;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.AccumulatorV2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Neurolens data-set jobs on Apache Spark: {@code TopPatches.builder(net, "conv3").on(spark).run(data)} gives the
 * answer the same builder gives in this JVM, computed by Spark's executors.
 *
 * <p>How a job runs: the items are cut into ranges of whole batches (so each batch is the one a single machine
 * would run and the numbers are identical), one Spark task per range. The network's weights and the data's
 * recipe go to each executor once, as a broadcast; an executor JVM builds the network once and keeps it
 * ({@link dev.neurolens.model.PortableNetwork#open()}). Each task's part (a top-k heap, a sketch, counts) reaches
 * the driver through an accumulator, which Spark applies exactly once per successful task, so a task retried after
 * a lost executor is not counted twice, and an interrupt keeps every part merged so far. A progress bar counts the
 * items merged.
 *
 * <pre>{@code
 * try (SparkRunner spark = SparkRunner.local(2)) {                   // or SparkRunner.connect("spark://host:7077")
 *     TopPatchesResult r = TopPatches.builder(net, "conv3").k(9).on(spark).run(ImageSet.fashionMnistTest());
 * }
 * }</pre>
 */
public final class SparkRunner implements DataParallel, AutoCloseable {
    static {
        // Spark logs through the kernel's slf4j-simple: only its warnings belong in a notebook, and not the
        // start-up ones about host names and Hadoop's native library
        quiet("org.apache.spark", "warn");
        quiet("org.sparkproject", "warn");
        quiet("org.apache.spark.util.Utils", "error");
        quiet("org.apache.hadoop", "error");
    }

    private final JavaSparkContext sc;
    private volatile int tasksPerCore;

    private SparkRunner(JavaSparkContext sc, int tasksPerCore) {
        this.sc = sc;
        this.tasksPerCore = tasksPerCore;
    }

    private static void quiet(String logger, String level) {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log." + logger, level);
    }

    /** Spark in this JVM with {@code threads} task slots ({@code local[threads]}): for trying it, and for tests. */
    public static SparkRunner local(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("local mode needs at least one thread, got " + threads);
        }
        return of(new SparkConf().setMaster("local[" + threads + "]"));
    }

    /**
     * A cluster's master, e.g. {@code spark://host:7077}. Executors need the Neurolens jars: give their folder
     * with {@code spark.executor.extraClassPath} in {@code conf} (a path every worker sees), or submit with
     * {@code spark-submit --jars}; see the README.
     */
    public static SparkRunner connect(String master, SparkConf conf) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("give a master URL such as spark://host:7077, or use local(threads)");
        }
        return of(conf.clone().setMaster(master));
    }

    /** Any Spark configuration; the app name defaults to "neurolens". */
    public static SparkRunner of(SparkConf conf) {
        SparkModules.checkOpen();
        SparkConf c = conf.clone().setIfMissing("spark.app.name", "neurolens")
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        // Spark's executors load task classes through the creating thread's context loader
        return withSparkLoader(() -> new SparkRunner(new JavaSparkContext(c), 4));
    }

    /** The Spark context, for anything else you want to run on the same cluster. */
    public JavaSparkContext context() {
        return sc;
    }

    /** Spark SQL on the same context: Parquet, the binary-file source, data frames. */
    public SparkSession session() {
        return withSparkLoader(() -> SparkSession.builder().sparkContext(sc.sc()).getOrCreate());
    }

    /**
     * Runs {@code body} with this module's class loader as the thread's context loader: Spark finds its own classes
     * (codecs, serializers, data sources) through it, and in a kernel that added this module with %spark only this
     * class's loader sees them.
     */
    static <T> T withSparkLoader(java.util.function.Supplier<T> body) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(SparkRunner.class.getClassLoader());
        try {
            return body.get();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    /**
     * Tasks per task slot a job is cut into (4): more evens out slow workers and loses less to an interrupt or a
     * lost worker, fewer saves the per-task cost (see {@code ./neurolens bench spark}).
     */
    public SparkRunner tasksPerSlot(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("tasksPerSlot must be at least 1, got " + n);
        }
        this.tasksPerCore = n;
        return this;
    }

    /** Task slots across the cluster as Spark counts them. */
    public int parallelism() {
        return sc.defaultParallelism();
    }

    @Override
    public <S extends Serializable, P extends Serializable> Outcome<P> run(String label, int n, int granularity,
                                                                           S shared, RangeTask<S, P> task,
                                                                           Merge<P> merge,
                                                                           Consumer<Outcome<P>> merged) {
        Outcome<P> out = withSparkLoader(() -> runHere(label, n, granularity, shared, task, merge, merged));
        if (out.interrupted()) {
            // the caller decides what an interrupt means next (the kernel ends the cell)
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private <S extends Serializable, P extends Serializable> Outcome<P> runHere(String label, int n,
                                                                                int granularity, S shared,
                                                                                RangeTask<S, P> task,
                                                                                Merge<P> merge,
                                                                                Consumer<Outcome<P>> merged) {
        List<int[]> ranges = ranges(n, granularity, parallelism() * tasksPerCore);
        Broadcast<S> once = sc.broadcast(shared);
        PartAccumulator<P> acc = new PartAccumulator<>(merge);
        sc.sc().register(acc, label);
        String group = "neurolens-" + UUID.randomUUID();
        sc.setJobGroup(group, label + " (" + n + " items, " + ranges.size() + " tasks)", true);
        boolean interrupted = false;
        try (Progress bar = Progress.builder().total(n).label(label + " on Spark").start()) {
            JavaFutureAction<Void> job = sc.parallelize(ranges, ranges.size()).foreachAsync(new RunRange<>(once, task,
                    acc));
            long shown = 0;
            while (true) {
                try {
                    job.get(200, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    // still running
                } catch (InterruptedException e) {
                    interrupted = true;
                    sc.cancelJobGroup(group);
                    break;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(label + " failed on Spark: " + rootMessage(e), e);
                }
                Merged<P> now = acc.value();
                if (now.items > shown) {
                    bar.step(now.items - shown);
                    shown = now.items;
                    if (merged != null) {
                        merged.accept(new Outcome<>(now.part, now.items, false));
                    }
                }
            }
            Merged<P> done = acc.value();
            bar.step(done.items - shown);
            return new Outcome<>(done.part, done.items, interrupted);
        } finally {
            sc.clearJobGroup();
            // executors drop their copy now (the interrupt flag is set again only after this, in run)
            once.unpersist(true);
        }
    }

    /** {@code [0, n)} in about {@code tasks} ranges whose bounds are multiples of {@code granularity}. */
    static List<int[]> ranges(int n, int granularity, int tasks) {
        int g = Math.max(1, granularity);
        int batches = (n + g - 1) / g;
        int per = Math.max(1, (batches + tasks - 1) / Math.max(1, tasks));
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batches; b += per) {
            out.add(new int[] {b * g, (int) Math.min(n, (long) (b + per) * g)});
        }
        return out;
    }

    /** The executor's own words, without Spark's wrapping ("Job aborted due to stage failure: ..."). */
    static String rootMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (!(t instanceof ExecutionException) && !t.getClass().getName().startsWith("org.apache.spark.")) {
                return String.valueOf(t.getMessage());
            }
        }
        // the task's exception did not travel as an object: cut it out of Spark's text
        String m = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        int at = m.indexOf("\n\tat ");
        m = at >= 0 ? m.substring(0, at) : m;
        int lost = m.lastIndexOf("): ");
        return (lost >= 0 ? m.substring(lost + 3) : m).strip();
    }

    @Override
    public void close() {
        sc.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SparkRunner[%s, %d task slots]", sc.master(), parallelism());
    }

    /** One task: the part of its range, added to the accumulator. */
    private record RunRange<S, P extends Serializable>(Broadcast<S> shared, RangeTask<S, P> task,
                                                        PartAccumulator<P> acc) implements VoidFunction<int[]> {
        @Override
        public void call(int[] range) throws Exception {
            useAssignedGpu();
            acc.add(new Merged<>(task.run(shared.value(), range[0], range[1]), range[1] - range[0]));
        }
    }

    /**
     * On an executor that Spark gave a GPU ({@code spark.executor.resource.gpu.amount=1} and a discovery script),
     * makes that GPU this JVM's device before a model loads, so executors sharing a machine do not all use GPU 0.
     * Without one, {@link Devices#current()} picks the first GPU libtorch sees, or the CPU.
     */
    static void useAssignedGpu() {
        TaskContext tc = TaskContext.get();
        ResourceInformation gpu = tc == null ? null : tc.resourcesJMap().get("gpu");
        if (gpu != null && gpu.addresses().length > 0) {
            Devices.assign(Integer.parseInt(gpu.addresses()[0].trim()));
        }
    }

    /** A part and the items it covers. */
    record Merged<P>(P part, long items) implements Serializable {
    }

    /** Merges parts as tasks finish; Spark applies each successful task's update once. */
    static final class PartAccumulator<P extends Serializable> extends AccumulatorV2<Merged<P>, Merged<P>> {
        private final Merge<P> merge;
        private Merged<P> value = new Merged<>(null, 0);

        PartAccumulator(Merge<P> merge) {
            this.merge = merge;
        }

        @Override
        public boolean isZero() {
            return value.part == null && value.items == 0;
        }

        @Override
        public AccumulatorV2<Merged<P>, Merged<P>> copy() {
            PartAccumulator<P> c = new PartAccumulator<>(merge);
            c.value = value;
            return c;
        }

        @Override
        public void reset() {
            value = new Merged<>(null, 0);
        }

        @Override
        public synchronized void add(Merged<P> v) {
            P part = value.part == null ? v.part : v.part == null ? value.part : merge.merge(value.part, v.part);
            value = new Merged<>(part, value.items + v.items);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void merge(AccumulatorV2<Merged<P>, Merged<P>> other) {
            add(other.value());
        }

        @Override
        public synchronized Merged<P> value() {
            return value;
        }
    }
}
