package dev.neurolens.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Receptive fields against hand-computed values and against gradient support (brute force). */
class ReceptiveFieldTest {

    static ReceptiveField rf(String arch, String layer) {
        Architecture a = Architecture.of(arch);
        Map<String, ReceptiveField> sink = new LinkedHashMap<>();
        ReceptiveField r = ReceptiveField.INPUT;
        for (Layer l : a.layers()) {
            r = l.receptiveField(r, sink);
        }
        return sink.get(a.aliases().getOrDefault(layer, layer));
    }

    @Test
    void publishedValues() {
        // VGG16: conv5_3 sees 196 px every 16, pool5 212 px every 32 (Araujo et al., Distill 2019 tables)
        assertEquals(new ReceptiveField(196, 16, -90, false), rf("vgg16", "conv5_3"));
        assertEquals(212, rf("vgg16", "pool5").size());
        assertEquals(32, rf("vgg16", "pool5").stride());
        // AlexNet: conv1 11/4, conv5 163/16, pool5 195/32
        assertEquals(new ReceptiveField(11, 4, -2, false), rf("alexnet", "conv1"));
        assertEquals(163, rf("alexnet", "conv5").size());
        assertEquals(195, rf("alexnet", "pool5").size());
        // ResNet-18: 435 px at the last block
        assertEquals(435, rf("resnet18", "layer4").size());
        assertEquals(32, rf("resnet18", "layer4").stride());
        // SqueezeNet 1.1: conv1 3/2; fire2 after a 3/2 pool and a 3x3 expand: 3 + 2*2 + 2*4 = 15
        assertEquals(new ReceptiveField(3, 2, 0, false), rf("squeezenet1_1", "conv1"));
        assertEquals(15, rf("squeezenet1_1", "fire2").size());
        assertEquals(7, rf("squeezenet1_1", "features.3.expand1x1").size());
        assertTrue(rf("squeezenet1_1", "pool10").global());
        assertTrue(rf("vgg16", "fc6").global());
    }

    /**
     * The input pixels that can influence a unit (non-zero gradient with ReLUs made linear) lie inside its
     * computed field, and for a pure convolution fill it exactly.
     */
    @Test
    void gradientSupportLiesInsideTheField() {
        try (Network net = Models.random("squeezenet1_1", 11)) {
            Tensor x = NetworkTest.randomInput(1, 3, 96, 96, 5);
            Forward linear = Forward.plain().relu((n, a) -> a);
            for (String layer : new String[] {"conv1", "fire2", "fire4", "features.6.expand3x3"}) {
                ReceptiveField f = net.receptiveField(layer);
                long[] shape = net.run(x, layer).get(layer).shape();
                int u = (int) shape[2] / 2;
                Gradient g = net.gradient(x, linear, layer, Scalar.unit(0, u, u), "input");
                int[] box = support(g.gradient());
                int lo = Math.max(0, f.start(u));
                int hi = Math.min(96, f.end(u));
                assertTrue(box[0] >= lo && box[1] <= hi && box[2] >= lo && box[3] <= hi,
                        layer + ": support " + java.util.Arrays.toString(box) + " outside [" + lo + ", " + hi + ")");
                if (layer.equals("conv1")) {
                    assertEquals(lo, box[0]);
                    assertEquals(hi, box[1]);
                }
                assertTrue(box[1] - box[0] > 0, layer + " has no support");
            }
        }
    }

    /** {yMin, yMax+1, xMin, xMax+1} of the non-zero gradient over all channels. */
    static int[] support(Tensor grad) {
        int h = (int) grad.dim(2);
        int w = (int) grad.dim(3);
        int[] box = {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, -1};
        for (int c = 0; c < grad.dim(1); c++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    if (grad.get(0, c, y, xx) != 0f) {
                        box[0] = Math.min(box[0], y);
                        box[1] = Math.max(box[1], y + 1);
                        box[2] = Math.min(box[2], xx);
                        box[3] = Math.max(box[3], xx + 1);
                    }
                }
            }
        }
        return box;
    }
}
