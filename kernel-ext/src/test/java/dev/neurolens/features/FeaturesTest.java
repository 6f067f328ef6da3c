package dev.neurolens.features;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pooled features against the mean of the flattened maps, and a range against the same rows of the whole set. */
class FeaturesTest {
    @Test
    void pooledRowsAreChannelMeansAndRangesMatchTheWhole() {
        try (Network net = Models.defaultModel()) {
            ImageSet set = ImageSet.fashionMnistTest().first(70);
            FeatureMatrix flat = Features.extract(net, "conv2", set, false, 32, false);
            FeatureMatrix pooled = Features.extract(net, "conv2", set, true, 32, false);
            int channels = pooled.dims();
            int plane = flat.dims() / channels;
            assertEquals(0, flat.dims() % channels);
            for (int i = 0; i < set.size(); i++) {
                float[] row = flat.row(i);
                float[] mean = new float[channels];
                for (int c = 0; c < channels; c++) {
                    double s = 0;
                    for (int p = 0; p < plane; p++) {
                        s += row[c * plane + p];
                    }
                    mean[c] = (float) (s / plane);
                }
                assertArrayEquals(mean, pooled.row(i), 1e-5f, "row " + i);
            }
            FeatureMatrix range = Features.extract(net, "conv2", set, true, 32, 32, 70, null);
            assertEquals(38, range.rows());
            for (int i = 0; i < 38; i++) {
                assertArrayEquals(pooled.row(32 + i), range.row(i), "row " + (32 + i));
            }
        }
    }
}
