package dev.neurolens.spark;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.PortableNetwork;

import java.util.Locale;

/**
 * Top-9 patches of every unit of the default model's conv3 over the first N Fashion-MNIST pictures (test then
 * train): one JVM, Spark local[2] in this JVM, and a standalone cluster of two one-core workers on loopback; images/s
 * of each (best of two runs after a warm-up), the per-task overhead (a job of one-picture tasks), and what travels:
 * the weights once per executor, one top-k part per task. Not a test. Run after {@code ./neurolens spark}:
 *
 * <pre>./neurolens bench spark [pictures] [threads]</pre>
 */
public final class SparkBenchmark {
    private SparkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Devices.setThreads(threads);
        ImageSet data = ImageSet.fashionMnist().first(n);
        try (Network net = Models.defaultModel()) {
            TopPatches.Builder b = TopPatches.builder(net, "conv3").k(9).batch(128);
            System.out.println(Devices.describe() + "; " + n + " pictures; conv3, all units, top-9, batch 128");
            double one = best(() -> b.on(null).run(data), n);
            TopPatchesResult ref = b.on(null).run(data);
            report("one JVM (" + threads + " libtorch threads)", one, one);
            try (SparkRunner local = SparkRunner.local(2)) {
                double l = best(() -> b.on(local).run(data), n);
                check(ref, b.on(local).run(data));
                report("Spark local[2] (in this JVM)", l, one);
                overhead(local, net);
            }
            try (StandaloneCluster cluster = new StandaloneCluster(2, 1);
                 SparkRunner spark = SparkRunner.connect(cluster.masterUrl(), cluster.conf())) {
                double c = best(() -> b.on(spark).run(data), n);
                check(ref, b.on(spark).run(data));
                report("standalone cluster, 2 workers x 1 core (separate JVMs)", c, one);
                overhead(spark, net);
            }
            // peak memory of each executor JVM (a fresh application each time) over 10x more pictures
            try (StandaloneCluster cluster = new StandaloneCluster(2, 1)) {
                for (int pictures : new int[] {n / 10, n}) {
                    try (SparkRunner spark = SparkRunner.connect(cluster.masterUrl(), cluster.conf())) {
                        b.on(spark).run(data.first(pictures));
                        System.out.printf(Locale.ROOT, "executor peak RSS (VmHWM) after %d pictures: %s%n", pictures,
                                cluster.executorPeaks());
                    }
                    Thread.sleep(3000); // let the application's executors exit
                }
            }
            System.out.printf(Locale.ROOT, "sent once per executor: the weights, %d bytes; back per task: one top-k "
                    + "part, about %d bytes (units x k x 16 bytes), whatever the pictures per task%n",
                    PortableNetwork.of(net).size(), ref.units().length * 9 * 16);
        }
    }

    private interface Job {
        TopPatchesResult run();
    }

    private static double best(Job job, int n) {
        job.run(); // warm-up: executors start, load libtorch and the network
        double best = 0;
        for (int r = 0; r < 2; r++) {
            long t = System.nanoTime();
            job.run();
            best = Math.max(best, n / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }

    private static void report(String what, double imagesPerSecond, double oneJvm) {
        System.out.printf(Locale.ROOT, "%-58s %8.0f images/s  (%.2fx one JVM)%n", what, imagesPerSecond,
                imagesPerSecond / oneJvm);
    }

    /**
     * The same 256 pictures at batch 1 (so the inference costs the same), cut into 2 tasks and into 128: the
     * difference per extra task is Spark's cost of a task (scheduling, starting it, sending its part back).
     */
    private static void overhead(SparkRunner spark, Network net) {
        ImageSet few = ImageSet.fashionMnistTest().first(256);
        TopPatches.Builder b = TopPatches.builder(net, "conv3").k(9).batch(1).on(spark);
        int slots = spark.parallelism();
        double[] seconds = new double[2];
        int[] tasks = {SparkRunner.ranges(256, 1, slots).size(), SparkRunner.ranges(256, 1, slots * 64).size()};
        for (int i = 0; i < 2; i++) {
            spark.tasksPerSlot(i == 0 ? 1 : 64);
            b.run(few);
            long t = System.nanoTime();
            b.run(few);
            seconds[i] = (System.nanoTime() - t) / 1e9;
        }
        spark.tasksPerSlot(4);
        System.out.printf(Locale.ROOT, "  per-task overhead: 256 pictures in %d tasks %.2f s, in %d tasks %.2f s: "
                + "about %.1f ms a task on %d slots (%.1f ms of slot time)%n", tasks[0], seconds[0], tasks[1],
                seconds[1], 1000 * (seconds[1] - seconds[0]) / (tasks[1] - tasks[0]) , slots,
                1000 * slots * (seconds[1] - seconds[0]) / (tasks[1] - tasks[0]));
    }

    private static void check(TopPatchesResult a, TopPatchesResult b) {
        for (int u = 0; u < a.units().length; u++) {
            if (!a.hits(u).equals(b.hits(u))) {
                throw new IllegalStateException("unit " + u + " differs from one JVM's answer");
            }
        }
    }
}
