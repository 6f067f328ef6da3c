package dev.neurolens.magics;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.NeighborComparison;
import dev.neurolens.model.Network;

import java.util.List;

/** {@code %neighbors --queries 0,1,2}: nearest pictures by a layer's features beside nearest by raw pixels. */
public final class NeighborsMagic implements Magic {
    private static final ArgSchema SCHEMA = FeatureMagicSupport.dataOptions(MagicInputs.modelOptions(
            ArgSchema.builder("neighbors", "nearest neighbours of query pictures by features vs by raw pixels")
                    .option("layer", ArgSchema.Type.STRING, "relu4", "feature layer (default: the last hidden layer "
                            + "of the built-in model)")
                    .option("queries", ArgSchema.Type.INT_LIST, List.of(0, 1, 2, 3, 4), "picture numbers to query")
                    .option("k", ArgSchema.Type.INT, 6, "neighbours per query"), "default"), 10000)
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Network net = MagicInputs.network(args);
        ImageSet data = FeatureMagicSupport.data(args);
        int[] q = args.integers("queries").stream().mapToInt(Integer::intValue).toArray();
        return NeighborComparison.of(net, args.string("layer"), data, q, args.integer("k"));
    }
}
