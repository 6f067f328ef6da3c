package dev.neurolens.optimize;

import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * Texture synthesis (Gatys et al. 2015): starting from noise, match the Gram matrices of a texture's
 * features at several layers. Shallow layers alone give colour blotches; adding deeper ones gives larger
 * structures.
 *
 * <pre>{@code TextureSynthesis.of(vgg).texture(starryNight).layers("relu1_1", "relu2_1", "relu3_1").run()}</pre>
 */
public final class TextureSynthesis extends RunBuilder<TextureSynthesis> {
    private final Network network;
    private BufferedImage texture;
    private List<String> layers;
    private int size = 128;
    private int textureSize;
    private double tvWeight = 0.05;
    private Optimizer optimizer = Optimizer.adam(0.05);

    private TextureSynthesis(Network network) {
        super(200);
        this.network = network;
    }

    public static TextureSynthesis of(Network network) {
        return new TextureSynthesis(network);
    }

    public TextureSynthesis texture(BufferedImage image) {
        this.texture = image;
        return this;
    }

    /** Layers whose Gram matrices are matched (default: {@link LayerDefaults#styleLayers}). */
    public TextureSynthesis layers(String... names) {
        for (String n : names) {
            network.resolve(n);
        }
        this.layers = List.of(names);
        return this;
    }

    /** Output side, pixels (square). */
    public TextureSynthesis size(int pixels) {
        this.size = pixels;
        return this;
    }

    /** Longer side the texture is scaled to before its Gram matrices are taken (default: the output size). */
    public TextureSynthesis textureSize(int pixels) {
        this.textureSize = pixels;
        return this;
    }

    public TextureSynthesis tvWeight(double w) {
        this.tvWeight = w;
        return this;
    }

    public TextureSynthesis optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    public RenderResult run() {
        if (texture == null) {
            throw new IllegalStateException("set texture(...) before run()");
        }
        List<String> ls = layers != null ? layers : LayerDefaults.styleLayers(network);
        Tensor t = Inputs.checkFinite(Inputs.image(texture, network.preprocessing(),
                textureSize > 0 ? textureSize : size), "the texture");
        Objective o = StyleTransfer.styleObjective(LayerDefaults.grams(network, t, ls), null);
        if (tvWeight > 0) {
            o = o.plus(Objective.tv().times(tvWeight));
        }
        // L-BFGS needs a bounded picture, not one clipped after each step
        boolean bounded = optimizer.wantsBoundedParameters();
        return Render.builder(network).objective(o).size(size, size)
                .parameterization(bounded ? Parameterization.sigmoid(network.preprocessing(), 0.2)
                        : Parameterization.pixels(0.2))
                .constraints(bounded ? new Constraint[0] : new Constraint[] {Constraint.clip(network.preprocessing())})
                .optimizer(optimizer).options(options())
                .technique("texture synthesis")
                .alongside(List.of(network.preprocessing().toImage(t)), List.of("texture"))
                .title("texture from " + ls.size() + " layers (" + ls.get(ls.size() - 1) + ") · " + network.name())
                .run();
    }

    /** The layers used for a picture with these names, for captions. */
    static String describe(Map<String, ?> m) {
        return String.join(", ", m.keySet());
    }
}
