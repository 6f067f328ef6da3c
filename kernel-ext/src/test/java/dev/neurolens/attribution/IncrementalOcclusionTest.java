package dev.neurolens.attribution;

import dev.neurolens.attribution.internal.IncrementalForward;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
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
                Arguments.of("fashion_cnn", 28, 1, 1, "2", "whole maps"),
                // odd sides: windows meet the far borders at every pooling phase
                Arguments.of("squeezenet1_1", 101, 16, 8, "7", "class head"),
                Arguments.of("vgg16", 67, 16, 8, "3", "whole maps"),
                Arguments.of("vgg16", 67, 13, 5, "features.23:2", "score read"));
    }

    /** Few patches per pass: many batches of mixed window sizes, each patch in one of them. */
    static Stream<Arguments> smallBatches() {
        return Stream.of(
                Arguments.of("squeezenet1_1", 96, 16, 8, 3),
                Arguments.of("vgg16", 64, 12, 7, 5),
                Arguments.of("resnet18", 64, 9, 11, 2));
    }

    @ParameterizedTest(name = "{0} {1}px patch {2} stride {3} batch {4}")
    @MethodSource("smallBatches")
    void smallBatchesEqualPlain(String arch, int side, int patch, int stride, int batch) {
        Network net = NETS.computeIfAbsent(arch, a -> Models.random(a, 3));
        Tensor x = input(net.info().channels(), side, 5);
        Occlusion.Builder b = Occlusion.builder().patch(patch).stride(stride).fill(-0.25f).batchSize(batch);
        Attribution plain = b.incremental(false).build().attribute(net, x, Target.classIndex(1));
        Attribution inc = b.incremental(true).build().attribute(net, x, Target.classIndex(1));
        double err = inc.maps().relativeError(plain.maps());
        System.out.printf("[occlusion] %-13s batch %d: %s passes, rel err %.2e%n", arch, batch,
                inc.details(Occlusion.Details.class).forwardPasses(), err);
        assertTrue(err < 1e-4, "incremental map differs from the plain one: " + err);
    }

    /** Batches hold every patch exactly once, at most maxBatch each, whatever their window sizes. */
    @ParameterizedTest(name = "{0} patch {1} stride {2} max {3}")
    @MethodSource("partitions")
    void batchesPartitionThePatches(String arch, int patch, int stride, int max) {
        Network net = NETS.computeIfAbsent(arch, a -> Models.random(a, 3));
        IncrementalForward plan = IncrementalForward.plan(net, Network.OUTPUT);
        int[] ps = Occlusion.positions(224, patch, stride);
        int n = ps.length * ps.length;
        int[] py = new int[n];
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            py[i] = ps[i / ps.length];
            px[i] = ps[i % ps.length];
        }
        int[][] batches = plan.batches(224, 224, py, px, patch, max);
        int[] seen = new int[n];
        for (int[] batch : batches) {
            assertTrue(batch.length >= 1 && batch.length <= max, "batch of " + batch.length);
            for (int r : batch) {
                seen[r]++;
            }
        }
        for (int r = 0; r < n; r++) {
            assertEquals(1, seen[r], "patch " + r);
        }
        assertTrue(batches.length >= (n + max - 1) / max);
    }

    static Stream<Arguments> partitions() {
        return Stream.of(Arguments.of("squeezenet1_1", 32, 32, 64), Arguments.of("squeezenet1_1", 16, 8, 64),
                Arguments.of("vgg16", 16, 8, 7), Arguments.of("resnet18", 24, 20, 5));
    }

    /**
     * The cost model against a hand count: VGG16's plain pass at 224 px is 15.47G multiply-adds (13 convolutions
     * and 3 linear layers), and one 32 px patch changes a 34 x 34 window of features.0 (3x3, padding 1) and a
     * 36 x 36 one of features.2.
     */
    @org.junit.jupiter.api.Test
    void costsMatchAHandCount() {
        Network net = NETS.computeIfAbsent("vgg16", a -> Models.random(a, 3));
        long expected = 0;
        int[][] convs = {{224, 3, 64}, {224, 64, 64}, {112, 64, 128}, {112, 128, 128}, {56, 128, 256},
                {56, 256, 256}, {56, 256, 256}, {28, 256, 512}, {28, 512, 512}, {28, 512, 512}, {14, 512, 512},
                {14, 512, 512}, {14, 512, 512}};
        for (int[] c : convs) {
            expected += (long) c[0] * c[0] * c[1] * c[2] * 9;
        }
        expected += 25088L * 4096 + 4096L * 4096 + 4096L * 1000;
        IncrementalForward plan = IncrementalForward.plan(net, Network.OUTPUT);
        List<IncrementalForward.LayerCost> costs = plan.costs(input(3, 224, 1), new int[] {96}, new int[] {96}, 32,
                new int[][] {{0}});
        long full = costs.stream().mapToLong(IncrementalForward.LayerCost::fullMacs).sum();
        assertEquals(expected, full);
        assertEquals(34.0 * 34 * 64 * 3 * 9, costs.get(0).incrementalMacs(), 1e-6);
        assertEquals("features.2", costs.get(2).layer());
        assertEquals(36.0 * 36 * 64 * 64 * 9, costs.get(2).incrementalMacs(), 1e-6);
        double inc = costs.stream().mapToDouble(IncrementalForward.LayerCost::incrementalMacs).sum();
        assertTrue(inc < full / 4.0, "a 32 px patch should need under a quarter of the work: " + inc / full);
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
            String mode = inc.details(Occlusion.Details.class).mode();
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
            assertEquals(plain.details(Occlusion.Details.class).patches(),
                    inc.details(Occlusion.Details.class).patches());
        }
    }

    /**
     * The projective-field threshold is opt-in: tau 1 is the exact default, a smaller tau says it is approximate,
     * changes the map (it drops changes outside the capped regions) and needs fewer multiply-adds.
     */
    @org.junit.jupiter.api.Test
    void projectiveFieldThresholdIsOptInAndApproximate() {
        Network net = NETS.computeIfAbsent("squeezenet1_1", a -> Models.random(a, 3));
        Tensor x = input(3, 96, 2);
        Target t = Target.classIndex(4);
        Occlusion.Builder b = Occlusion.builder().patch(16).stride(8);
        Attribution exact = b.build().attribute(net, x, t);
        Attribution one = b.projectiveFieldThreshold(1).build().attribute(net, x, t);
        Attribution half = b.projectiveFieldThreshold(0.5).build().attribute(net, x, t);
        assertEquals(0.0, one.maps().relativeError(exact.maps()));
        String halfMode = half.details(Occlusion.Details.class).mode();
        assertTrue(halfMode.startsWith("approximate"), halfMode);
        assertTrue(half.maps().relativeError(exact.maps()) > 1e-4, "tau 0.5 should change this map");
        double exactMacs = b.projectiveFieldThreshold(1).build().incrementalCosts(net, x).stream()
                .mapToDouble(IncrementalForward.LayerCost::incrementalMacs).sum();
        double halfMacs = b.projectiveFieldThreshold(0.5).build().incrementalCosts(net, x).stream()
                .mapToDouble(IncrementalForward.LayerCost::incrementalMacs).sum();
        assertTrue(halfMacs < exactMacs, halfMacs + " vs " + exactMacs);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Occlusion.builder().projectiveFieldThreshold(1.5));
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
