package dev.neurolens.magics;

import dev.neurolens.optimize.Optimizer;
import dev.neurolens.optimize.RenderResult;
import dev.neurolens.optimize.StyleTransfer;

import java.util.List;
import java.util.Locale;

/**
 * {@code %style chelsea starry_night --size 192}: Gatys style transfer, shown live. VGG16 with its ImageNet weights
 * when they are here, else with random weights, said in one printed line and in the figure's title.
 */
public final class StyleMagic implements Magic {
    private static final ArgSchema SCHEMA = MagicInputs.modelOptions(ArgSchema.builder("style",
                    "neural style transfer (Gatys): content picture, one or more style pictures, live")
            .positional("content", ArgSchema.Type.STRING, "content picture: " + MagicInputs.PICTURE_HELP)
            .positional("style", ArgSchema.Type.STRING_LIST, "style picture(s), comma-separated to blend (e.g. starry_night)")
            .option("blend", ArgSchema.Type.STRING_LIST, null, "weights of the styles, e.g. 0.3,0.7"), "vgg16")
            .option("size", ArgSchema.Type.INT, 192, "longer side of the output in pixels")
            .option("steps", ArgSchema.Type.INT, 150, "optimization steps")
            .option("content-weight", ArgSchema.Type.DOUBLE, 1.0, "content loss weight (relative)")
            .option("style-weight", ArgSchema.Type.DOUBLE, 100.0, "style loss weight (relative)")
            .option("tv-weight", ArgSchema.Type.DOUBLE, 0.1, "total variation weight")
            .option("style-scale", ArgSchema.Type.DOUBLE, 1.0, "style picture size relative to the output")
            .option("optimizer", ArgSchema.Type.STRING, "lbfgs", "lbfgs (with a line search) or adam")
            .option("lr", ArgSchema.Type.DOUBLE, null, "learning rate (Adam, default 0.05) or first step (L-BFGS, "
                    + "default 1)")
            .option("init", ArgSchema.Type.STRING, "content", "content or noise")
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

    /** Runs the transfer the arguments describe; the result, for tests. */
    RenderResult render(Args args) {
        StyleTransfer st = StyleTransfer.of(MagicInputs.textureNetworkOrRandom(args))
                .content(MagicInputs.picture(args.string("content")));
        List<String> styles = args.strings("style");
        List<String> blend = args.strings("blend");
        if (blend != null && blend.size() != styles.size()) {
            throw new MagicArgumentException("%style: " + blend.size() + " blend weights for " + styles.size()
                    + " styles (see %style --help)");
        }
        for (int i = 0; i < styles.size(); i++) {
            st.addStyle(MagicInputs.picture(styles.get(i)), blend == null ? 1 : Double.parseDouble(blend.get(i)));
        }
        String opt = args.string("optimizer").toLowerCase(Locale.ROOT);
        Optimizer o = switch (opt) {
            case "adam" -> Optimizer.adam(args.numberOr("lr", 0.05));
            case "lbfgs", "l-bfgs" -> Optimizer.lbfgs(args.numberOr("lr", 1), 100);
            default -> throw new MagicArgumentException("%style: --optimizer must be adam or lbfgs, got '" + opt + "'");
        };
        String init = args.string("init").toLowerCase(Locale.ROOT);
        if (!init.equals("content") && !init.equals("noise")) {
            throw new MagicArgumentException("%style: --init must be content or noise, got '" + init + "'");
        }
        return st.size(args.integer("size")).steps(args.integer("steps")).contentWeight(args.number("content-weight"))
                .styleWeight(args.number("style-weight")).tvWeight(args.number("tv-weight"))
                .styleScale(args.number("style-scale")).optimizer(o)
                .init(init.equals("content") ? StyleTransfer.Init.CONTENT : StyleTransfer.Init.NOISE)
                .seed(args.integer("seed")).run();
    }
}
