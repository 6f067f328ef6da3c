package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Autograd;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import dev.neurolens.optimize.Labels;
import dev.neurolens.optimize.Objective;
import dev.neurolens.optimize.ObjectiveInput;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Plug &amp; Play sampling (Nguyen et al. 2017, PPGN-h): chains of codes h of a {@link GeneratorPrior} that move
 * towards what a condition wants (a class, several classes at once, a hidden unit, any {@link Objective}) while the
 * prior keeps them where the training codes are. Each step is
 * <pre>
 *   h  &lt;-  h + eps1 (R(h) - h) + eps2 d/dh log p(condition | G(h)) + eps3 N(0, 1),   clipped to the codes' range
 * </pre>
 * with R the prior's denoiser. The three epsilons are set in the prior's own units so the defaults carry over to
 * other models: {@code eps1} = {@link #stepSize}, {@code eps2} = stepSize x {@link #conditionWeight} x sigma^2 (the
 * denoiser's noise level sigma turns R(h) - h into sigma^2 times the score of h, so both terms speak the same units),
 * {@code eps3} = {@link #noise} x sqrt(2 stepSize) x sigma (1 would be the Langevin temperature; the paper, like the
 * default here, uses much less).
 *
 * <pre>{@code
 * PlugAndPlay.of(GeneratorPrior.builtin()).target("Sneaker").chains(6).steps(200).run()
 * PlugAndPlay.of(prior).target("Sandal", "Sneaker").run()              // both at once
 * PlugAndPlay.of(prior).neuron("conv3", 12).run()                       // a hidden unit
 * }</pre>
 *
 * The condition's classifier is the prior's own unless {@link #classifier} names another (any classifier; G's
 * pictures are cropped or resized to its input). Chains start from random codes near the data ({@link
 * GeneratorPrior#randomCodes}) or from {@link #start}; frames are recorded every {@link #recordEvery} steps and
 * shown live. An interrupt ends the chains early and keeps what they reached.
 */
public final class PlugAndPlay extends RunBuilder<PlugAndPlay> {
    private static final String TECHNIQUE = "PPGN sampling";
    private static final String ADVICE = "Try a smaller stepSize(...) or conditionWeight(...)";
    private final GeneratorPrior prior;
    private Network classifier;
    private final List<Integer> classes = new ArrayList<>();
    private final List<String[]> neurons = new ArrayList<>();
    private Objective extra;
    private int chains = 4;
    private double stepSize = 0.1;
    private double conditionWeight = 10;
    private double noise = 0.1;
    private Tensor start;

    private PlugAndPlay(GeneratorPrior prior) {
        super(200);
        seed(1);
        recordEvery(10);
        this.prior = prior;
    }

    public static PlugAndPlay of(GeneratorPrior prior) {
        return new PlugAndPlay(prior);
    }

    /**
     * The chains of the most recent run in this JVM, also when it was interrupted or stopped on a NaN (then up to
     * the last good step); null before any.
     */
    public static PlugAndPlayResult lastResult() {
        return LastResults.of(PlugAndPlayResult.class);
    }

    /** The classifier whose classes and units are conditions (default: the prior's own). */
    public PlugAndPlay classifier(Network net) {
        this.classifier = net;
        return this;
    }

    /** Conditions on classes by index; several mean all at once (the sum of their log-probabilities). */
    public PlugAndPlay target(int... classIndex) {
        Network net = net();
        int n = net.info().labels().size();
        for (int c : classIndex) {
            if (c < 0 || (n > 0 && c >= n)) {
                throw new IllegalArgumentException("class " + c + " out of range: " + net.name() + " has " + n
                        + " classes (0 … " + (n - 1) + ")");
            }
            if (!classes.contains(c)) {
                classes.add(c);
            }
        }
        return this;
    }

    /** Conditions on classes by label (exact, else the unique label containing it). */
    public PlugAndPlay target(String... labels) {
        for (String l : labels) {
            target(Labels.index(net(), l));
        }
        return this;
    }

    /** Conditions on a hidden unit: channel {@code unit} of {@code layer} (at the centre of a feature map). */
    public PlugAndPlay neuron(String layer, int unit) {
        net().resolve(layer);
        neurons.add(new String[] {layer, Integer.toString(unit)});
        return this;
    }

    /** Any further condition, as a loss to minimize (added to the class and unit terms). */
    public PlugAndPlay condition(Objective objective) {
        this.extra = extra == null ? objective : extra.plus(objective);
        return this;
    }

    /** How many chains run side by side (a batch), each from its own start. */
    public PlugAndPlay chains(int n) {
        this.chains = Check.atLeastOne("chains", n);
        return this;
    }

    @Override
    public PlugAndPlay steps(int n) {
        return super.steps(Check.atLeastOne("steps", n));
    }

    /** eps1: the share of the way to R(h) taken per step (default 0.1). */
    public PlugAndPlay stepSize(double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("stepSize must be in (0, 1], got " + v);
        }
        this.stepSize = v;
        return this;
    }

    /**
     * How much the condition counts against the prior: the condition's probability is raised to this power
     * (default 10; 1 is the plain product of prior and condition, 0 samples the prior alone).
     */
    public PlugAndPlay conditionWeight(double w) {
        if (!(w >= 0)) {
            throw new IllegalArgumentException("conditionWeight must be at least 0, got " + w);
        }
        this.conditionWeight = w;
        return this;
    }

    /** Noise per step as a share of the Langevin amount (default 0.1; 0 for deterministic chains). */
    public PlugAndPlay noise(double n) {
        if (!(n >= 0)) {
            throw new IllegalArgumentException("noise must be at least 0, got " + n);
        }
        this.noise = n;
        return this;
    }

    /** Keeps a frame of every chain every {@code n} steps (and the first and last). */
    @Override
    public PlugAndPlay recordEvery(int n) {
        return super.recordEvery(Check.atLeastOne("recordEvery", n));
    }

    /** Starts the chains from these codes ({@code chains x d}, e.g. {@code prior.encode(...)} of real pictures). */
    public PlugAndPlay start(Tensor codes) {
        long[] s = codes.shape();
        if (s.length != 2 || s[1] != prior.codeSize()) {
            throw new IllegalArgumentException("start codes must be N x " + prior.codeSize() + ", got "
                    + java.util.Arrays.toString(s) + "; use prior.encode(...) or prior.randomCodes(n, seed)");
        }
        this.start = codes;
        this.chains = (int) s[0];
        return this;
    }

    private Network net() {
        return classifier != null ? classifier : prior.classifier();
    }


    /** What the chains are asked for, as one objective, and how to read each condition per chain. */
    private Objective objective() {
        Objective o = null;
        for (int c : classes) {
            Objective t = Objective.classLogProb(c);
            o = o == null ? t : o.plus(t);
        }
        for (String[] n : neurons) {
            Objective t = Objective.neuron(n[0], Integer.parseInt(n[1]));
            o = o == null ? t : o.plus(t);
        }
        if (extra != null) {
            o = o == null ? extra : o.plus(extra);
        }
        return o;
    }

    private List<String> scoreNames(Network net) {
        List<String> names = new ArrayList<>();
        List<String> labels = net.info().labels();
        for (int c : classes) {
            names.add("p(" + (c < labels.size() ? labels.get(c) : "class " + c) + ")");
        }
        for (String[] n : neurons) {
            names.add(n[0] + ":" + n[1]);
        }
        return names;
    }

    /** Per chain: each class's probability, then each unit's activation. */
    private float[][] scores(Map<String, NDArray> out, int n) {
        List<float[]> s = new ArrayList<>();
        if (!classes.isEmpty()) {
            NDArray p = out.get(Network.OUTPUT).softmax(1);
            for (int c : classes) {
                s.add(p.get(new NDIndex(":, {}", c)).toFloatArray());
            }
        }
        for (String[] u : neurons) {
            NDArray a = out.get(u[0]);
            int unit = Integer.parseInt(u[1]);
            NDArray v = a.getShape().dimension() == 4
                    ? a.get(new NDIndex(":, {}, {}, {}", unit, a.getShape().get(2) / 2, a.getShape().get(3) / 2))
                    : a.get(new NDIndex(":, {}", unit));
            s.add(v.toFloatArray());
        }
        return s.toArray(new float[0][]);
    }

    public PlugAndPlayResult run() {
        Network net = net();
        Objective cond = objective();
        if (cond == null) {
            throw new IllegalStateException("no condition: add target(\"class\"), neuron(layer, unit) or "
                    + "condition(objective)");
        }
        cond.validate(net);
        List<String> captures = new ArrayList<>();
        for (String l : cond.layers()) {
            if (!l.equals(Network.OUTPUT)) {
                captures.add(l);
            }
        }
        Forward spec = Forward.capture(captures.toArray(new String[0])).toOutput();
        List<String> names = scoreNames(net);
        Tensor h = start != null ? start : prior.randomCodes(chains, seed());
        int n = (int) h.dim(0);
        float sigma = prior.sigma();
        float e1 = (float) stepSize;
        float e2 = (float) (stepSize * conditionWeight * sigma * sigma);
        float e3 = (float) (noise * Math.sqrt(2 * stepSize) * sigma);
        Random random = new Random(seed() * 7919 + 17);
        List<Integer> recorded = new ArrayList<>();
        List<List<BufferedImage>> frames = new ArrayList<>();
        List<float[][]> scoreFrames = new ArrayList<>();
        String title = "Plug & Play: " + (names.isEmpty() ? cond.toString() : String.join(" + ", names));
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        Progress bar = live() ? Progress.of(steps(), title) : null;
        boolean interrupted = false;
        long t0 = System.nanoTime();
        // the codes whose pictures and condition were last seen finite: what a later NaN leaves as the result
        Tensor good = null;
        int goodStep = -1;
        NonFiniteException failure = null;
        try {
            for (int step = 0; step <= steps(); step++) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted = true;
                    break;
                }
                try (NDManager m = net.newScope()) {
                    NDArray code = h.toNDArray(m);
                    code.setRequiresGradient(true);
                    NDArray pics;
                    Map<String, NDArray> out;
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        pics = NonFiniteException.check(prior.decode(code), TECHNIQUE, "the generated pictures", step);
                        NDArray x = GeneratorPrior.asInput(pics, net);
                        out = net.forward(x, spec);
                        Map<String, NDArray> terms = cond.evaluate(ObjectiveInput.of(x, out, m));
                        NDArray loss = null;
                        for (NDArray t : terms.values()) {
                            loss = loss == null ? t : loss.add(t);
                        }
                        NonFiniteException.check(loss, TECHNIQUE, "the condition's loss", step);
                        // terms are batch means: times n gives each chain its own gradient
                        gc.backward(loss.mul((float) n));
                    }
                    good = h;
                    goodStep = step;
                    boolean last = step == steps();
                    if (step % recordEvery() == 0 || last) {
                        recorded.add(step);
                        frames.add(Generator.pictures(Tensor.from(pics.stopGradient())));
                        scoreFrames.add(scores(out, n));
                        if (figure != null) {
                            int st = step;
                            List<BufferedImage> now = frames.get(frames.size() - 1);
                            float[][] sc = scoreFrames.get(scoreFrames.size() - 1);
                            figure.update(() -> PlugAndPlayResult.row(now, sc, names,
                                    title + " · step " + st));
                        }
                    }
                    if (step > 0 && options().listensAt(step - 1)) {
                        float[][] sc = scores(out, n);
                        Map<String, Double> values = new java.util.LinkedHashMap<>();
                        for (int i = 0; i < names.size() && i < sc.length; i++) {
                            values.put(names.get(i), (double) mean(sc[i]));
                        }
                        NDArray shownNow = pics;
                        new Frame(TECHNIQUE, step, steps(), values,
                                () -> Generator.pictures(Tensor.from(shownNow.stopGradient())).get(0))
                                .deliverTo(options().listener());
                    }
                    if (last) {
                        break;
                    }
                    NDArray grad = NonFiniteException.check(code.getGradient(), TECHNIQUE, "the gradient of the codes",
                            step).duplicate();
                    int nextStep = step + 1;
                    h = Autograd.withoutGradients(() -> {
                        NDArray hNow = code.stopGradient();
                        NDArray toward = prior.denoise(hNow).sub(hNow);
                        NDArray next = hNow.add(toward.mul(e1)).sub(grad.mul(e2));
                        if (e3 > 0) {
                            next = next.add(m.create(gaussian(random, n * prior.codeSize()), next.getShape()).mul(e3));
                        }
                        return Tensor.from(NonFiniteException.check(next.clip(prior.low(), prior.high()), TECHNIQUE,
                                "the codes", nextStep));
                    });
                    if (bar != null) {
                        float[][] sc = scoreFrames.get(scoreFrames.size() - 1);
                        if (sc.length > 0) {
                            bar.set(names.get(0), mean(sc[0]));
                        }
                        bar.step();
                    }
                } catch (ThreadDeath death) {
                    interrupted = true;
                    break;
                }
            }
        } catch (NonFiniteException e) {
            failure = e;
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        if (failure != null) {
            if (good == null) {
                throw failure.keeping(null, "nothing was kept (the chains' start already failed)", ADVICE);
            }
            h = good;
            if (recorded.isEmpty() || recorded.get(recorded.size() - 1) != goodStep) {
                // the last good step was not recorded: its pictures and scores end the strip
                recorded.add(goodStep);
                frames.add(Generator.pictures(prior.decode(good)));
                scoreFrames.add(scoresOf(good, net, spec));
            }
        }
        String note = failure == null ? null
                : "stopped at step " + failure.step() + ": " + failure.quantity() + " became " + failure.value();
        PlugAndPlayResult result = new PlugAndPlayResult(title, h, recorded, frames, scoreFrames, names,
                interrupted, note, (System.nanoTime() - t0) / 1e9);
        if (figure != null && !frames.isEmpty()) {
            // the live view ends on the chains' last pictures; the result itself shows the whole strip and chart
            figure.finish(PlugAndPlayResult.row(frames.get(frames.size() - 1), scoreFrames.get(scoreFrames.size() - 1),
                    names, title + " · step " + recorded.get(recorded.size() - 1) + (note == null ? "" : " · " + note)));
        }
        LastResults.keep(result);
        if (failure != null) {
            throw failure.keeping(result, "the last good chains (step " + goodStep
                    + ") are kept in PlugAndPlay.lastResult()", ADVICE);
        }
        return result;
    }

    /** Each condition's score per chain for the codes {@code h}, without gradients. */
    private float[][] scoresOf(Tensor h, Network net, Forward spec) {
        try (NDManager m = net.newScope()) {
            NDArray x = GeneratorPrior.asInput(prior.decode(h.toNDArray(m)), net);
            return scores(net.forward(x, spec), (int) h.dim(0));
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static float mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return (float) (s / v.length);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PlugAndPlay[%s, %d chains x %d steps]", objective(), chains, steps());
    }
}
