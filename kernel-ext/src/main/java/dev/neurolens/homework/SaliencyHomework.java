package dev.neurolens.homework;

import dev.neurolens.attribution.GradCam;
import dev.neurolens.attribution.GradientSaliency;
import dev.neurolens.attribution.Occlusion;
import dev.neurolens.attribution.SmoothGrad;
import dev.neurolens.attribution.Target;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.data.Samples;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * Homework 1 (saliency): four parts, each a function the student writes on top of the layer API and hands in
 * with the typed helper below; {@code %check <part>} compares it with the library on the built-in
 * Fashion-MNIST model and a test image. Relative error = max |student - reference| / max |reference|.
 */
public final class SaliencyHomework {
    static final String HOMEWORK = "saliency";
    /** Gradient-based parts agree with the library to float rounding when done right. */
    public static final double TOLERANCE = 1e-4;
    public static final int PATCH = 8;
    public static final int STRIDE = 4;
    public static final String CAM_LAYER = "relu3";
    public static final int SMOOTHGRAD_SAMPLES = 8;
    public static final float NOISE_LEVEL = 0.15f;

    private static Network model;
    private static Tensor image;
    private static int label;

    private SaliencyHomework() {
    }

    /** Part 1: max over channels of |d score_c / d x|, an H x W map. */
    @FunctionalInterface
    public interface Saliency {
        float[][] compute(Network model, Tensor image, int classIndex);
    }

    /** Part 2: mean drop of the class score over the patches (filled with 0) that cover each pixel. */
    @FunctionalInterface
    public interface OcclusionMap {
        float[][] compute(Network model, Tensor image, int classIndex, int patch, int stride);
    }

    /** Part 3: relu(sum_k alpha_k A_k) at the layer's resolution, alpha_k the spatial mean of d score / d A_k. */
    @FunctionalInterface
    public interface GradCamMap {
        float[][] compute(Network model, Tensor image, int classIndex, String layer);
    }

    /**
     * Part 4: the mean over the noise samples of the vanilla saliency map of {@code image + sigma * noise[i]},
     * {@code sigma = noiseLevel * (max(image) - min(image))}.
     */
    @FunctionalInterface
    public interface SmoothGradMap {
        float[][] compute(Network model, Tensor image, int classIndex, Tensor noise, float noiseLevel);
    }

    public static void saliency(Saliency f) {
        Homework.submit("saliency", f);
    }

    public static void occlusion(OcclusionMap f) {
        Homework.submit("occlusion", f);
    }

    public static void gradCam(GradCamMap f) {
        Homework.submit("gradcam", f);
    }

    public static void smoothGrad(SmoothGradMap f) {
        Homework.submit("smoothgrad", f);
    }

    /** Registers the four checks. Idempotent. */
    public static void register() {
        Homework.register(HOMEWORK, new Part("saliency", "vanilla gradient saliency", SaliencyHomework::gradeSaliency));
        Homework.register(HOMEWORK, new Part("occlusion", "occlusion, patch " + PATCH + " stride " + STRIDE + " fill 0",
                SaliencyHomework::gradeOcclusion));
        Homework.register(HOMEWORK, new Part("gradcam", "Grad-CAM at " + CAM_LAYER + " (layer resolution)",
                SaliencyHomework::gradeGradCam));
        Homework.register(HOMEWORK, new Part("smoothgrad", "SmoothGrad, " + SMOOTHGRAD_SAMPLES + " given noise samples",
                SaliencyHomework::gradeSmoothGrad));
    }

    /** The model the checks use (the built-in Fashion-MNIST CNN), shared with the notebook. */
    public static synchronized Network model() {
        Homework.open(HOMEWORK);
        if (model == null) {
            model = Models.defaultModel();
        }
        return model;
    }

    /** The sample the checks use when Fashion-MNIST is not installed. */
    public static final String FALLBACK_SAMPLE = "chelsea";

    /**
     * The test image the checks use: the first Fashion-MNIST test image; where the data set is not installed, the
     * sample picture {@link #FALLBACK_SAMPLE} (gray, 28x28) with the class the model predicts for it, said in one
     * printed line.
     */
    public static synchronized Tensor image() {
        if (image == null) {
            CheckImage c = checkImage(model(), FashionMnist.DEFAULT_DIR, System.out);
            image = c.image();
            label = c.label();
        }
        return image;
    }

