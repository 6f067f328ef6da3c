package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.neurolens.display.Images;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Adam;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * GAN inversion: the code z whose image G(z) is closest to a picture, found by Adam on z from several random
 * starts (the best one wins). Optionally, as in Bau et al.'s GANPaint ("Semantic photo manipulation with a
 * generative image prior", 2019), G's first layers are then fine-tuned on that one picture so the
 * reconstruction closes the gap the code alone cannot; that makes a NEW generator, the original is untouched.
 *
 * <pre>{@code
 * InversionResult r = Inversion.of(g).steps(300).starts(4).fineTune(100).run(target);
 * r.error();                     // mean squared error in [0, 1] pixels of G(z*)
 * Generator tuned = r.tuned();   // paint into the picture with it (dissection units, rewriting)
 * }</pre>
 */
public final class Inversion extends RunBuilder<Inversion> {
    private static final String TECHNIQUE = "GAN inversion";
    private static final String ADVICE = "Try a lower lr(...) or fineTuneLr(...)";
    private final Generator generator;
    private double lr = 0.05;
    private int starts = 4;
    private double perceptual = 0;
    private int tuneSteps = 0;
    private int tuneLayers = 2;
    private double tuneLr = 1e-4;

    private Inversion(Generator generator) {
        super(300);
        live(false);
        this.generator = generator;
    }

    public static Inversion of(Generator generator) {
        return new Inversion(generator);
    }

    /**
     * The result of the most recent inversion in this JVM, also when a NaN stopped it (then the last good code, or
     * the best fine-tuned generator); null before any.
     */
    public static InversionResult lastResult() {
        return LastResults.of(InversionResult.class);
    }

    /** Adam steps on z. */
    @Override
    public Inversion steps(int n) {
        return super.steps(Check.atLeastOne("steps", n));
    }

