package dev.neurolens.optimize;

import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Feature inversion (Mahendran &amp; Vedaldi 2015): find an image whose features at one layer match a
 * picture's, starting from noise, with total variation as the image prior. Shallow layers give back the
 * picture almost exactly; deeper ones keep the layout and lose colour and detail.
 *
 * <pre>{@code FeatureInversion.of(vgg).image(photo).layer("relu3_3").run()}</pre>
 */
public final class FeatureInversion extends RunBuilder<FeatureInversion> {
    private final Network network;
    private BufferedImage picture;
    private String layer;
    private int size = 128;
    private double tvWeight = 0.05;
    private Optimizer optimizer = Optimizer.adam(0.05);

    private FeatureInversion(Network network) {
        super(200);
        this.network = network;
    }

    public static FeatureInversion of(Network network) {
        return new FeatureInversion(network);
    }

    public FeatureInversion image(BufferedImage image) {
        this.picture = image;
        return this;
    }

    public FeatureInversion layer(String name) {
        network.resolve(name);
        this.layer = name;
        return this;
    }

    /** Longer side of the image, in pixels. */
    public FeatureInversion size(int longSide) {
        this.size = longSide;
        return this;
    }

    /** Weight of total variation relative to the (normalized) feature loss. */
    public FeatureInversion tvWeight(double w) {
        this.tvWeight = w;
        return this;
    }

    public FeatureInversion optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    public RenderResult run() {
        if (picture == null || layer == null) {
            throw new IllegalStateException("set image(...) and layer(...) before run()");
        }
        Tensor x = Inputs.checkFinite(Inputs.image(picture, network.preprocessing(), size), "the image");
        Tensor target = LayerDefaults.features(network, x, List.of(layer)).get(layer);
        // the feature loss relative to the target's energy, so one tv weight suits every layer
        double scale = 1 / Math.max(1e-12, LayerDefaults.meanSquare(target));
        Objective o = Objective.content(layer, target).times(scale).plus(Objective.tv().times(tvWeight));
        return Render.builder(network).objective(o).parameterization(Parameterization.pixels(0.5))
                .size((int) x.dim(2), (int) x.dim(3)).constraints(Constraint.clip(network.preprocessing()))
                .optimizer(optimizer).options(options())
                .technique("feature inversion")
                .alongside(List.of(network.preprocessing().toImage(x)), List.of("original"))
                .title("inverting " + layer + " · " + network.label()).run();
    }
}
