package dev.neurolens.homework;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.data.Samples;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.optimize.Inputs;
import dev.neurolens.optimize.LayerDefaults;
import dev.neurolens.optimize.Losses;
import dev.neurolens.optimize.Objective;
import dev.neurolens.optimize.Optimizer;
import dev.neurolens.optimize.Parameterization;
import dev.neurolens.optimize.Render;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Homework 2 (style transfer): content loss, Gram matrix, style loss, total variation and the transfer loop,
 * each a function the student writes with DJL's NDArray operations and hands in with the typed helper below;
 * {@code %check <part>} compares it with the library ({@link Losses}, the render loop) on fixed inputs.
 * Relative error = max |student − reference| / max |reference|, passing below {@link #TOLERANCE}.
 *
 * <p>Definitions (means, so weights do not depend on sizes): content {@code mean((F − P)²)}; Gram
 * {@code F Fᵀ / (C·H·W)} per image; style {@code Σ_l w_l · mean((G(F_l) − A_l)²)}; total variation
 * {@code mean((x[i+1,j] − x[i,j])²) + mean((x[i,j+1] − x[i,j])²)}; the loop: normalized gradient steps
 * {@code x ← x − lr · g / mean|g|} with {@code g = ∇(c_w·content + s_w·style + tv_w·tv)}, from the content image
 * (steps of a fixed size: plain gradient descent on Gram losses either barely moves or diverges, depending on lr).
 */
public final class StyleTransferHomework {
    static final String HOMEWORK = "style-transfer";
    public static final double TOLERANCE = 1e-3;
    public static final int SIZE = 64;
    public static final String CONTENT_LAYER = "scale2";
    public static final List<String> STYLE_LAYERS = List.of("scale1", "scale2", "scale4");
    public static final double[] STYLE_LAYER_WEIGHTS = {1.0, 1.0, 1.0};
    public static final double CONTENT_WEIGHT = 1;
    /** Gram matrices of 128 random maps are small numbers; this weight makes style and content pull alike. */
    public static final double STYLE_WEIGHT = 1e6;
    public static final double TV_WEIGHT = 0.1;
    public static final int LOOP_STEPS = 5;
    public static final float LOOP_LR = 0.02f;

    private static Network model;
    private static Setup setup;

    private StyleTransferHomework() {
    }

    /** Part 1: {@code mean((features − target)²)}, a scalar. */
    @FunctionalInterface
    public interface ContentLoss {
        NDArray compute(NDArray features, NDArray target);
    }

    /** Part 2: Gram matrices {@code [N, C, C]} of features {@code [N, C, H, W]}, divided by C·H·W. */
    @FunctionalInterface
    public interface GramMatrix {
        NDArray compute(NDArray features);
    }

    /** Part 3: {@code Σ_l w_l · mean((gram(F_l) − A_l)²)} over the style layers, a scalar. */
    @FunctionalInterface
    public interface StyleLoss {
        NDArray compute(Map<String, NDArray> features, Map<String, NDArray> targetGrams, Map<String, Double> weights);
    }

    /** Part 4: squared total variation of an image {@code [N, C, H, W]}, a scalar. */
    @FunctionalInterface
    public interface TvLoss {
        NDArray compute(NDArray image);
    }

    /** Part 5: {@code steps} steps of gradient descent on the weighted sum of the three losses, from the content. */
    @FunctionalInterface
    public interface TransferLoop {
        Tensor run(Network net, Setup setup, int steps, float lr);
    }

    /**
     * Everything the loop needs: the content image and the targets computed from it and the style image, by
     * layer, with the weights.
     */
    public record Setup(Tensor content, Tensor style, String contentLayer, Tensor contentTarget,
                        List<String> styleLayers, Map<String, Tensor> styleGrams, Map<String, Double> styleWeights,
                        double contentWeight, double styleWeight, double tvWeight) {
    }

    public static void contentLoss(ContentLoss f) {
        Homework.submit("content_loss", f);
    }

    public static void gramMatrix(GramMatrix f) {
        Homework.submit("gram_matrix", f);
    }

    public static void styleLoss(StyleLoss f) {
        Homework.submit("style_loss", f);
    }

    public static void tvLoss(TvLoss f) {
        Homework.submit("tv_loss", f);
    }

    public static void transferLoop(TransferLoop f) {
        Homework.submit("transfer", f);
    }

    /** Registers the five checks. Idempotent. */
    public static void register() {
        Homework.register(HOMEWORK, new Part("content_loss", "content loss mean((F - P)^2)", StyleTransferHomework::gradeContent));
        Homework.register(HOMEWORK, new Part("gram_matrix", "Gram matrix F F^T / (C H W)", StyleTransferHomework::gradeGram));
        Homework.register(HOMEWORK, new Part("style_loss", "weighted style loss over " + STYLE_LAYERS,
                StyleTransferHomework::gradeStyle));
        Homework.register(HOMEWORK, new Part("tv_loss", "squared total variation", StyleTransferHomework::gradeTv));
        Homework.register(HOMEWORK, new Part("transfer", LOOP_STEPS + " normalized gradient steps of style transfer",
                StyleTransferHomework::gradeLoop));
    }

    /**
     * The network the checks use: the random multi-scale texture features of notebook 05 (seed 0), which need no
     * trained weights and whose Gram matrices carry a painting's colours and strokes.
     */
    public static synchronized Network model() {
        Homework.open(HOMEWORK);
        if (model == null) {
            model = Models.random(dev.neurolens.model.Architecture.RANDOM_MULTISCALE, 0);
        }
        return model;
    }

    /** Content and style pictures of the checks: samples from the jar, so they are the same on every machine. */
    public static final String CONTENT_SAMPLE = "chelsea";
    public static final String STYLE_SAMPLE = "starry_night";

    /** The inputs and targets of the checks: the sample cat and The Starry Night at 64 px. */
    public static synchronized Setup setup() {
        if (setup == null) {
            Network net = model();
            Tensor content = picture(CONTENT_SAMPLE);
            Tensor style = picture(STYLE_SAMPLE);
            Tensor target = LayerDefaults.features(net, content, List.of(CONTENT_LAYER)).get(CONTENT_LAYER);
            Map<String, Tensor> grams = LayerDefaults.grams(net, style, STYLE_LAYERS);
            Map<String, Double> w = new LinkedHashMap<>();
            for (int i = 0; i < STYLE_LAYERS.size(); i++) {
                w.put(STYLE_LAYERS.get(i), STYLE_LAYER_WEIGHTS[i]);
            }
            setup = new Setup(content, style, CONTENT_LAYER, target, STYLE_LAYERS, grams, w, CONTENT_WEIGHT,
                    STYLE_WEIGHT, TV_WEIGHT);
        }
        return setup;
    }

    /**
     * The centre square of a sample at SIZE x SIZE (cropped, not squeezed). The samples ship in the jar, so a
     * missing one is a broken build, which Samples reports.
     */
    static Tensor picture(String sample) {
        BufferedImage img = Samples.image(sample);
        int side = Math.min(img.getWidth(), img.getHeight());
        img = img.getSubimage((img.getWidth() - side) / 2, (img.getHeight() - side) / 2, side, side);
        return Inputs.image(img, model().preprocessing(), SIZE, SIZE);
    }

    static Tensor random(long seed, long... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    /** The library's answer for part 5, the reference the loop is graded against. */
    public static Tensor referenceTransfer(Network net, Setup s, int steps, float lr) {
        Objective o = Objective.content(s.contentLayer(), s.contentTarget()).times(s.contentWeight());
        for (String l : s.styleLayers()) {
            o = o.plus(Objective.gram(l, s.styleGrams().get(l)).times(s.styleWeight() * s.styleWeights().get(l)));
        }
        o = o.plus(Objective.tv().times(s.tvWeight()));
        return Render.builder(net).objective(o).parameterization(Parameterization.pixels(s.content()))
                .optimizer(Optimizer.normalized(lr)).steps(steps).live(false).run().lastTensor();
    }

    private record Part(String name, String description, Function<Object, Tensor[]> pair) implements Check {
        @Override
        public CheckResult grade(Object submission) {
            if (submission == null) {
                return CheckResult.notSubmitted(name, "write the function, then run the cell that hands it in");
            }
            Tensor[] both;
            try {
                both = pair.apply(submission);
            } catch (UnsupportedOperationException e) {
                return CheckResult.notImplemented(name, e.getMessage() == null ? description : e.getMessage());
            } catch (RuntimeException e) {
                return new CheckResult(name, CheckResult.Status.FAIL, Double.NaN, TOLERANCE,
                        "your function threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (both[0] == null) {
                return CheckResult.notImplemented(name, description + " (the function returned null)");
            }
            if (both[0].size() != both[1].size()) {
                return new CheckResult(name, CheckResult.Status.FAIL, Double.NaN, TOLERANCE, "expected shape "
                        + java.util.Arrays.toString(both[1].shape()) + ", got " + java.util.Arrays.toString(both[0].shape()));
            }
            return CheckResult.compared(name, relativeError(both[0], both[1]), TOLERANCE, description);
        }
    }

    static double relativeError(Tensor student, Tensor reference) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < reference.size(); i++) {
            diff = Math.max(diff, Math.abs(student.getFlat(i) - reference.getFlat(i)));
            scale = Math.max(scale, Math.abs(reference.getFlat(i)));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static Tensor copy(NDArray a) {
        return a == null ? null : Tensor.from(a);
    }

    private static Tensor[] gradeContent(Object f) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = random(11, 2, 8, 6, 5).toNDArray(m);
            NDArray p = random(12, 2, 8, 6, 5).toNDArray(m);
            return new Tensor[] {copy(((ContentLoss) f).compute(x, p)), Tensor.from(Losses.content(x, p))};
        }
    }

    private static Tensor[] gradeGram(Object f) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = random(13, 2, 8, 6, 5).toNDArray(m);
            return new Tensor[] {copy(((GramMatrix) f).compute(x)), Tensor.from(Losses.gram(x))};
        }
    }

    private static Tensor[] gradeStyle(Object f) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> feats = new LinkedHashMap<>();
            Map<String, NDArray> grams = new LinkedHashMap<>();
            Map<String, Double> w = new LinkedHashMap<>();
            NDArray ref = null;
            int seed = 20;
            for (String l : List.of("a", "b", "c")) {
                NDArray x = random(seed++, 1, 6 + seed % 3, 7, 5).toNDArray(m);
                NDArray g = Losses.gram(random(seed++, 1, x.getShape().get(1), 9, 4).toNDArray(m));
                double wl = 0.5 * seed;
                feats.put(l, x);
                grams.put(l, g);
                w.put(l, wl);
                NDArray t = Losses.style(x, g).mul((float) wl);
                ref = ref == null ? t : ref.add(t);
            }
            return new Tensor[] {copy(((StyleLoss) f).compute(feats, grams, w)), Tensor.from(ref)};
        }
    }

    private static Tensor[] gradeTv(Object f) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = random(30, 1, 3, 10, 12).toNDArray(m);
            return new Tensor[] {copy(((TvLoss) f).compute(x)), Tensor.from(Losses.tv(x))};
        }
    }

    private static Tensor[] gradeLoop(Object f) {
        Network net = model();
        Setup s = setup();
        Tensor student = ((TransferLoop) f).run(net, s, LOOP_STEPS, LOOP_LR);
        return new Tensor[] {student, referenceTransfer(net, s, LOOP_STEPS, LOOP_LR)};
    }

}
