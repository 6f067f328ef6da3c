package dev.neurolens.features;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Cached features are keyed by the weights as well as the name: a retrained model (same architecture and name,
 * other weights) gets its own entry, the same weights find theirs again.
 */
class FeatureCacheTest {

    /** The logits of a fixed batch, computed directly: the oracle for what each cache entry must hold. */
    private static FeatureMatrix logits(Network net) {
        float[] v = new float[4 * 28 * 28];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.01);
        }
        Tensor out = net.logits(Tensor.of(v, 4, 1, 28, 28));
        return FeatureMatrix.of(out.toFloatArray(), 4, (int) out.dim(1), "logits of " + net.source());
    }

    @Test
    void networksWithTheSameNameButOtherWeightsGetTheirOwnEntries(@TempDir Path dir) throws IOException {
        try (Network a = Models.random("fashion_cnn", 1); Network b = Models.random("fashion_cnn", 2);
             Network sameAsA = Models.random("fashion_cnn", 1)) {
            assertEquals(a.name(), b.name());
            assertNotEquals(a.weightsHash(), b.weightsHash());
            assertEquals(a.weightsHash(), sameAsA.weightsHash(), "equal weights, equal hash");
            AtomicInteger computed = new AtomicInteger();
            FeatureMatrix fa = FeatureMatrix.cached(dir, a, "logits-4", () -> {
                computed.incrementAndGet();
                return logits(a);
            });
            FeatureMatrix fb = FeatureMatrix.cached(dir, b, "logits-4", () -> {
                computed.incrementAndGet();
                return logits(b);
            });
            assertEquals(2, computed.get(), "the second network's features are computed, not read from the first's");
            assertArrayEquals(logits(b).raw(), fb.raw());
            assertFalse(java.util.Arrays.equals(fa.raw(), fb.raw()));
            FeatureMatrix again = FeatureMatrix.cached(dir, sameAsA, "logits-4", () -> {
                throw new AssertionError("the same weights must find their entry");
            });
            assertArrayEquals(fa.raw(), again.raw());
            try (var files = Files.list(dir)) {
                assertEquals(2, files.count());
            }
            // other biases (random init leaves them 0) make another model
            float[] ones = new float[10];
            java.util.Arrays.fill(ones, 1f);
            try (Network tweaked = a.withParameters(Map.of("classifier.3.bias", Tensor.of(ones, 10)), "tweaked")) {
                assertNotEquals(a.weightsHash(), tweaked.weightsHash());
                FeatureMatrix ft = FeatureMatrix.cached(dir, tweaked, "logits-4", () -> logits(tweaked));
                assertArrayEquals(logits(tweaked).raw(), ft.raw());
            }
        }
    }
}
