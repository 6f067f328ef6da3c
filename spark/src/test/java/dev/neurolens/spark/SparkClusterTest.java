package dev.neurolens.spark;

import dev.neurolens.dissect.Dissection;
import dev.neurolens.dissect.SceneSegmenter;
import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Models;
import dev.neurolens.generate.Generator;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A real standalone cluster (a master and two workers, each its own JVM, on loopback): the same top-k as one
 * machine, also when a worker is killed in the middle of the job; and GAN dissection's thresholds and IoUs.
 */
class SparkClusterTest {

    @Test
    void twoWorkersEqualOneMachineAndSurviveALostWorker() throws Exception {
        try (Network net = Models.defaultModel();
             StandaloneCluster cluster = new StandaloneCluster(2, 1)) {
            ImageSet data = ImageSet.fashionMnistTest();
            TopPatches.Builder b = TopPatches.builder(net, "conv3").units(0, 32).k(9).batch(100);
            TopPatchesResult here = b.run(data);
            try (SparkRunner spark = SparkRunner.connect(cluster.masterUrl(), cluster.conf()
                    .set("spark.cores.max", "2"))) {
                TopPatchesResult there;
                try {
                    there = b.on(spark).run(data.first(3000));
                } catch (RuntimeException e) {
                    throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
                }
                SparkTopPatchesTest.assertSameHits(b.on(null).run(data.first(3000)), there);

                // kill worker 1 once the first tasks are done: its tasks run again on worker 0
                CompletableFuture<TopPatchesResult> job = CompletableFuture.supplyAsync(() -> b.on(spark).run(data));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (completedTasks(spark) < 2 && System.nanoTime() < deadline && !job.isDone()) {
                    Thread.sleep(50);
                }
                assertFalse(job.isDone(), "the job ended before the worker could be killed");
                cluster.kill(1);
                TopPatchesResult survived = job.get(300, TimeUnit.SECONDS);
                assertFalse(survived.partial());
                SparkTopPatchesTest.assertSameHits(here, survived);

                // GAN dissection on the surviving worker: the generator travels as bytes, the segmenter by name
                Generator g = Generator.builtin("scenes");
                Dissection.Builder d = Dissection.builder(g, "layer3").segmenter(SceneSegmenter.builtin())
                        .samples(96);
                Dissection one = d.run();
                Dissection many = d.on(spark).run();
                assertArrayEquals(one.thresholds(), many.thresholds());
                for (int u = 0; u < one.units(); u++) {
                    assertArrayEquals(one.iou()[u], many.iou()[u], 1e-12, "unit " + u);
                }
            }
        }
    }

    static int completedTasks(SparkRunner spark) {
        int done = 0;
        for (int id : spark.context().statusTracker().getActiveStageIds()) {
            var info = spark.context().statusTracker().getStageInfo(id);
            if (info != null) {
                done += info.numCompletedTasks();
            }
        }
        return done;
    }
}
