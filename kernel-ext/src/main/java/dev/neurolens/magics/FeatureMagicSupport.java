package dev.neurolens.magics;

import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The model and data-set options shared by the feature magics, and the networks they loaded (kept for reuse). */
final class FeatureMagicSupport {
    private static final Map<String, Network> LOADED = new HashMap<>();

    private FeatureMagicSupport() {
    }

    static ArgSchema.Builder modelOptions(ArgSchema.Builder b) {
        return b.option("model", ArgSchema.Type.STRING, "default",
                        "default (built-in Fashion-MNIST CNN), squeezenet1_1, alexnet, vgg16, vgg19, resnet18")
                .flag("random", "use random initial weights (when no pretrained weights are at hand)");
    }

    static ArgSchema.Builder dataOptions(ArgSchema.Builder b, int defaultN) {
        return b.option("data", ArgSchema.Type.STRING, "test",
                        "Fashion-MNIST split: test (10k), train (60k), all (70k, test first); or a folder of pictures")
                .option("n", ArgSchema.Type.INT, defaultN, "use the first n pictures");
    }

    static synchronized Network model(Args args) {
        String name = args.string("model");
        boolean random = args.flag("random");
        String key = name + (random ? "@random" : "");
        Network net = LOADED.get(key);
        if (net == null) {
            if (name.equals("default") || name.equals("fashion_cnn")) {
                net = Models.defaultModel();
            } else {
                net = random ? Models.random(name, 0) : Models.model(name);
            }
            LOADED.put(key, net);
        }
        return net;
    }

    static ImageSet data(Args args) {
        String d = args.string("data");
        ImageSet set = switch (d) {
            case "test" -> ImageSet.fashionMnistTest();
            case "all" -> ImageSet.fashionMnist();
            case "train" -> {
                try {
                    yield ImageSet.of(dev.neurolens.data.FashionMnist.train(), "Fashion-MNIST train");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            default -> ImageSet.folder(Path.of(d));
        };
        int n = args.integer("n");
        return n > 0 && n < set.size() ? set.first(n) : set;
    }
}
