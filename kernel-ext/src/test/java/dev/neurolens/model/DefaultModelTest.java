package dev.neurolens.model;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.train.TrainDefaultModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The built-in model, loaded from the jar's resource, on the real Fashion-MNIST test set. */
class DefaultModelTest {

    @Test
    void loadsFromTheJarWithNamedLayers() {
        try (Network net = Models.defaultModel()) {
            assertEquals("fashion_cnn", net.name());
            assertEquals(10, net.info().numClasses());
            assertEquals("features.3", net.resolve("conv2"));
            assertTrue(net.source().startsWith("built-in"));
        }
    }

    @Test
    void atLeastNinetyPercentOnTheTestSet() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "skipping: no Fashion-MNIST in " + FashionMnist.DEFAULT_DIR);
        FashionMnist test = FashionMnist.test();
        try (Network net = Models.defaultModel()) {
            float acc = TrainDefaultModel.accuracy(net, test);
            System.out.printf("[fashion] built-in model test accuracy %.2f%%%n", acc * 100);
            assertTrue(acc >= 0.90f, "accuracy " + acc);
            // known pictures through the public path (BufferedImage -> preprocessing -> prediction)
            int[] expected = {9, 2, 1, 1, 6};
            for (int i = 0; i < expected.length; i++) {
                Prediction p = net.predict(test.image(i), 3);
                assertEquals(expected[i], p.best().index(), "test image " + i + ": " + p);
                assertEquals(FashionMnist.LABELS.get(expected[i]), p.best().label());
            }
        }
    }

    @Test
    void theRobustModelIsLabelledAndKeepsMostOfItsAccuracy() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "skipping: no Fashion-MNIST in " + FashionMnist.DEFAULT_DIR);
        try (Network net = Models.robustDefaultModel()) {
            assertEquals("fashion_cnn (adversarially trained)", net.label());
            float acc = TrainDefaultModel.accuracy(net, FashionMnist.test());
            System.out.printf("[fashion] robust built-in model test accuracy %.2f%%%n", acc * 100);
            // 78.68% when trained (2 epochs of PGD-2 at L2 1.5): robustness costs accuracy
            assertTrue(acc >= 0.77f && acc < 0.85f, "accuracy " + acc);
        }
    }
}
