package dev.neurolens.magics;

import dev.neurolens.features.Embedding;
import dev.neurolens.features.EmbeddingMap;
import dev.neurolens.features.FeatureMatrix;
import dev.neurolens.features.Features;
import dev.neurolens.features.ImageSet;
import dev.neurolens.features.Tsne;
import dev.neurolens.model.Network;

import java.util.Locale;

/** {@code %tsne --layer relu4 --n 10000}: a t-SNE (or PCA) map of a layer's features, cached on disk. */
public final class TsneMagic implements Magic {
    private static final ArgSchema SCHEMA = FeatureMagicSupport.dataOptions(MagicInputs.modelOptions(
            ArgSchema.builder("tsne", "t-SNE (or PCA) map of a layer's features with thumbnails; cached on disk")
                    .option("layer", ArgSchema.Type.STRING, "relu4", "feature layer")
                    .option("perplexity", ArgSchema.Type.DOUBLE, 30.0, "t-SNE perplexity")
                    .option("iterations", ArgSchema.Type.INT, 750, "t-SNE iterations")
                    .option("view", ArgSchema.Type.STRING, "thumbnails", "thumbnails, scatter or interactive")
                    .flag("pca", "PCA instead of t-SNE")
                    .flag("pooled", "average conv outputs over space (one value per channel)"), "default"), 10000)
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Network net = MagicInputs.network(args);
        ImageSet data = FeatureMagicSupport.data(args);
        String layer = args.string("layer");
        boolean pca = args.flag("pca");
        boolean pooled = args.flag("pooled");
        double perplexity = args.number("perplexity");
        int iterations = args.integer("iterations");
        String key = String.format(Locale.ROOT, "%s-%s-%s-%s-%s-%s", net.name() + (net.randomWeights() ? "R" : ""),
                layer, data.name(), pooled ? "pooled" : "flat", pca ? "pca" : "tsne-p" + perplexity + "-i" + iterations,
                net.source());
        Embedding e = Embedding.cached(key, () -> {
            FeatureMatrix f = Features.extract(net, layer, data, pooled, Features.DEFAULT_BATCH, true);
            return pca ? Embedding.pca(f) : Tsne.builder().perplexity(perplexity).iterations(iterations)
                    .progress(true).build().fit(f);
        });
        EmbeddingMap map = EmbeddingMap.of(e, data).title(e.method() + ", " + net.name() + " " + layer);
        return switch (args.string("view")) {
            case "scatter" -> dev.neurolens.display.ImageView.of(map.scatter());
            case "interactive" -> map.interactive();
            case "thumbnails" -> map;
            default -> throw new MagicArgumentException("%tsne: --view must be thumbnails, scatter or interactive, got '"
                    + args.string("view") + "'");
        };
    }
}
