package dev.neurolens.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layer API on random-weight networks: names, captures, hooks, gradients, ReLU override. */
class NetworkTest {
    static Network squeeze;
    static Tensor input;

    @BeforeAll
    static void setUp() {
        squeeze = Models.random("squeezenet1_1", 7);
        input = randomInput(2, 3, 64, 64, 3);
    }

    @AfterAll
    static void tearDown() {
        squeeze.close();
    }

    static Tensor randomInput(int n, int c, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, n, c, h, w);
    }

    @Test
    void aliasesResolveToTorchvisionNames() {
        assertEquals("features.11", squeeze.resolve("fire8"));
        assertEquals("classifier.1", squeeze.resolve("conv10"));
        assertEquals("features.28", Architecture.of("vgg16").aliases().get("conv5_3"));
        assertEquals("features.22", Architecture.of("vgg16").aliases().get("relu4_3"));
        assertEquals("features.34", Architecture.of("vgg19").aliases().get("conv5_4"));
        assertEquals("features.10", Architecture.of("alexnet").aliases().get("conv5"));
        assertTrue(squeeze.layerNames().contains("features.3.expand3x3_activation"));
        assertTrue(squeeze.layerNames().contains("classifier.3"));
    }

    @Test
    void unknownLayerListsCloseNames() {
        LayerNotFoundException e = assertThrows(LayerNotFoundException.class, () -> squeeze.run(input, "fire10"));
        assertTrue(e.getMessage().contains("'fire10' not found"), e.getMessage());
        assertTrue(e.suggestions().contains("fire9") || e.suggestions().contains("fire2"), e.getMessage());
        assertTrue(e.getMessage().contains("features.0"), e.getMessage());
    }

    @Test
    void oneCaptureEqualsSeveralAndStopsEarly() {
        Activations all = squeeze.run(input, Forward.capture("fire2", "fire9", "conv10").toOutput());
        Activations one = squeeze.run(input, "fire9");
        assertEquals(all.get("fire9"), one.get("fire9"));
        assertEquals(all.get("features.12"), one.get("fire9"));
        assertArrayEquals(new long[] {2, 512, 3, 3}, one.get("fire9").shape());
        assertFalse(one.layers().contains(Network.OUTPUT), "stopped before the logits");
        assertEquals(all.get(Network.OUTPUT), squeeze.logits(input));
        assertArrayEquals(new long[] {2, 1000}, squeeze.logits(input).shape());
    }

    @Test
    void hooksZeroScaleAndKeepUnits() {
        Tensor base = squeeze.logits(input);
        Activations zeroed = squeeze.run(input, Forward.capture("fire2", "fire3").toOutput()
                .hook("fire2", LayerHook.zero(3, 5)));
        Tensor fire2 = zeroed.get("fire2");
        for (long y = 0; y < fire2.dim(2); y++) {
            for (long x = 0; x < fire2.dim(3); x++) {
                assertEquals(0f, fire2.get(0, 3, y, x), 0f);
                assertEquals(0f, fire2.get(1, 5, y, x), 0f);
            }
        }
        assertNotEquals(base, zeroed.get(Network.OUTPUT), "ablation changes the logits");
        Tensor same = squeeze.run(input, Forward.capture("output").hook("fire2", LayerHook.scale(1f, 3))).get("output");
        assertEquals(base, same);
        Tensor doubled = squeeze.run(input, Forward.capture("conv1").hook("conv1", LayerHook.scale(2f, 0))).get("conv1");
        Tensor plain = squeeze.run(input, "conv1").get("conv1");
        assertEquals(2 * plain.get(1, 0, 4, 4), doubled.get(1, 0, 4, 4), 1e-6);
        assertEquals(plain.get(1, 1, 4, 4), doubled.get(1, 1, 4, 4));
        Tensor kept = squeeze.run(input, Forward.capture("conv1").hook("conv1", LayerHook.keepOnly(2))).get("conv1");
        assertEquals(0f, kept.get(0, 1, 2, 2), 0f);
        assertEquals(plain.get(0, 2, 2, 2), kept.get(0, 2, 2, 2));
    }

    @Test
    void reluOverrideSeesEveryRelu() {
        List<String> seen = new ArrayList<>();
        Tensor identity = squeeze.run(input, Forward.capture("output").relu((name, x) -> {
            seen.add(name);
            return x;
        })).get("output");
        assertTrue(seen.contains("features.1") && seen.contains("features.12.expand3x3_activation")
                && seen.contains("classifier.2"), seen.toString());
        assertEquals(1 + 8 * 3 + 1, seen.size());
        assertNotEquals(squeeze.logits(input), identity);
        Tensor standard = squeeze.run(input, Forward.capture("output").relu(ReluFunction.STANDARD)).get("output");
        assertEquals(squeeze.logits(input), standard);
    }

    /** d(fire9 channel mean)/d(fire8 output), checked by central differences through an additive hook. */
    @Test
    void gradientWithRespectToALayerMatchesFiniteDifferences() {
        Tensor one = input.slice(0).reshape(1, 3, 64, 64);
        Gradient g = squeeze.gradient(one, "fire9", Scalar.channelMean(4), "fire8");
        assertArrayEquals(new long[] {1, 512, 3, 3}, g.gradient().shape());
        float eps = 1e-2f;
        int[][] probes = {{0, 1, 1}, {17, 0, 2}, {300, 2, 2}, {511, 1, 0}};
        for (int[] p : probes) {
            float[] bump = new float[512 * 9];
            bump[p[0] * 9 + p[1] * 3 + p[2]] = eps;
            Tensor d = Tensor.of(bump, 1, 512, 3, 3);
            Tensor neg = Tensor.of(negate(bump), 1, 512, 3, 3);
            float up = squeeze.run(one, Forward.capture("fire9").hook("fire8", LayerHook.add(d))).get("fire9")
                    .slice(0).slice(4).toFloatArray()[0];
            float upMean = mean(squeeze.run(one, Forward.capture("fire9").hook("fire8", LayerHook.add(d))).get("fire9"), 4);
            float downMean = mean(squeeze.run(one, Forward.capture("fire9").hook("fire8", LayerHook.add(neg))).get("fire9"), 4);
            double numeric = (upMean - downMean) / (2 * eps);
            double analytic = g.gradient().get(0, p[0], p[1], p[2]);
            assertEquals(analytic, numeric, 2e-3 + 0.05 * Math.abs(analytic), "probe " + java.util.Arrays.toString(p) + " " + up);
        }
        assertEquals(mean(squeeze.run(one, "fire9").get("fire9"), 4), g.value(), 1e-5);
    }

    @Test
    void gradientWithRespectToTheInput() {
        Gradient g = squeeze.gradient(input, "output", Scalar.logit(3));
        assertArrayEquals(input.shape(), g.gradient().shape());
        assertTrue(g.gradient().max() > 0 && g.gradient().min() < 0);
        assertThrows(IllegalArgumentException.class, () -> squeeze.gradient(input, "fire2", Scalar.sum(), "fire9"));
    }

    @Test
    void wrongInputShapeIsExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> squeeze.logits(Tensor.zeros(1, 1, 64, 64)));
        assertTrue(e.getMessage().contains("[N, 3, H, W]"), e.getMessage());
    }

    private static float mean(Tensor t, int channel) {
        float[] v = t.slice(0).slice(channel).toFloatArray();
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return (float) (s / v.length);
    }

    private static float[] negate(float[] v) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }
}
