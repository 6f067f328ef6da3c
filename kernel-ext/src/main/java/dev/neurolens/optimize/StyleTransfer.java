package dev.neurolens.optimize;

import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Neural style transfer (Gatys, Ecker &amp; Bethge 2016): an image whose features match a content picture
 * at a deep layer and whose Gram matrices match a style picture at several layers, with total variation for
 * smoothness. Several styles blend by weight (their Gram matrices are mixed).
 *
 * <p>Each loss is divided by its target's energy (mean square of the content features, of each Gram matrix),
 * so the weights are relative and the same values work for any network, trained or random, and any layer.
 *
 * <pre>{@code
 * StyleTransfer.of(vgg).content(photo).style(starryNight).styleWeight(100).size(256).run()
 * }</pre>
 */
public final class StyleTransfer extends RunBuilder<StyleTransfer> {
    /** Where the optimization starts. */
    public enum Init { CONTENT, NOISE }

    private final Network network;
    private BufferedImage content;
    private final List<BufferedImage> styles = new ArrayList<>();
    private final List<Double> styleBlend = new ArrayList<>();
    private List<String> contentLayers;
    private List<String> styleLayers;
    private double[] styleLayerWeights;
    private double contentWeight = 1;
    private double styleWeight = 100;
    private double tvWeight = 0.1;
    private Optimizer optimizer = Optimizer.adam(0.05);
    private int size = 192;
    private double styleScale = 1;
    private Init init = Init.CONTENT;

    private StyleTransfer(Network network) {
        super(150);
        this.network = network;
    }

    public static StyleTransfer of(Network network) {
        return new StyleTransfer(network);
    }

    /** A copy with the same settings, to vary one (sweeps). */
    public StyleTransfer copy() {
        StyleTransfer c = new StyleTransfer(network);
        c.content = content;
        c.styles.addAll(styles);
        c.styleBlend.addAll(styleBlend);
        c.contentLayers = contentLayers;
        c.styleLayers = styleLayers;
        c.styleLayerWeights = styleLayerWeights == null ? null : styleLayerWeights.clone();
        c.contentWeight = contentWeight;
        c.styleWeight = styleWeight;
        c.tvWeight = tvWeight;
        c.optimizer = optimizer;
        c.size = size;
        c.styleScale = styleScale;
        c.init = init;
        c.options(options());
        return c;
    }

    public StyleTransfer content(BufferedImage image) {
        this.content = image;
        return this;
    }

    /** The style picture (replaces any set before). */
    public StyleTransfer style(BufferedImage image) {
        styles.clear();
        styleBlend.clear();
        return addStyle(image, 1);
    }

