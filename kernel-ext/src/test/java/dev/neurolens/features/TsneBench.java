package dev.neurolens.features;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;

/** Timing of the notebook's t-SNE on 2 cores: features of the default model, then t-SNE at growing n. */
public final class TsneBench {
    public static void main(String[] args) {
        ImageSet all = ImageSet.fashionMnist();
        try (Network net = Models.defaultModel()) {
            long t0 = System.nanoTime();
            FeatureMatrix f = Features.of(net, args.length > 1 ? args[1] : "relu4", all);
            System.out.printf("features %s in %.1f s%n", f, (System.nanoTime() - t0) / 1e9);
            for (String s : args[0].split(",")) {
                int n = Integer.parseInt(s);
                long t1 = System.nanoTime();
                Embedding e = Tsne.builder().run(f.first(n));
                System.out.printf("n=%d: %s, total %.1f s%n", n, e, (System.nanoTime() - t1) / 1e9);
            }
        }
    }
}
