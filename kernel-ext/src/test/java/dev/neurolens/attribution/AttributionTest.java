package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerNotFoundException;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every technique on the built-in Fashion-MNIST model: the shared contract, known answers, and bad input. */
class AttributionTest {
    static Network net;
    static Tensor images;

    @BeforeAll
    static void setUp() throws Exception {
        net = Models.defaultModel();
        images = testImages(3);
    }

    @AfterAll
    static void tearDown() {
        net.close();
    }

    /** Real Fashion-MNIST test images when the data set is installed, else smooth random blobs. */
    static Tensor testImages(int n) {
        return testImagesFor(net, n);
    }

    static Tensor testImagesFor(Network net, int n) {
        List<BufferedImage> pics = new ArrayList<>();
        try {
            FashionMnist test = FashionMnist.test();
            for (int i = 0; i < n; i++) {
                pics.add(test.image(i));
            }
            return net.preprocessing().toTensor(pics);
        } catch (Exception e) {
            Random r = new Random(5);
            float[] v = new float[n * 28 * 28];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return Tensor.of(v, n, 1, 28, 28);
        }
    }

    static Stream<AttributionMethod> methods() {
        return Stream.of(GradientSaliency.create(), SmoothGrad.builder().samples(8).build(),
                IntegratedGradients.builder().steps(16).build(), Occlusion.builder().patch(6).stride(3).build(),
                GuidedBackprop.create(), GradCam.create(), GuidedGradCam.create());
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethodGivesOneFiniteMapPerImageAtInputResolution(AttributionMethod method) {
        Attribution a = method.attribute(net, images, Target.predicted());
        assertEquals(3, a.size());
        float[][] m = a.map(1);
        assertEquals(28, m.length);
        assertEquals(28, m[0].length);
        float max = 0;
        for (float[] row : m) {
            for (float v : row) {
                assertTrue(Float.isFinite(v), method.name() + " gives a non-finite value");
                max = Math.max(max, Math.abs(v));
            }
        }
        assertTrue(max > 0, method.name() + " gives an all-zero map");
        assertTrue(a.target(0).contains("(predicted)"), a.target(0));
        byte[] png = a.mimeBundle().pngBytes();
        assertTrue(png.length > 100, "renders a PNG");
        // each image of a batch gets the map it would get alone
        Attribution single = method.attribute(net, Support.rows(images, 1, 1), Target.predicted());
        assertTrue(single.maps().relativeError(Support.rows(a.maps(), 1, 1)) < 1e-4,
                method.name() + ": batched and single maps differ");
    }

    @Test
    void integratedGradientsAreComplete() {
        Attribution a = IntegratedGradients.builder().steps(128).build().attribute(net, images, Target.predicted());
        double err = a.details(IntegratedGradients.Details.class).completenessError();
        System.out.printf("[ig] completeness error with 128 steps: %.3e%n", err);
        assertTrue(err < 0.01, "completeness error " + err);
        // and by hand: the attributions sum to F(x) - F(baseline) for image 0
        float[] attr = a.perChannel().slice(0).toFloatArray();
        double sum = 0;
        for (float v : attr) {
            sum += v;
        }
        int cls = net.logits(Support.rows(images, 0, 1)).slice(0).argMax();
        float fx = net.logits(Support.rows(images, 0, 1)).get(0, cls);
        float fb = net.logits(Tensor.zeros(1, 1, 28, 28)).get(0, cls);
        assertEquals(fx - fb, sum, Math.abs(fx - fb) * 0.01);
    }

    @Test
    void smoothGradWithoutNoiseIsTheGradientMap() {
        Attribution g = GradientSaliency.create().attribute(net, images, Target.classIndex(3));
        Attribution s = SmoothGrad.builder().samples(3).noise(0).build().attribute(net, images, Target.classIndex(3));
        assertTrue(s.maps().relativeError(g.maps()) < 1e-5);
    }

    @Test
    void guidedBackpropIsZeroWhereTheReluMaskSaysSo() {
        // a unit of relu1 (features.1): its guided gradient reaches the input only if the unit's input was > 0
        Tensor x = Support.rows(images, 0, 1);
        Tensor pre = net.run(x, Forward.capture("features.0")).get("features.0");
        int on = 0;
        int off = 0;
        for (int y = 4; y < 24 && (on < 3 || off < 3); y += 3) {
            for (int xx = 4; xx < 24; xx += 5) {
                float p = pre.get(0, 2, y, xx);
                Tensor g = GuidedBackprop.create().attribute(net, x, Target.unit("features.1", 2, y, xx)).perChannel();
                float max = Math.max(g.max(), -g.min());
                if (p > 0) {
                    on++;
                    assertTrue(max > 0, "unit (" + y + "," + xx + ") is active but gets no gradient");
                } else {
                    off++;
                    assertEquals(0f, max, "unit (" + y + "," + xx + ") is inactive (" + p + ") but passes gradient");
                }
            }
        }
        assertTrue(on > 0 && off > 0, "test needs both active and inactive units: " + on + "/" + off);
        // and for a class: every ReLU passes only positive gradient, so wherever relu1 was off everywhere in a
        // 3x3 neighbourhood (no path), the input gradient is zero
        Tensor g = GuidedBackprop.create().attribute(net, x, Target.classIndex(0)).perChannel();
        Tensor a1 = net.run(x, Forward.capture("features.0")).get("features.0");
        for (int y = 1; y < 27; y++) {
            for (int xx = 1; xx < 27; xx++) {
                boolean anyOn = false;
                for (int c = 0; c < a1.dim(1) && !anyOn; c++) {
                    for (int dy = -1; dy <= 1 && !anyOn; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            if (a1.get(0, c, y + dy, xx + dx) > 0) {
                                anyOn = true;
                                break;
                            }
                        }
                    }
                }
                if (!anyOn) {
                    assertEquals(0f, g.get(0, 0, y, xx));
                }
            }
        }
    }