    /** A graded picture and its class. */
    record CheckImage(Tensor image, int label) {
    }

    /** The first test image of the Fashion-MNIST folder {@code dir}, else the fallback sample, reported to {@code out}. */
    static CheckImage checkImage(Network model, Path dir, PrintStream out) {
        try {
            FashionMnist test = FashionMnist.test(dir);
            return new CheckImage(model.preprocessing().toTensor(test.image(0)), test.label(0));
        } catch (IOException e) {
            Tensor x = model.preprocessing().toTensor(Samples.image(FALLBACK_SAMPLE));
            int predicted = model.logits(x).argMax();
            out.println("Neurolens: Fashion-MNIST is not installed (" + e.getMessage() + "), so the saliency checks "
                    + "grade on the sample picture '" + FALLBACK_SAMPLE + "' (gray, 28x28) and its predicted class "
                    + model.info().labels().get(predicted) + " (" + predicted + ").");
            return new CheckImage(x, predicted);
        }
    }

    public static synchronized int label() {
        image();
        return label;
    }

    /** The standard-normal noise the SmoothGrad check passes, {@code [samples, 1, 28, 28]}. */
    public static Tensor noise() {
        Random r = new Random(42);
        float[] v = new float[SMOOTHGRAD_SAMPLES * 28 * 28];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, SMOOTHGRAD_SAMPLES, 1, 28, 28);
    }


    private record Part(String name, String description, java.util.function.Function<Object, float[][][]> pair)
            implements Check {
        @Override
        public CheckResult grade(Object submission) {
            if (submission == null) {
                return CheckResult.notSubmitted(name, "write the function, then run the cell that hands it in");
            }
            float[][][] both;
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
            float[][] s = both[0];
            float[][] r = both[1];
            if (s.length != r.length || s.length == 0 || s[0].length != r[0].length) {
                return new CheckResult(name, CheckResult.Status.FAIL, Double.NaN, TOLERANCE, "expected a "
                        + r.length + "x" + r[0].length + " map, got " + s.length + "x" + (s.length == 0 ? 0 : s[0].length));
            }
            return CheckResult.compared(name, relativeError(s, r), TOLERANCE, description);
        }
    }

    static double relativeError(float[][] student, float[][] reference) {
        double diff = 0;
        double scale = 0;
        for (int y = 0; y < reference.length; y++) {
            for (int x = 0; x < reference[0].length; x++) {
                diff = Math.max(diff, Math.abs(student[y][x] - reference[y][x]));
                scale = Math.max(scale, Math.abs(reference[y][x]));
            }
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static float[][][] gradeSaliency(Object f) {
        float[][] s = ((Saliency) f).compute(model(), image(), label());
        float[][] r = GradientSaliency.create().attribute(model(), image(), Target.classIndex(label())).map();
        return new float[][][] {s, r};
    }

    private static float[][][] gradeOcclusion(Object f) {
        float[][] s = ((OcclusionMap) f).compute(model(), image(), label(), PATCH, STRIDE);
        float[][] r = Occlusion.builder().patch(PATCH).stride(STRIDE).fill(0).build()
                .attribute(model(), image(), Target.classIndex(label())).map();
        return new float[][][] {s, r};
    }

    private static float[][][] gradeGradCam(Object f) {
        float[][] s = ((GradCamMap) f).compute(model(), image(), label(), CAM_LAYER);
        Tensor cam = GradCam.at(CAM_LAYER).attribute(model(), image(), Target.classIndex(label()))
                .details(GradCam.Details.class).layerMap();
        return new float[][][] {s, toMap(cam.slice(0))};
    }

    private static float[][][] gradeSmoothGrad(Object f) {
        float[][] s = ((SmoothGradMap) f).compute(model(), image(), label(), noise(), NOISE_LEVEL);
        float[][] r = SmoothGrad.builder().noise(NOISE_LEVEL).build()
                .attribute(model(), image(), Target.classIndex(label()), noise()).map();
        return new float[][][] {s, r};
    }

    static float[][] toMap(Tensor t) {
        int h = (int) t.dim(0);
        int w = (int) t.dim(1);
        float[][] m = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m[y][x] = t.get(y, x);
            }
        }
        return m;
    }
}
