package dev.neurolens.magics;

import dev.neurolens.model.Network;
import dev.neurolens.optimize.ClassVisualization;

/**
 * {@code %classviz Trouser --model default --steps 200}: class visualization by gradient ascent, shown live;
 * {@code --model robust} draws with the adversarially trained built-in model, whose pictures look like garments.
 */
public final class ClassVizMagic implements Magic {
    private static final ArgSchema SCHEMA = MagicInputs.modelOptions(ArgSchema.builder("classviz",
                    "visualize a class by gradient ascent on the image (L2 decay, blur, jitter, clipping), live")
            .positional("class", ArgSchema.Type.STRING, "class label or index, e.g. Trouser or 1"), "default")
            .option("steps", ArgSchema.Type.INT, 200, "gradient steps")
            .option("lr", ArgSchema.Type.DOUBLE, 0.05, "Adam learning rate (normalized input space)")
            .option("l2", ArgSchema.Type.DOUBLE, 1.0, "L2 decay weight")
            .option("blur", ArgSchema.Type.DOUBLE, 0.6, "Gaussian blur sigma in pixels (0: off)")
            .option("blur-every", ArgSchema.Type.INT, 5, "blur every n steps")
            .option("jitter", ArgSchema.Type.INT, -1, "random shift in pixels (-1: size/28)")
            .option("size", ArgSchema.Type.INT, 0, "image side in pixels (0: the model's input size)")
            .flag("lucid", "Lucid's recipe instead: 1/f spectral parameterization, random rotate/scale/shift, "
                    + "total variation (l2, blur and jitter are then unused)")
            .option("seed", ArgSchema.Type.INT, 0, "random seed")
            .option("gif", ArgSchema.Type.STRING, null, "also save the frames as this animated GIF")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        Network net = MagicInputs.network(args);
        ClassVisualization v = ClassVisualization.of(net);
        String c = args.string("class");
        if (c.matches("\\d+")) {
            v.target(Integer.parseInt(c));
        } else {
            v.target(c);
        }
        v.steps(args.integer("steps")).lr(args.number("lr")).l2(args.number("l2"))
                .blur(args.number("blur"), args.integer("blur-every")).jitter(args.integer("jitter"))
                .seed(args.integer("seed"));
        if (args.flag("lucid")) {
            v.lucid();
        }
        if (args.integer("size") > 0) {
            v.size(args.integer("size"));
        }
        String gif = args.string("gif");
        if (gif != null) {
            v.recordEvery(Math.max(1, args.integer("steps") / 40));
        }
        var r = v.run();
        if (gif != null) {
            r.saveGif(java.nio.file.Path.of(gif), 80);
        }
        return null; // the live figure already shows the final frame
    }
}
