package dev.neurolens.magics;

import dev.neurolens.attribution.AttributionMethod;
import dev.neurolens.attribution.Attributions;
import dev.neurolens.attribution.Target;
import dev.neurolens.model.Model;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code %saliency IMAGE --method gradient,grad-cam --target predicted --model default}: one line to see what a
 * model looks at. IMAGE is {@code fashion:INDEX} (a Fashion-MNIST test image), a file, or a sample name
 * ({@code chelsea}; see {@code Samples.names()}). One method shows its overlay; several show a side-by-side grid.
 */
public final class SaliencyMagic implements Magic {
    private static final ArgSchema SCHEMA = MagicInputs.modelOptions(ArgSchema.builder("saliency",
                    "attribution maps for one image: %saliency fashion:0 --method gradient,grad-cam --target predicted")
            .optionalPositional("image", ArgSchema.Type.STRING, "fashion:0",
                    MagicInputs.PICTURE_HELP)
            .option("method", ArgSchema.Type.STRING_LIST, "gradient,smoothgrad,grad-cam,guided-backprop",
                    "methods: " + String.join(", ", Attributions.names()) + " (or all)")
            .option("target", ArgSchema.Type.STRING, "predicted",
                    "predicted, a class index, a class name, LAYER:CHANNEL or LAYER:CHANNEL@Y,X"), "default")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) throws Exception {
        Model model = MagicInputs.model(args);
        BufferedImage image = MagicInputs.picture(args.string("image"));
        Target target;
        try {
            target = Target.parse(args.string("target"));
        } catch (IllegalArgumentException e) {
            throw new MagicArgumentException("%saliency: --target " + e.getMessage());
        }
        List<String> names = args.strings("method");
        List<AttributionMethod> methods = new ArrayList<>();
        if (names.size() == 1 && names.get(0).equals("all")) {
            methods.addAll(Attributions.all());
        } else {
            for (String n : names) {
                try {
                    methods.add(Attributions.method(n));
                } catch (IllegalArgumentException e) {
                    throw new MagicArgumentException(e.getMessage());
                }
            }
        }
        if (methods.size() == 1) {
            return methods.get(0).attribute(model, image, target);
        }
        return Attributions.compare(model, model.preprocessing().toTensor(image), target, methods);
    }
}
