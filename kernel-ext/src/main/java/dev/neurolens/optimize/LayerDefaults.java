package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Usual content and style layers per architecture, and targets computed from pictures. */
public final class LayerDefaults {
    private LayerDefaults() {
    }

    /** Style (and texture) layers: early to deep ReLU outputs. */
    public static List<String> styleLayers(Network net) {
        return switch (net.name()) {
            case "vgg16", "vgg19" -> List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1");
            case "squeezenet1_1" -> List.of("relu1", "fire3", "fire4", "fire5", "fire7");
            case "alexnet" -> List.of("relu1", "relu2", "relu3", "relu4", "relu5");
            case "resnet18" -> List.of("relu", "conv2_x", "conv3_x", "conv4_x");
            case "fashion_cnn" -> List.of("relu1", "relu2", "relu3");
            // scale8 too for pictures of 256 px and more; below that its few positions let it copy the picture
            case Architecture.RANDOM_MULTISCALE -> List.of("scale1", "scale2", "scale4");
            default -> throw new IllegalArgumentException("no default style layers for " + net.name()
                    + "; name them with styleLayers(...); layers: " + net.layerNames());
        };
    }

    /** The content layer: deep enough to keep layout, shallow enough to keep shapes. */
    public static String contentLayer(Network net) {
        return switch (net.name()) {
            case "vgg16", "vgg19" -> "relu4_2";
            case "squeezenet1_1" -> "fire4";
            case "alexnet" -> "relu4";
            case "resnet18" -> "conv3_x";
            case "fashion_cnn" -> "relu2";
            case Architecture.RANDOM_MULTISCALE -> "scale4";
            default -> throw new IllegalArgumentException("no default content layer for " + net.name()
                    + "; name one with contentLayer(...); layers: " + net.layerNames());
        };
    }

    /** Outputs of the given layers for a normalized image, copied to the heap. */
    public static Map<String, Tensor> features(Network net, Tensor image, List<String> layers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (NDManager m = net.newScope()) {
            Map<String, NDArray> f = net.forward(image.toNDArray(m), Forward.capture(layers.toArray(String[]::new)));
            for (String l : layers) {
                out.put(l, Tensor.from(f.get(l)));
            }
        }
        return out;
    }

    /** Gram matrices ({@link Losses#gram}) of the given layers for a normalized image, [1, C, C] each. */
    public static Map<String, Tensor> grams(Network net, Tensor image, List<String> layers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (NDManager m = net.newScope()) {
            Map<String, NDArray> f = net.forward(image.toNDArray(m), Forward.capture(layers.toArray(String[]::new)));
            for (String l : layers) {
                out.put(l, Tensor.from(Losses.gram(f.get(l))));
            }
        }
        return out;
    }

    /** Mean of squares of a tensor (to scale a loss so its weight does not depend on the layer). */
    static double meanSquare(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) {
            double v = t.getFlat(i);
            s += v * v;
        }
        return s / Math.max(1, t.size());
    }

    /** Bilinear resize of a normalized [N, C, H, W] tensor (torch's interpolate, align_corners=false). */
    static Tensor resize(Network net, Tensor t, int h, int w) {
        if (t.dim(2) == h && t.dim(3) == w) {
            return t;
        }
        try (NDManager m = net.newScope()) {
            return Tensor.from(Transform.resize(t.toNDArray(m), h, w));
        }
    }
}
