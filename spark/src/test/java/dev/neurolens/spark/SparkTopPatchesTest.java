package dev.neurolens.spark;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void inMemorySetsAreRefusedWithAReason() {
        ImageSet mem = ImageSet.of(List.of(new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY)), null, List.of(), "one picture");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopPatches.builder(net, "conv3").on(spark).run(mem));
        assertTrue(e.getMessage().contains("ImageSet.folder"), e.getMessage());
    }
}
