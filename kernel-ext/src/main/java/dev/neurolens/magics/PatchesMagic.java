package dev.neurolens.magics;

import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Network;

import java.nio.file.Path;

/**
 * {@code %patches conv2 --units 0 --count 16 --k 9}: the top-k patches per unit over a data set, live. Interrupted,
 * the grid keeps the top-k so far; {@code TopPatches.lastResult().resume(data)} goes on.
 */
public final class PatchesMagic implements Magic {
    private static final ArgSchema SCHEMA = FeatureMagicSupport.dataOptions(MagicInputs.modelOptions(
            ArgSchema.builder("patches", "maximally activating patches per unit, streamed over a data set with a "
                    + "live grid and progress")
                    .positional("layer", ArgSchema.Type.STRING, "layer with a spatial extent (conv, relu or pool), name or alias")
                    .option("units", ArgSchema.Type.INT, 0, "first unit (channel)")
                    .option("count", ArgSchema.Type.INT, 16, "number of units from the first")
                    .option("k", ArgSchema.Type.INT, 9, "patches per unit")
                    .option("batch", ArgSchema.Type.INT, 128, "pictures per batch")
                    .option("checkpoint", ArgSchema.Type.STRING, null, "state file: resume from it, save to it")
                    .flag("quiet", "no live grid or progress bar"), "default"), 10000)
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Network net = MagicInputs.network(args);
        ImageSet data = FeatureMagicSupport.data(args);
        TopPatches.Builder b = TopPatches.builder(net, args.string("layer"))
                .units(args.integer("units"), args.integer("count")).k(args.integer("k"))
                .batch(args.integer("batch")).live(!args.flag("quiet"));
        if (args.has("checkpoint")) {
            b.checkpoint(Path.of(args.string("checkpoint")));
        }
        TopPatchesResult result = b.run(data);
        // the live view already shows the final grid; return it only when nothing was shown
        return args.flag("quiet") ? result : null;
    }
}
