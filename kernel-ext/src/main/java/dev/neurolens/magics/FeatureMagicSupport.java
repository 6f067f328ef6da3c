package dev.neurolens.magics;

import dev.neurolens.features.ImageSet;

import java.nio.file.Path;

/** The data-set options shared by the feature magics (their model options are {@link MagicInputs#modelOptions}). */
final class FeatureMagicSupport {
    private FeatureMagicSupport() {
    }

    static ArgSchema.Builder dataOptions(ArgSchema.Builder b, int defaultN) {
        return b.option("data", ArgSchema.Type.STRING, "test",
                        "Fashion-MNIST split: test (10k), train (60k), all (70k, test first); or a folder of pictures")
                .option("n", ArgSchema.Type.INT, defaultN, "use the first n pictures");
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
