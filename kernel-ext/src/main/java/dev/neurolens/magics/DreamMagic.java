package dev.neurolens.magics;

import dev.neurolens.optimize.DeepDream;
import dev.neurolens.optimize.RenderResult;

/**
 * {@code %dream chelsea --layer fire7}: DeepDream over octaves, shown live. SqueezeNet 1.1 with its ImageNet
 * weights when they are here, else with random weights, said in one printed line and in the figure's title.
 */
public final class DreamMagic implements Magic {
    private static final ArgSchema SCHEMA = MagicInputs.modelOptions(ArgSchema.builder("dream",
                    "DeepDream: amplify a layer's activations in a picture over octaves, with jitter, live")
            .positional("image", ArgSchema.Type.STRING, MagicInputs.PICTURE_HELP)
            .requiredOption("layer", ArgSchema.Type.STRING, "layer name or alias, e.g. fire7 or relu4_3"),
                    "squeezenet1_1")
            .option("octaves", ArgSchema.Type.INT, 3, "number of scales")
            .option("octave-scale", ArgSchema.Type.DOUBLE, 1.4, "size ratio between octaves")
            .option("steps", ArgSchema.Type.INT, 10, "steps per octave")
            .option("lr", ArgSchema.Type.DOUBLE, 0.03, "mean step per pixel (normalized input space)")
            .option("jitter", ArgSchema.Type.INT, 8, "random shift in pixels")
            .option("size", ArgSchema.Type.INT, 224, "longer side of the output in pixels")
            .option("seed", ArgSchema.Type.INT, 0, "random seed")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        render(args);
        return null; // the live figure already shows the result
    }

    /** Runs the dream the arguments describe; the result, for tests. */
    RenderResult render(Args args) {
        return DeepDream.of(MagicInputs.networkOrRandom(args))
                .image(MagicInputs.picture(args.string("image")))
                .layer(args.string("layer")).octaves(args.integer("octaves")).octaveScale(args.number("octave-scale"))
                .steps(args.integer("steps")).lr(args.number("lr")).jitter(args.integer("jitter"))
                .size(args.integer("size")).seed(args.integer("seed")).run();
    }
}
