package dev.neurolens.spark;

import dev.neurolens.data.Scenes;
import dev.neurolens.dissect.BrodenFolder;
import dev.neurolens.dissect.NetworkDissection;
import dev.neurolens.dissect.SceneClassifier;
import dev.neurolens.dissect.UnitDissection;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network Dissection of the scene classifier on Spark local[2] against the same builder in this JVM: rendered scenes
 * with their exact masks (notebook 07's setup) and a Broden-style folder of the same scenes.
 */
class SparkNetworkDissectionTest {
    private static SparkRunner spark;
    private static Network net;

    @BeforeAll
    static void start() {
        spark = SparkRunner.local(2);
        net = SceneClassifier.builtin();
    }

    @AfterAll
    static void stop() {
        spark.close();
        net.close();
    }

    static void assertSame(UnitDissection here, UnitDissection there) {
        assertArrayEquals(here.thresholds(), there.thresholds());
        double[][] a = here.iou();
        double[][] b = there.iou();
        for (int u = 0; u < a.length; u++) {
            assertArrayEquals(a[u], b[u], 1e-12, "unit " + u);
        }
        assertEquals(here.unitsPerConcept(), there.unitsPerConcept());
        int best = here.labelledUnits().length > 0 ? here.labelledUnits()[0] : 0;
        assertArrayEquals(here.strip(best).render().getRGB(0, 0, 64, 64, null, 0, 64),
                there.strip(best).render().getRGB(0, 0, 64, 64, null, 0, 64), "strip of unit " + best);
    }

    @Test
    void renderedScenesEqualOneMachine() {
        SceneClassifier.LabelledScenes test = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 300);
        NetworkDissection.Builder b = NetworkDissection.builder(net, "conv3").images(test.images())
                .segmenter(test.masks()).batch(32);
        NetworkDissection here = b.run();
        NetworkDissection there = b.on(spark).run();
        assertSame(here, there);
        assertTrue(here.labelledUnits().length > 0, here.toString());
        System.out.println("one JVM: " + here + "\nSpark:   " + there);
    }

    @Test
    void brodenFolderEqualsOneMachine(@TempDir Path dir) {
        SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT + 5000, 120);
        BrodenFolder broden = BrodenFolder.write(dir, s.images(), s.masks().segment(s.images()), Scenes.CONCEPTS);
        NetworkDissection.Builder b = NetworkDissection.builder(net, "conv4")
                .images(broden.split("val").masks("object")).batch(16).top(0.02);
        NetworkDissection here = b.run();
        NetworkDissection there = b.on(spark).run();
        assertEquals(60, there.samples());
        assertSame(here, there);
    }

    /** Pictures that live only in the driver cannot go to a cluster: one error that says what to use. */
    @Test
    void inMemoryPicturesAreRefused() {
        SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 8);
        ImageSet memory = ImageSet.of(List.of(ImageSet.fashionMnistTest().image(0)), null, null, "one picture");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkDissection
                .builder(net, "conv3").images(memory).segmenter(s.masks()).on(spark).run());
        assertTrue(e.getMessage().contains("ImageSet.folder"), e.getMessage());
    }
}