    /** Adds a style with a blending weight; weights are normalized to sum to 1. */
    public StyleTransfer addStyle(BufferedImage image, double weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("style weights must be >= 0, got " + weight);
        }
        styles.add(image);
        styleBlend.add(weight);
        return this;
    }

    public StyleTransfer contentLayers(String... names) {
        for (String n : names) {
            network.resolve(n);
        }
        this.contentLayers = List.of(names);
        return this;
    }

    public StyleTransfer styleLayers(String... names) {
        for (String n : names) {
            network.resolve(n);
        }
        this.styleLayers = List.of(names);
        return this;
    }

    /** Per-style-layer weights, in the order of the style layers (default equal). */
    public StyleTransfer styleLayerWeights(double... w) {
        this.styleLayerWeights = w.clone();
        return this;
    }

    public StyleTransfer contentWeight(double w) {
        this.contentWeight = w;
        return this;
    }

    public StyleTransfer styleWeight(double w) {
        this.styleWeight = w;
        return this;
    }

    public StyleTransfer tvWeight(double w) {
        this.tvWeight = w;
        return this;
    }

    public StyleTransfer optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    /** Longer side of the output in pixels (the aspect of the content picture is kept). */
    public StyleTransfer size(int longSide) {
        this.size = longSide;
        return this;
    }

    /**
     * The style picture's longer side relative to the output's: below 1 the style's strokes come out bigger,
     * above 1 smaller. Style pictures of any size are scaled this way before their Gram matrices are taken.
     */
    public StyleTransfer styleScale(double s) {
        if (s <= 0) {
            throw new IllegalArgumentException("styleScale must be > 0, got " + s);
        }
        this.styleScale = s;
        return this;
    }

    public StyleTransfer init(Init i) {
        this.init = i;
        return this;
    }

    /** The full objective for these settings (for custom loops and the homework's reference values). */
    public Objective objective() {
        return prepared().objective;
    }

    public RenderResult run() {
        Prepared p = prepared();
        // L-BFGS needs a bounded picture, not one clipped after each step
        boolean bounded = optimizer.wantsBoundedParameters();
        Parameterization param = init == Init.CONTENT
                ? bounded ? Parameterization.sigmoid(network.preprocessing(), p.content) : Parameterization.pixels(p.content)
                : bounded ? Parameterization.sigmoid(network.preprocessing(), 0.5) : Parameterization.pixels(0.5);
        List<BufferedImage> shown = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        shown.add(network.preprocessing().toImage(p.content));
        caps.add("content");
        double total = styleBlend.stream().mapToDouble(Double::doubleValue).sum();
        for (int i = 0; i < styles.size(); i++) {
            shown.add(network.preprocessing().toImage(p.styles.get(i)));
            caps.add(styles.size() == 1 ? "style" : String.format(Locale.ROOT, "style %.0f%%",
                    100 * styleBlend.get(i) / total));
        }
        return Render.builder(network).objective(p.objective).parameterization(param)
                .size((int) p.content.dim(2), (int) p.content.dim(3))
                .constraints(bounded ? new Constraint[0] : new Constraint[] {Constraint.clip(network.preprocessing())})
                .optimizer(optimizer).options(options())
                .alongside(shown, caps).technique("style transfer")
                .title(String.format(Locale.ROOT, "style transfer · %s · content %s, style %s, tv %s", network.label(),
                        fmt(contentWeight), fmt(styleWeight), fmt(tvWeight)))
                .run();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2g", v);
    }

    private record Prepared(Tensor content, List<Tensor> styles, Objective objective) {
    }

    private Prepared prepared() {
        if (content == null || styles.isEmpty()) {
            throw new IllegalStateException("set content(...) and style(...) before run()");
        }
        List<String> cl = contentLayers != null ? contentLayers : List.of(LayerDefaults.contentLayer(network));
        List<String> sl = styleLayers != null ? styleLayers : LayerDefaults.styleLayers(network);
        if (styleLayerWeights != null && styleLayerWeights.length != sl.size()) {
            throw new IllegalArgumentException(styleLayerWeights.length + " style layer weights for " + sl.size()
                    + " style layers " + sl);
        }
        Tensor c = Inputs.checkFinite(Inputs.image(content, network.preprocessing(), size), "the content image");
        int styleSide = Math.max(16, (int) Math.round(size * styleScale));
        List<Tensor> st = new ArrayList<>();
        double total = 0;
        for (double w : styleBlend) {
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("the style weights sum to 0; give at least one style a weight > 0");
        }
        Map<String, float[]> mixed = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < styles.size(); i++) {
            Tensor s = Inputs.checkFinite(Inputs.image(styles.get(i), network.preprocessing(), styleSide),
                    "style image " + (i + 1));
            st.add(s);
            double w = styleBlend.get(i) / total;
            for (var e : LayerDefaults.grams(network, s, sl).entrySet()) {
                float[] g = e.getValue().toFloatArray();
                float[] acc = mixed.computeIfAbsent(e.getKey(), k -> new float[g.length]);
                for (int k = 0; k < g.length; k++) {
                    acc[k] += (float) (w * g[k]);
                }
                shapes.put(e.getKey(), e.getValue().shape());
            }
        }
        Map<String, Tensor> grams = new LinkedHashMap<>();
        mixed.forEach((k, v) -> grams.put(k, Tensor.of(v, shapes.get(k))));
        Objective o = contentObjective(LayerDefaults.features(network, c, cl)).times(contentWeight)
                .plus(styleObjective(grams, styleLayerWeights).times(styleWeight));
        if (tvWeight > 0) {
            o = o.plus(Objective.tv().times(tvWeight));
        }
        return new Prepared(c, st, o);
    }

    /** Content terms, each divided by its target's mean square and averaged over layers. */
    static Objective contentObjective(Map<String, Tensor> targets) {
        Objective o = null;
        for (var e : targets.entrySet()) {
            Objective t = Objective.content(e.getKey(), e.getValue())
                    .times(1 / Math.max(1e-12, LayerDefaults.meanSquare(e.getValue())) / targets.size());
            o = o == null ? t : o.plus(t);
        }
        return o;
    }

    /** Style terms, each divided by its Gram target's mean square, weighted (default equally), averaged. */
    static Objective styleObjective(Map<String, Tensor> grams, double[] layerWeights) {
        Objective o = null;
        int i = 0;
        double sum = 0;
        for (int k = 0; k < grams.size(); k++) {
            sum += layerWeights == null ? 1 : layerWeights[k];
        }
        for (var e : grams.entrySet()) {
            double w = (layerWeights == null ? 1 : layerWeights[i]) / sum;
            i++;
            Objective t = Objective.gram(e.getKey(), e.getValue())
                    .times(w / Math.max(1e-12, LayerDefaults.meanSquare(e.getValue())));
            o = o == null ? t : o.plus(t);
        }
        return o;
    }
}
