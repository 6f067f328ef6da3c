package dev.neurolens.spark;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Top-k patches on Spark local[2] against the same builder in this JVM: the same ids, values and cells. */
class SparkTopPatchesTest {
    private static SparkRunner spark;
    private static Network net;

    @BeforeAll
    static void start() {
        spark = SparkRunner.local(2);
        net = Models.defaultModel();
    }

    @AfterAll
    static void stop() {
        spark.close();
        net.close();
    }

    static void assertSameHits(TopPatchesResult a, TopPatchesResult b) {
        assertEquals(a.units().length, b.units().length);
        for (int u = 0; u < a.units().length; u++) {
            List<TopPatchesResult.Hit> x = a.hits(u);
            List<TopPatchesResult.Hit> y = b.hits(u);
            assertEquals(x, y, "unit " + a.units()[u]);
        }
        assertEquals(a.imagesSeen(), b.imagesSeen());
    }

    @Test
    void localModeEqualsOneMachine() {
        ImageSet data = ImageSet.fashionMnistTest().first(3000);
        TopPatches.Builder b = TopPatches.builder(net, "conv3").units(0, 24).k(9).batch(100);
        TopPatchesResult here = b.run(data);
        TopPatchesResult there = b.on(spark).run(data);
        assertSameHits(here, there);
        assertFalse(there.partial());
        assertEquals(3000, there.imagesSeen());
        // ranges of whole batches, about 4 tasks per slot
        assertEquals(8, SparkRunner.ranges(3000, 100, 8).size());
        assertTrue(SparkRunner.ranges(3000, 100, 8).stream().allMatch(r -> r[0] % 100 == 0));
    }

    /** A corrupt file among the pictures is skipped, counted and reported, here and on Spark alike. */
    @Test
    void corruptPictureIsReportedNotFatal(@TempDir Path dir) throws Exception {
        ImageSet test = ImageSet.fashionMnistTest();
        for (int i = 0; i < 300; i++) {
            ImageIO.write(test.image(i), "png", dir.resolve(String.format("%04d.png", i)).toFile());
        }
        Files.write(dir.resolve("0150_bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0});
        ImageSet folder = ImageSet.folder(dir);
        assertEquals(301, folder.size());
        TopPatches.Builder b = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(64);
        TopPatchesResult here = b.run(folder);
        TopPatchesResult there = b.on(spark).run(folder);
        assertSameHits(here, there);
        assertEquals(java.util.Set.of(151), here.unreadable().keySet()); // 0150_bad.png sorts after 0150.png
        assertEquals(here.unreadable(), there.unreadable());
        assertFalse(there.partial());
        assertTrue(there.toString().contains("1 unreadable picture skipped (id 151)"), there.toString());
    }

    /** A folder the workers cannot see is one clear error, not Spark's stack of wrappers. */
    @Test
    void folderMissingOnWorkersIsOneClearError(@TempDir Path dir) throws Exception {
        Path pictures = Files.createDirectories(dir.resolve("pictures"));
        ImageIO.write(ImageSet.fashionMnistTest().image(0), "png", pictures.resolve("a.png").toFile());
        ImageSet folder = ImageSet.folder(pictures);
        Files.delete(pictures.resolve("a.png"));
        Files.delete(pictures);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TopPatches.builder(net, "conv3").k(3).on(spark).run(folder));
        assertTrue(e.getMessage().startsWith("top-3 patches of conv3 failed on Spark: this worker cannot read the folder "
                + pictures), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Interrupt cancels the Spark job and keeps the ranges merged before it; such a result cannot resume. */
    @Test
    void interruptCancelsTheJobAndKeepsWhatWasMerged() throws Exception {
        ImageSet data = ImageSet.fashionMnistTest();
        TopPatches.Builder b = TopPatches.builder(net, "conv3").units(0, 8).k(5).batch(20).on(spark);
        java.util.concurrent.atomic.AtomicReference<TopPatchesResult> out = new java.util.concurrent.atomic
                .AtomicReference<>();
        Thread run = new Thread(() -> out.set(b.run(data)));
        run.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (SparkClusterTest.completedTasks(spark) < 1 && run.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        run.interrupt();
        long asked = System.nanoTime();
        run.join(30_000);
        double seconds = (System.nanoTime() - asked) / 1e9;
        TopPatchesResult r = out.get();
        assertTrue(r.interrupted(), r.toString());
        assertTrue(r.imagesSeen() > 0 && r.imagesSeen() < data.size(), r.toString());
        assertTrue(seconds < 5, "the job took " + seconds + " s to stop");
        System.out.printf("interrupt: stopped in %.2f s, kept %d of %d pictures%n", seconds, r.imagesSeen(), data.size());
        long end = System.nanoTime() + 10_000_000_000L;
        while (spark.context().statusTracker().getActiveJobIds().length > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(0, spark.context().statusTracker().getActiveJobIds().length, "the Spark job still runs");
        assertThrows(IllegalArgumentException.class, () -> r.resume(data));
        assertTrue(r.grid().toString().contains("run the job again"), r.grid().toString());
    }

    @Test
    void inMemorySetsAreRefusedWithAReason() {
        ImageSet mem = ImageSet.of(List.of(new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY)), null, List.of(), "one picture");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopPatches.builder(net, "conv3").on(spark).run(mem));
        assertTrue(e.getMessage().contains("ImageSet.folder"), e.getMessage());
    }
}
