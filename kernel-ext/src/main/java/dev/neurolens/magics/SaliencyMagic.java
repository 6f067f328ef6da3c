package dev.neurolens.magics;

import dev.neurolens.attribution.AttributionMethod;
import dev.neurolens.attribution.Attributions;
import dev.neurolens.attribution.Target;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code %saliency IMAGE --method gradient,grad-cam --target predicted --model default}: one line to see what a
 * model looks at. IMAGE is {@code fashion:INDEX} (a Fashion-MNIST test image), a file, or a sample name
 * ({@code chelsea}; see {@code Samples.names()}). One method shows its overlay; several show a side-by-side grid.
 */
public final class SaliencyMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("saliency",
                    "attribution maps for one image: %saliency fashion:0 --method gradient,grad-cam --target predicted")
            .optionalPositional("image", ArgSchema.Type.STRING, "fashion:0",
                    "fashion:INDEX (test set), a picture file, or a sample name such as chelsea")
            .option("method", ArgSchema.Type.STRING_LIST, "gradient,smoothgrad,grad-cam,guided-backprop",
                    "methods: " + String.join(", ", Attributions.names()) + " (or all)")
            .option("target", ArgSchema.Type.STRING, "predicted",
                    "predicted, a class index, a class name, LAYER:CHANNEL or LAYER:CHANNEL@Y,X")
            .option("model", ArgSchema.Type.STRING, "default",
                    "default (built-in Fashion-MNIST CNN) or a pretrained name such as squeezenet1_1")
            .build();
    private static final Map<String, Network> MODELS = new HashMap<>();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) throws Exception {
        Network model = model(args.string("model"));
        BufferedImage image = image(args.string("image"));
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

    private static synchronized Network model(String name) {
        String key = name.equals("default") || name.equals("fashion_cnn") ? "default" : name;
        return MODELS.computeIfAbsent(key, k -> k.equals("default") ? Models.defaultModel() : Models.model(k));
    }

    static BufferedImage image(String spec) throws IOException {
        if (spec.startsWith("fashion:")) {
            int index;
            try {
                index = Integer.parseInt(spec.substring("fashion:".length()));
            } catch (NumberFormatException e) {
                throw new MagicArgumentException("fashion:INDEX needs a number, got '" + spec + "'");
            }
            FashionMnist test = FashionMnist.test();
            if (index < 0 || index >= test.size()) {
                throw new MagicArgumentException("Fashion-MNIST test index " + index + " out of range 0.."
                        + (test.size() - 1));
            }
            return test.image(index);
        }
        try {
            return MagicInputs.picture(spec);
        } catch (MagicArgumentException e) {
            throw new MagicArgumentException(e.getMessage() + "; or use fashion:INDEX for a Fashion-MNIST test image");
        }
    }
}
