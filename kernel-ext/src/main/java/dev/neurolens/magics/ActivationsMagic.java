package dev.neurolens.magics;

import dev.neurolens.features.ActivationMaps;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Network;

import java.awt.image.BufferedImage;

/** {@code %activations conv2 --index 3}: every channel of a layer for one picture, or one channel over it. */
public final class ActivationsMagic implements Magic {
    private static final ArgSchema SCHEMA = FeatureMagicSupport.dataOptions(MagicInputs.modelOptions(
            ArgSchema.builder("activations", "show a layer's activation maps for one picture, or one channel over it")
                    .positional("layer", ArgSchema.Type.STRING, "layer with spatial output (conv, relu, pool)")
                    .option("index", ArgSchema.Type.INT, 0, "picture number in the data set")
                    .option("image", ArgSchema.Type.STRING, null, MagicInputs.PICTURE_HELP + ", instead of the data set")
                    .option("channel", ArgSchema.Type.INT, -1, "overlay this channel on the picture instead of the grid")
                    .option("limit", ArgSchema.Type.INT, 64, "at most this many channels in the grid"), "default"), 0)
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) throws Exception {
        Network net = MagicInputs.network(args);
        BufferedImage image;
        if (args.has("image")) {
            image = MagicInputs.picture(args.string("image"));
        } else {
            ImageSet data = FeatureMagicSupport.data(args);
            image = data.image(args.integer("index"));
        }
        ActivationMaps maps = ActivationMaps.of(net, args.string("layer"), image).limit(args.integer("limit"));
        int c = args.integer("channel");
        return c >= 0 ? maps.overlay(c) : maps;
    }
}
