package dev.neurolens.attribution;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental occlusion (windows pasted into cached activations) against the oracle of plain batched passes
 * (every occluded copy through the whole network): the same maps, for several networks, patch sizes and strides
 * (patches on the borders, stride larger than the patch), class and inner-layer targets.
 */
class IncrementalOcclusionTest {
    static final Map<String, Network> NETS = new HashMap<>();

    @AfterAll
    static void close() {
        NETS.values().forEach(Network::close);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // network, input side, patch, stride, target, expected path
                Arguments.of("squeezenet1_1", 96, 16, 16, "7", "class head"),
                Arguments.of("squeezenet1_1", 96, 11, 7, "7", "class head"),
                Arguments.of("squeezenet1_1", 96, 5, 13, "predicted", "class head"),
                Arguments.of("squeezenet1_1", 96, 9, 6, "features.7:3", "score read"),
                Arguments.of("squeezenet1_1", 96, 9, 6, "features.9.expand3x3:5", "whole maps"),
                Arguments.of("vgg16", 64, 16, 16, "3", "whole maps"),
                Arguments.of("vgg16", 64, 7, 20, "3", "whole maps"),
                Arguments.of("vgg16", 64, 12, 13, "features.16:7", "score read"),
                Arguments.of("vgg16", 64, 10, 18, "features.14:7@3,3", "score read"),
                Arguments.of("resnet18", 64, 16, 16, "5", "whole maps"),
                Arguments.of("resnet18", 64, 9, 11, "5", "whole maps"),
                Arguments.of("resnet18", 64, 9, 11, "layer2:4", "score read"),
                Arguments.of("resnet18", 64, 9, 11, "layer3.0.conv2:4", "whole maps"),
                Arguments.of("fashion_cnn", 28, 6, 3, "predicted", "whole maps"),
                Arguments.of("fashion_cnn", 28, 4, 5, "features.4:10", "score read"),
                Arguments.of("fashion_cnn", 28, 1, 1, "2", "whole maps"));
    }

    @ParameterizedTest(name = "{0} {1}px patch {2} stride {3} target {4}")
    @MethodSource("cases")
    void incrementalEqualsPlainBatched(String arch, int side, int patch, int stride, String target, String path) {
        Network net = NETS.computeIfAbsent(arch, a -> Models.random(a, 3));
        {
            Tensor x = input(net.info().channels(), side, 11);
            Target t = Target.parse(target);
            Occlusion.Builder b = Occlusion.builder().patch(patch).stride(stride).fill(0.5f);
            Attribution plain = b.incremental(false).build().attribute(net, x, t);
            Attribution inc = b.incremental(true).build().attribute(net, x, t);
            String mode = (String) inc.detail("mode");
            double err = inc.maps().relativeError(plain.maps());
            System.out.printf("[occlusion] %-13s %3dpx patch %2d stride %2d %-16s rel err %.2e  %s%n", arch, side,
                    patch, stride, target, err, mode);
            assertTrue(mode.startsWith("incremental"), mode);
            assertTrue(mode.contains(path), mode);
            assertTrue(err < 1e-4, "incremental map differs from the plain one: " + err);
            float max = 0;
            for (float[] row : plain.map()) {
                for (float v : row) {
                    max = Math.max(max, Math.abs(v));
                }
            }
            assertTrue(max > 0, "a map of zeros proves nothing");
            assertEquals(plain.detail("patches"), inc.detail("patches"));
        }
    }

    static Tensor input(int channels, int side, long seed) {
        Random r = new Random(seed);
        float[] v = new float[channels * side * side];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, 1, channels, side, side);
    }
}
