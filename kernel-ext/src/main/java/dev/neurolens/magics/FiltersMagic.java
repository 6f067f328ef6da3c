package dev.neurolens.magics;

import dev.neurolens.features.Filters;
import dev.neurolens.model.Network;

/** {@code %filters conv1}: a convolution's weights as tiles (RGB for a first layer, per-channel gray deeper). */
public final class FiltersMagic implements Magic {
    private static final ArgSchema SCHEMA = MagicInputs.modelOptions(ArgSchema.builder("filters",
                    "show a convolution's filters: RGB tiles for a first layer, gray slices per input channel deeper")
            .positional("layer", ArgSchema.Type.STRING, "convolution layer, name or alias (e.g. conv1, features.0)")
            .option("count", ArgSchema.Type.INT, 64, "at most this many filters")
            .option("channels", ArgSchema.Type.INT, 8, "at most this many input-channel slices per filter"), "default")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Network net = MagicInputs.network(args);
        Filters f = Filters.of(net, args.string("layer")).count(args.integer("count"))
                .channels(args.integer("channels"));
        return net.randomWeights() ? f.note("random init, not trained") : f;
    }
}
