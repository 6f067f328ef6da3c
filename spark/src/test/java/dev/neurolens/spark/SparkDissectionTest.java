package dev.neurolens.spark;

import dev.neurolens.dissect.Dissection;
import dev.neurolens.dissect.SceneSegmenter;
import dev.neurolens.generate.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GAN dissection of the built-in scenes generator on Spark local[2] against the same builder in this JVM. */
class SparkDissectionTest {

    @Test
    void localModeEqualsOneMachine() {
        try (SparkRunner spark = SparkRunner.local(2)) {
            Generator g = Generator.builtin("scenes");
            Dissection.Builder b = Dissection.builder(g, "layer3").segmenter(SceneSegmenter.builtin()).samples(200);
            Dissection here = b.run();
            Dissection there = b.on(spark).run();
            assertTrue(here.exactThresholds() && there.exactThresholds());
            SparkNetworkDissectionTest.assertSame(here, there);
            for (int u : here.unitsFor("tree", 2)) {
                assertEquals(here.strip(u).toString(), there.strip(u).toString());
                assertArrayEquals(here.strip(u).render().getRGB(0, 0, 64, 64, null, 0, 64),
                        there.strip(u).render().getRGB(0, 0, 64, 64, null, 0, 64), "strip of unit " + u);
            }
            System.out.println("one JVM: " + here + "\nSpark:   " + there);
        }
    }
}