    /** Adam's learning rate for z (codes are standard normal, so 0.01 to 0.1). */
    public Inversion lr(double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("lr must be a positive finite number, got " + v);
        }
        lr = v;
        return this;
    }

    /** Random starting codes optimized together; the one ending closest wins (GAN inversion is not convex). */
    public Inversion starts(int n) {
        starts = Check.atLeastOne("starts", n);
        return this;
    }

    /**
     * Weight of a simple perceptual term: the differences between neighbouring pixels (edges) must match as
     * well as the pixels, which favours sharp reconstructions over blurry averages. 0 (default) is plain MSE.
     */
    public Inversion perceptual(double weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("perceptual weight must be >= 0, got " + weight);
        }
        perceptual = weight;
        return this;
    }

    /** After z, fine-tune G's first layers on the picture for {@code n} Adam steps (0: do not; the default). */
    public Inversion fineTune(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("fine-tune steps must be >= 0, got " + n);
        }
        tuneSteps = n;
        return this;
    }

    /** How many leading transposed convolutions (with their batch norms) fine-tuning may change; default 2. */
    public Inversion fineTuneLayers(int n) {
        tuneLayers = Check.atLeastOne("fine-tuned layers", n);
        return this;
    }

    /** Adam step size of fine-tuning (default 1e-4; larger steps overshoot an already close fit). */
    public Inversion fineTuneLr(double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("fine-tune lr must be a positive finite number, got " + v);
        }
        tuneLr = v;
        return this;
    }

    /** Show a progress bar (in a notebook): the same as {@code live(on)}. */
    public Inversion progress(boolean on) {
        return live(on);
    }


    /** Inverts a picture, resized to G's image size (gray if G draws one channel). */
    public InversionResult run(BufferedImage picture) {
        return run(toTensor(picture, channels(), size()));
    }

    /** Inverts an image {@code 1 x C x H x W} (or {@code C x H x W}) with values in [0, 1], at G's size. */
    public InversionResult run(Tensor target) {
        Network net = generator.network();
        long[] s = target.shape();
        Tensor t = s.length == 3 ? target.reshape(1, s[0], s[1], s[2]) : target;
        long[] ts = t.shape();
        if (ts.length != 4 || ts[0] != 1 || ts[1] != channels() || ts[2] != size() || ts[3] != size()) {
            throw new IllegalArgumentException("target must be 1 x " + channels() + " x " + size() + " x " + size()
                    + " in [0, 1] (what " + generator.name() + " draws), got " + java.util.Arrays.toString(ts)
                    + "; run(BufferedImage) resizes a picture for you");
        }
        int nz = generator.zDim();
        Random random = new Random(seed());
        float[] z = new float[starts * nz];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) random.nextGaussian();
        }
        float[] m1 = new float[z.length];
        float[] m2 = new float[z.length];
        List<Float> losses = new ArrayList<>();
        float[] perStart = new float[starts];
        Progress bar = live() ? Progress.of(steps() + tuneSteps, "inverting into " + generator.name()) : null;
        // the codes and losses of the last step whose losses were finite: what a later NaN leaves as the result
        float[] zGood = null;
        float[] lossGood = null;
        int goodStep = -1;
        NonFiniteException failure = null;
        try {
            try {
                for (int step = 1; step <= steps(); step++) {
                    if (Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    int updates = step - 1;
                    try (NDManager m = net.newScope()) {
                        NDArray x = t.toNDArray(m);
                        NDArray zz = m.create(z, new Shape(starts, nz, 1, 1));
                        zz.setRequiresGradient(true);
                        float[] grad;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray img = generator.forward(zz, Forward.plain()).get(Generator.OUTPUT);
                            NDArray each = loss(img, x);
                            float[] e = NonFiniteException.check(each.toFloatArray(), TECHNIQUE,
                                    "the reconstruction loss", updates);
                            System.arraycopy(e, 0, perStart, 0, starts);
                            gc.backward(each.sum());
                        }
                        zGood = z.clone();
                        lossGood = perStart.clone();
                        goodStep = updates;
                        grad = NonFiniteException.check(zz.getGradient().toFloatArray(), TECHNIQUE, "the gradient of z",
                                updates);
                        adam(z, grad, m1, m2, step, (float) lr);
                        NonFiniteException.check(z, TECHNIQUE, "z", step);
                    }
                    losses.add(min(perStart));
                    if (bar != null) {
                        bar.set("loss", min(perStart)).step();
                    }
                    if (options().listensAt(step - 1)) {
                        int best = 0;
                        for (int i = 1; i < starts; i++) {
                            best = perStart[i] < perStart[best] ? i : best;
                        }
                        float[] row = java.util.Arrays.copyOfRange(z, best * nz, best * nz + nz);
                        new Frame(TECHNIQUE, step, steps(), Map.of("loss", (double) min(perStart)),
                                () -> Generator.pictures(generator.generate(Tensor.of(row, 1, nz, 1, 1))).get(0))
                                .deliverTo(options().listener());
                    }
                }
            } catch (NonFiniteException e) {
                if (zGood == null) {
                    throw e.keeping(null, "nothing was kept (the first step already failed)", ADVICE);
                }
                failure = e;
                z = zGood;
                System.arraycopy(lossGood, 0, perStart, 0, starts);
            }
            int best = argMin(perStart);
            float[] zBest = java.util.Arrays.copyOfRange(z, best * nz, (best + 1) * nz);
            Tensor zT = Tensor.of(zBest, 1, nz, 1, 1);
            Tensor recon = generator.generate(zT);
            Generator tuned = null;
            Tensor tunedRecon = null;
            String kept = null;
            if (failure != null) {
                kept = "the last good code (step " + goodStep + ") is kept in Inversion.lastResult()";
            } else if (tuneSteps > 0) {
                Tuning tuning = fineTuned(zT, t, losses, bar);
                tuned = tuning.generator();
                tunedRecon = tuned.generate(zT);
                failure = tuning.failure();
                kept = failure == null ? null : "the generator of the best fine-tuning step (" + tuning.bestStep()
                        + ") is kept in Inversion.lastResult().tuned()";
            }
            InversionResult result = new InversionResult(generator.name(), t, zT, recon, tuned, tunedRecon, losses,
                    steps());
            LastResults.keep(result);
            if (failure != null) {
                throw failure.keeping(result, kept, ADVICE);
            }
            return result;
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** A fine-tuned generator, and the NaN that stopped fine-tuning early (null when it ran to the end). */
    private record Tuning(Generator generator, NonFiniteException failure, int bestStep) {
    }

    /** A copy of G whose first transposed convolutions and batch norms are tuned so G(z) matches the target. */
    private Tuning fineTuned(Tensor z, Tensor target, List<Float> losses, Progress bar) {
        Network copy = generator.network().withParameters(Map.of(),
                generator.network().source() + ", fine-tuned on one picture");
        Map<String, NDArray> tuned = new LinkedHashMap<>();
        int convs = 0;
        for (Layer l : copy.allLayers()) {
            if (l.kind() == LayerKind.CONV_TRANSPOSE2D && ++convs > tuneLayers) {
                break;
            }
            if (l.kind() == LayerKind.CONV_TRANSPOSE2D || l.kind() == LayerKind.BATCH_NORM2D) {
                for (String k : l.parameterShapes().keySet()) {
                    if (!k.endsWith("running_mean") && !k.endsWith("running_var")) {
                        tuned.put(k, copy.parameters().get(k));
                    }
                }
            }
        }
        Generator g = Generator.of(copy, generator.zDim());
        NonFiniteException failure = null;
        int bestStep = 0;
        try (NDManager state = copy.newScope()) {
            Adam adam = new Adam(state, tuneLr);
            for (var e : tuned.entrySet()) {
                e.getValue().setRequiresGradient(true);
            }
            float best = Float.POSITIVE_INFINITY;
            Map<String, NDArray> bestWeights = new LinkedHashMap<>();
            try {
                for (int step = 1; step <= tuneSteps; step++) {
                    if (Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    try (NDManager m = copy.newScope()) {
                        float value;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray img = g.forward(z.toNDArray(m), Forward.plain()).get(Generator.OUTPUT);
                            NDArray l = loss(img, target.toNDArray(m)).sum();
                            value = NonFiniteException.check(l.getFloat(), TECHNIQUE, "the fine-tuning loss",
                                    steps() + step - 1);
                            gc.backward(l);
                        }
                        // Adam moves every weight by about lr however small its gradient, so near a good fit a step
                        // can make things worse: keep the weights that gave the lowest loss
                        if (value < best) {
                            best = value;
                            bestStep = steps() + step - 1;
                            for (var e : tuned.entrySet()) {
                                NDArray keep = e.getValue().duplicate();
                                keep.attach(state);
                                NDArray old = bestWeights.put(e.getKey(), keep);
                                if (old != null) {
                                    old.close();
                                }
                            }
                        }
                        // Adam changes the weights in place: a bad gradient must be caught before it is taken
                        NonFiniteException.checkGradients(tuned, m, TECHNIQUE, steps() + step - 1);
                        adam.step(tuned, m);
                        losses.add(value);
                        if (bar != null) {
                            bar.set("loss", value).step();
                        }
                    }
                }
            } catch (NonFiniteException e) {
                failure = e;
            }
            for (NDArray p : tuned.values()) {
                p.setRequiresGradient(false); // an in-place copy into a leaf that requires grad is refused
            }
            bestWeights.forEach((k, v) -> tuned.get(k).set(v.toByteBuffer()));
        } finally {
            for (NDArray p : tuned.values()) {
                p.setRequiresGradient(false);
            }
        }
        return new Tuning(g, failure, bestStep);
    }

    /** Per-sample loss: pixel MSE, plus the weighted MSE of horizontal and vertical pixel differences. */
    private NDArray loss(NDArray img, NDArray target) {
        NDArray d = img.sub(target);
        NDArray l = perSample(d.square());
        if (perceptual > 0) {
            NDArray dx = d.get(":, :, :, 1:").sub(d.get(":, :, :, :-1"));
            NDArray dy = d.get(":, :, 1:, :").sub(d.get(":, :, :-1, :"));
            l = l.add(perSample(dx.square()).add(perSample(dy.square())).mul((float) perceptual));
        }
        return l;
    }

    private static NDArray perSample(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }

    private static void adam(float[] x, float[] g, float[] m, float[] v, int t, float lr) {
        double c1 = 1 - Math.pow(0.9, t);
        double c2 = 1 - Math.pow(0.999, t);
        for (int i = 0; i < x.length; i++) {
            m[i] = 0.9f * m[i] + 0.1f * g[i];
            v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
            x[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
        }
    }

    private static float min(float[] v) {
        return v[argMin(v)];
    }

    private static int argMin(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }

    private int channels() {
        return generator.network().architecture().parameterShapes().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".weight") && e.getValue().length == 4)
                .reduce((a, b) -> b).map(e -> (int) e.getValue()[1]).orElseThrow();
    }

    private int size() {
        return generator.network().info().crop();
    }

    /** A picture as {@code 1 x channels x size x size} in [0, 1] (luminance when one channel). */
    static Tensor toTensor(BufferedImage picture, int channels, int size) {
        BufferedImage img = Images.resize(picture, size, size, true);
        float[] v = new float[channels * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 255) / 255f;
                float g = ((rgb >> 8) & 255) / 255f;
                float b = (rgb & 255) / 255f;
                if (channels == 1) {
                    v[y * size + x] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    v[y * size + x] = r;
                    v[size * size + y * size + x] = g;
                    v[2 * size * size + y * size + x] = b;
                }
            }
        }
        return Tensor.of(v, 1, channels, size, size);
    }
}