    @Test
    void occlusionFindsTheBoxOfASyntheticModel() {
        SyntheticModel m = new SyntheticModel(4, 6, 9, 12, 2f);
        float[] v = new float[16 * 16];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = 1f + r.nextFloat();
        }
        Tensor x = Tensor.of(v, 1, 1, 16, 16);
        // patch 1: each pixel's drop is its own contribution: weight * value inside the box, 0 outside
        float[][] map = Occlusion.builder().patch(1).stride(1).build().attribute(m, x, Target.classIndex(0)).map();
        for (int y = 0; y < 16; y++) {
            for (int xx = 0; xx < 16; xx++) {
                boolean in = y >= 4 && y < 9 && xx >= 6 && xx < 12;
                assertEquals(in ? 2f * v[y * 16 + xx] : 0f, map[y][xx], 1e-4, "pixel " + y + "," + xx);
            }
        }
        // patch 4 stride 4 (a partition): each pixel gets the drop of its block = weight * sum of box pixels in it
        m.forwardCalls = 0;
        float[][] blocks = Occlusion.builder().patch(4).stride(4).batchSize(64).build()
                .attribute(m, x, Target.classIndex(0)).map();
        assertEquals(2, m.forwardCalls, "one pass for the input, one for all 16 patches");
        for (int by = 0; by < 4; by++) {
            for (int bx = 0; bx < 4; bx++) {
                double expected = 0;
                for (int y = by * 4; y < by * 4 + 4; y++) {
                    for (int xx = bx * 4; xx < bx * 4 + 4; xx++) {
                        if (y >= 4 && y < 9 && xx >= 6 && xx < 12) {
                            expected += 2 * v[y * 16 + xx];
                        }
                    }
                }
                assertEquals(expected, blocks[by * 4 + 1][bx * 4 + 2], 1e-3);
            }
        }
        // one pass per patch gives the same map
        float[][] unbatched = Occlusion.builder().patch(4).stride(4).batchSize(1).build()
                .attribute(m, x, Target.classIndex(0)).map();
        assertEquals(blocks[5][7], unbatched[5][7], 1e-6);
    }

    @Test
    void unknownLayerListsCloseNames() {
        LayerNotFoundException e = assertThrows(LayerNotFoundException.class,
                () -> GradCam.at("conv9").attribute(net, images, Target.predicted()));
        assertTrue(e.getMessage().contains("conv3") || e.getMessage().contains("conv1"), e.getMessage());
        assertThrows(LayerNotFoundException.class,
                () -> GuidedBackprop.create().attribute(net, images, Target.channel("relu7", 0)));
    }

    @Test
    void unknownClassListsCloseNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSaliency.create().attribute(net, images, Target.className("snekaer")));
        assertTrue(e.getMessage().contains("Sneaker"), e.getMessage());
        Attribution a = GradientSaliency.create().attribute(net, images, Target.className("ankle"));
        assertEquals("Ankle boot (9)", a.target(0));
    }

    @Test
    void targetOutOfRangeIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCam.create().attribute(net, images, Target.classIndex(10)));
        assertTrue(e.getMessage().contains("10 classes (0..9)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientSaliency.create().attribute(net, images, Target.channel("conv3", 64)));
        assertTrue(e.getMessage().contains("64 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GuidedBackprop.create().attribute(net, images, Target.unit("conv3", 1, 9, 0)));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void wrongInputIsResizedOrAClearError() {
        // a colour picture of another size: converted to gray and resized by the preprocessing
        BufferedImage rgb = new BufferedImage(40, 60, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(10, 20, 0xFFFFFF);
        assertEquals(28, GradientSaliency.create().attribute(net, rgb).map().length);
        // a tensor of another size: resized to the model's 28x28
        Attribution a = GradCam.create().attribute(net, Tensor.zeros(1, 1, 40, 40), Target.classIndex(1));
        assertEquals(28, a.map().length);
        // a tensor with the wrong number of channels: says what to pass
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSaliency.create().attribute(net, Tensor.zeros(1, 3, 28, 28), Target.classIndex(1)));
        assertTrue(e.getMessage().contains("1-channel") && e.getMessage().contains("BufferedImage"), e.getMessage());
        // one image without a batch axis is fine
        assertEquals(1, GradientSaliency.create().attribute(net, Tensor.zeros(1, 28, 28), Target.classIndex(1)).size());
    }

    @Test
    void targetsParseFromText() {
        assertEquals("class 7", Target.parse("7").toString());
        assertEquals("conv3:5", Target.parse("conv3:5").toString());
        assertEquals("conv3:5@2,3", Target.parse("conv3:5@2,3").toString());
        assertEquals("class 'Ankle boot'", Target.parse("Ankle boot").toString());
        assertEquals("predicted class", Target.parse("predicted").toString());
    }

    @Test
    void gradCamAtAnInnerLayerForAUnitTarget() {
        Attribution a = GradCam.at("conv2").attribute(net, images, Target.channel("conv3", 4));
        assertEquals("features.3", a.details(GradCam.Details.class).layer());
        assertNotNull(a.details(GradCam.Details.class).layerMap());
        assertThrows(IllegalArgumentException.class,
                () -> GradCam.at("conv3").attribute(net, images, Target.channel("conv1", 4)));
        assertFalse(a.toString().isEmpty());
    }

    @Test
    void nothingLeaksIntoTheNetwork() throws Exception {
        java.lang.reflect.Method count = Network.class.getDeclaredMethod("ownedArrayCount");
        count.setAccessible(true);
        int before = (int) count.invoke(net);
        methods().forEach(m -> m.attribute(net, images, Target.predicted()));
        assertEquals(before, (int) count.invoke(net));
    }

    /** A user's own method, built with the public builder, takes part in compare and the sanity checks. */
    @Test
    void ownMethodTakesPartInCompareAndSanityChecks() {
        Tensor x = Support.rows(images, 0, 1);
        int[] calls = new int[1];
        AttributionMethod edges = AttributionMethod.of("edges", (model, in, target) -> {
            calls[0]++;
            Target.Resolved t = target.resolve(model, in);
            Tensor maps = in.reshape(in.dim(0), in.dim(2), in.dim(3));
            return Attribution.builder("edges", model, in).maps(maps).targets(t.descriptions())
                    .details(new Attribution.TargetLayer(t.layer())).build();
        });
        var grid = Attributions.compare(net, x, Target.predicted(), List.of(GradientSaliency.create(), edges));
        assertEquals(3, grid.size());
        Attribution own = edges.attribute(net, x, Target.classIndex(2));
        assertEquals("edges", own.method());
        assertEquals(x.reshape(1, x.dim(2), x.dim(3)), own.maps());
        assertTrue(own.toString().endsWith(", layer output]"), own.toString());
        SanityReport r = SanityChecks.cascading(net, x, Target.predicted(), edges);
        assertNotNull(r);
        assertTrue(calls[0] > 2, "the sanity checks ran the user's method");
        Attribution smooth = SmoothGrad.builder().method(edges).samples(2).build()
                .attribute(net, x, Target.classIndex(2));
        assertEquals("smoothgrad (edges)", smooth.method());
        assertThrows(IllegalArgumentException.class, () -> own.details(GradCam.Details.class));
    }

    @SuppressWarnings("unused")
    private static float sum(NDArray a) {
        return a.sum().getFloat();
    }
}
