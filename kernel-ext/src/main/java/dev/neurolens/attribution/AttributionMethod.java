package dev.neurolens.attribution;

import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;

/**
 * One call for every technique, as in Captum: {@code method.attribute(model, input, target)} returns an
 * {@link Attribution} with one map per image at input resolution. Inputs are batches {@code [N, C, H, W]},
 * preprocessed the way the model expects; pictures are preprocessed for you.
 */
public interface AttributionMethod {

    /**
     * A method from a name and a function, e.g. a user's own, which builds its result with
     * {@link Attribution#builder}; it then takes part in {@link Attributions#compare}, {@link SanityChecks} and
     * {@link SmoothGrad#of} like the built-in ones.
     */
    static AttributionMethod of(String name, Body body) {
        java.util.Objects.requireNonNull(body, "body");
        return new AttributionMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Attribution attribute(Model model, Tensor input, Target target) {
                return body.attribute(model, input, target);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** What a method computes: {@link #attribute(Model, Tensor, Target)} as a function. */
    @FunctionalInterface
    interface Body {
        Attribution attribute(Model model, Tensor input, Target target);
    }

    /** Short name shown in grids and reports ("gradient", "grad-cam", ...). */
    String name();

    Attribution attribute(Model model, Tensor input, Target target);

    /** Explains the predicted class of each image. */
    default Attribution attribute(Model model, Tensor input) {
        return attribute(model, input, Target.predicted());
    }

    /** A picture of any size: converted to the model's channels, resized and normalized first. */
    default Attribution attribute(Model model, BufferedImage image, Target target) {
        return attribute(model, model.preprocessing().toTensor(image), target);
    }

    default Attribution attribute(Model model, BufferedImage image) {
        return attribute(model, image, Target.predicted());
    }
}
