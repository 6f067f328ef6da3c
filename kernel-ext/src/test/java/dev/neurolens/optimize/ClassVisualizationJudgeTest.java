package dev.neurolens.optimize;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.features.FeatureMatrix;
import dev.neurolens.features.NearestNeighbors;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.generate.KernelDistance;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class visualizations of the Fashion-MNIST model, CS231n's recipe and Lucid's, judged by a classifier that shares
 * nothing with the network: the 10 nearest Fashion-MNIST test pictures in pixel space vote. The network itself must
 * call each picture its class; the judge measures whether the picture is near real garments of that class.
 */
class ClassVisualizationJudgeTest {
    static int[] judge(NearestNeighbors knn, FashionMnist test, BufferedImage[] images) {
        float[] q = pixels(List.of(images)).toFloatArray();
        NearestNeighbors.Neighbors n = knn.query(FeatureMatrix.of(q, images.length, 784, "visualizations"), 10);
        int[] votes = new int[images.length];
        for (int i = 0; i < images.length; i++) {
            int[] count = new int[10];
            for (int id : n.indices(i)) {
                count[test.label(id)]++;
            }
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = count[c] > count[best] ? c : best;
            }
            votes[i] = best;
        }
        return votes;
    }

    @Test
    void bothRecipesConvinceTheNetworkAndAreJudgedOnTheirPixels() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "no Fashion-MNIST test set");
        FashionMnist test = FashionMnist.test();
        float[] pixels = new float[test.size() * 784];
        for (int i = 0; i < test.size(); i++) {
            System.arraycopy(test.pixels(i), 0, pixels, i * 784, 784);
        }
        NearestNeighbors knn = NearestNeighbors.of(FeatureMatrix.of(pixels, test.size(), 784, "test pixels"));
        // the judge itself: held-out training pictures are classified far above chance
        FashionMnist train = FashionMnist.train();
        BufferedImage[] real = new BufferedImage[200];
        for (int i = 0; i < real.length; i++) {
            real[i] = train.image(i);
        }
        int[] realVotes = judge(knn, test, real);
        int right = 0;
        for (int i = 0; i < real.length; i++) {
            right += realVotes[i] == train.label(i) ? 1 : 0;
        }
        assertTrue(right >= 150, "the pixel judge gets " + right + " of 200 training pictures right");

        try (Network net = Models.defaultModel()) {
            int[] shares = new int[2];
            for (int recipe = 0; recipe < 2; recipe++) {
                BufferedImage[] images = new BufferedImage[10];
                for (int c = 0; c < 10; c++) {
                    ClassVisualization v = ClassVisualization.of(net).target(c).steps(150).seed(0).live(false);
                    RenderResult r = (recipe == 1 ? v.lucid() : v).run();
                    assertEquals(c, net.logits(r.tensor()).argMax(), "the network calls recipe " + recipe
                            + "'s picture of class " + c + " that class");
                    images[c] = r.image();
                }
                int[] votes = judge(knn, test, images);
                for (int c = 0; c < 10; c++) {
                    shares[recipe] += votes[c] == c ? 1 : 0;
                }
            }
            System.out.printf("pixel judge: CS231n recipe %d/10, Lucid recipe %d/10%n", shares[0], shares[1]);
            // measured 5 and 5 of 10 here; chance is 1 of 10
            assertTrue(shares[0] >= 3 && shares[1] >= 3, "judged shares " + shares[0] + " and " + shares[1]);
        }
    }

    static Tensor pixels(List<BufferedImage> images) {
        float[] v = new float[images.size() * 784];
        for (int i = 0; i < images.size(); i++) {
            for (int p = 0; p < 784; p++) {
                v[i * 784 + p] = (images.get(i).getRGB(p % 28, p / 28) & 0xFF) / 255f;
            }
        }
        return Tensor.of(v, images.size(), 1, 28, 28);
    }

    /**
     * The robust model's class pictures against the default model's, measured by KID against real test pictures
     * with the features of a random-weight fashion_cnn: a network neither model nor recipe has seen, so it favours
     * neither (classifier judges cannot separate the two: both get the coarse layout of each class right).
     */
    @Test
    void theRobustModelsClassPicturesAreCloserToRealGarments() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "no Fashion-MNIST test set");
        FashionMnist test = FashionMnist.test();
        float[] real = new float[1000 * 784];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(test.pixels(i), 0, real, i * 784, 784);
        }
        double[] kid = new double[2];
        try (Network judge = Models.random("fashion_cnn", 1234)) {
            for (int robust = 0; robust < 2; robust++) {
                List<BufferedImage> images = new ArrayList<>();
                int called = 0;
                try (Network net = robust == 1 ? Models.robustDefaultModel() : Models.defaultModel()) {
                    for (int c = 0; c < 10; c++) {
                        RenderResult r = ClassVisualization.of(net).target(c).steps(150).seed(0).live(false).run();
                        called += net.logits(r.tensor()).argMax() == c ? 1 : 0;
                        images.add(r.image());
                    }
                }
                assertTrue(called >= 8, "the network calls only " + called + " of its 10 class pictures their class");
                kid[robust] = KernelDistance.builder(judge, "relu1", "relu2", "relu3")
                        .real(Tensor.of(real, 1000, 1, 28, 28)).generated(pixels(images)).subsetSize(10).run().value();
            }
        }
        System.out.printf("KID x1e-3 (random fashion_cnn features): default model %.0f, robust model %.0f%n",
                kid[0] * 1e3, kid[1] * 1e3);
        // measured 22752 and 2765 (x1e-3); 20 real training pictures give -68 +- 348
        assertTrue(kid[1] * 3 < kid[0], "robust " + kid[1] + " against default " + kid[0]);
    }
}
