package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * Fooling images (Szegedy et al. 2014, as in CS231n): change a correctly classified picture, within a stated
 * {@link Budget}, until the network says another class. {@link FoolingResult} shows the change amplified.
 *
 * <p>With a budget (the default is {@code Budget.linf(8 / 255.0)}) this is targeted projected gradient descent
 * (Kurakin et al. 2017; Madry et al. 2018) on the cross-entropy of the target class: starting from the original
 * (no random start, so runs are deterministic), each step moves the perturbation by {@link #stepSize} in pixel units
 * (the gradient's sign for L∞, the gradient scaled to that length for L2), then projects it back into the budget
 * and the picture into [0, 1]. It stops as soon as the network predicts the target. {@code Budget.none()} keeps
 * the unconstrained recipe: normalized gradient steps ({@link #lr}) up the target logit, pixels clipped to [0, 1].
 *
 * <pre>{@code
 * FoolingImage.of(net).image(shirt).target("Bag").run()
 * FoolingImage.of(net).budget(Budget.l2(1.0)).successRate(pictures, i -> 8)
 * }</pre>
 */
public final class FoolingImage extends RunBuilder<FoolingImage> {
    private final Network network;
    private Tensor input;
    private int target = -1;
    private double lr = 0.003;
    private Budget budget = Budget.linf(8 / 255.0);
    private double stepSize = Double.NaN;

    private FoolingImage(Network network) {
        super(100);
        live(false);
        this.network = network;
    }

    public static FoolingImage of(Network network) {
        return new FoolingImage(network);
    }

    /** The picture to fool with, preprocessed the way the network expects. */
    public FoolingImage image(BufferedImage image) {
        return image(network.preprocessing().toTensor(image));
    }

    /** An already preprocessed input, [1, C, H, W]. */
    public FoolingImage image(Tensor normalized) {
        Inputs.checkFinite(normalized, "the image to fool with");
        if (normalized.rank() != 4 || normalized.dim(0) != 1) {
            throw new IllegalArgumentException("expected one image [1, C, H, W], got " + normalized);
        }
        this.input = normalized;
        return this;
    }

    public FoolingImage target(int classIndex) {
        this.target = classIndex;
        return this;
    }

    public FoolingImage target(String label) {
        return target(Labels.index(network, label));
    }

    /** How far the picture may change, in pixel units: {@code Budget.linf(8 / 255.0)} unless set. */
    public FoolingImage budget(Budget b) {
        if (b == null) {
            throw new IllegalArgumentException("budget is null; Budget.none() sets no limit");
        }
        this.budget = b;
        return this;
    }

    /** One step's length in pixel units under a budget (default a quarter of its eps). */
    public FoolingImage stepSize(double pixels) {
        if (!(pixels > 0 && Double.isFinite(pixels))) {
            throw new IllegalArgumentException("stepSize must be a finite number > 0 in pixel units, got " + pixels);
        }
        this.stepSize = pixels;
        return this;
    }

    /** Give up after this many steps: the same as {@code steps(n)}. */
    public FoolingImage maxSteps(int n) {
        return steps(n);
    }

    /** With {@code Budget.none()}: the mean per-pixel step in normalized input space. */
    public FoolingImage lr(double v) {
        this.lr = v;
        return this;
    }

    public FoolingResult run() {
        if (input == null || target < 0) {
            throw new IllegalStateException("set image(...) and target(...) before run()");
        }
        int n = network.info().labels().size();
        if (n > 0 && target >= n) {
            throw new IllegalArgumentException("class " + target + " out of range: " + network.name() + " has " + n);
        }
        int t = target;
        Render.Builder render = Render.builder(network).options(options()).technique("fooling image")
                .stopWhen((NDArray logits) -> logits.argMax(1).toType(DataType.INT32, false).eq(t).all())
                .title("fooling → " + Labels.name(network, t) + " · " + budget);
        Tensor original = input;
        if (budget.limited()) {
            Start start = start(input);
            original = start.normalized();
            render.objective(Objective.classLogProb(t)).parameterization(perturbation(start.pixels()))
                    .constraints(inBudget(start.pixels())).optimizer(projectedSteps());
        } else {
            render.objective(Objective.classLogit(t)).parameterization(Parameterization.pixels(input))
                    .constraints(Constraint.clip(network.preprocessing())).optimizer(Optimizer.normalized(lr));
        }
        RenderResult r = render.run();
        Tensor fooled = r.lastTensor();
        return LastResults.keep(new FoolingResult(network.preprocessing(), network.info().labels(), original, fooled,
                FoolingResult.softmax(logits(original)), FoolingResult.softmax(logits(fooled)), t, r.steps(), budget,
                r.interrupted()));
    }

    /**
     * Fools every picture toward {@code targetOf.applyAsInt(i)} (i its index in {@code pictures}) with these
     * settings, and reports how often it worked. Pictures the network already puts in their target class are
     * counted apart, not as successes. Interrupting stops between pictures (the picture under way is dropped); the
     * pictures done are returned and kept in {@link LastResults}, also when the run ends in an error. With
     * {@code live(true)} a progress bar counts the pictures.
     */
    public FoolingStudy successRate(List<BufferedImage> pictures, IntUnaryOperator targetOf) {
        List<FoolingStudy.Row> rows = new ArrayList<>();
        Progress bar = live() ? Progress.of(pictures.size(), "fooling at " + budget) : null;
        FoolingStudy study;
        try {
            for (int i = 0; i < pictures.size() && !Thread.currentThread().isInterrupted(); i++) {
                FoolingResult r = copy().image(pictures.get(i)).target(targetOf.applyAsInt(i)).run();
                if (r.interrupted()) {
                    // the render took the interrupt (and cleared the flag); a half-attacked picture is not counted
                    break;
                }
                rows.add(FoolingStudy.Row.of(i, r));
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
            study = LastResults.keep(new FoolingStudy(network.label(), network.info().labels(), budget, steps(),
                    pictures.size(), rows));
        }
        return study;
    }

    /** {@link #successRate(List, IntUnaryOperator)} with one target class for every picture. */
    public FoolingStudy successRate(List<BufferedImage> pictures, String targetLabel) {
        int t = Labels.index(network, targetLabel);
        return successRate(pictures, i -> t);
    }

    /** These settings for one more picture, without the live figure. */
    private FoolingImage copy() {
        FoolingImage c = new FoolingImage(network).budget(budget).lr(lr).options(options().withLive(false));
        c.stepSize = stepSize;
        return c;
    }

    /** The input's pixels, clamped to [0, 1], and the normalized input made from them. */
    private record Start(Tensor pixels, Tensor normalized) {
    }

    private Start start(Tensor normalizedInput) {
        try (NDManager m = network.newScope()) {
            NDArray px = normalizedInput.toNDArray(m).mul(channels(m, true)).add(channels(m, false)).clip(0, 1);
            return new Start(Tensor.from(px), Tensor.from(px.sub(channels(m, false)).div(channels(m, true))));
        }
    }

    /** The perturbation in pixel units is the parameter, starting at zero; the image is the original plus it. */
    private Parameterization perturbation(Tensor originalPixels) {
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] shape, Random random) {
                return manager.zeros(new Shape(shape));
            }

            @Override
            public NDArray toImage(NDArray delta) {
                NDManager m = delta.getManager();
                return originalPixels.toNDArray(m).add(delta).sub(channels(m, false)).div(channels(m, true));
            }

            @Override
            public long[] shape() {
                return originalPixels.shape();
            }
        };
    }

    /**
     * Into the budget, then into [0, 1]: clamping the picture only shrinks each pixel's change, so the result stays
     * in the ball (for L∞ it is the exact projection onto both).
     */
    private Constraint inBudget(Tensor originalPixels) {
        return (delta, step) -> {
            NDArray o = originalPixels.toNDArray(delta.getManager());
            return budget.project(delta).maximum(o.neg()).minimum(o.neg().add(1f));
        };
    }

    private Optimizer projectedSteps() {
        double size = Double.isNaN(stepSize) ? budget.eps() / 4 : stepSize;
        return new Optimizer() {
            @Override
            public Stepper start() {
                return (delta, g, loss, keep) -> delta.sub(budget.step(g, size));
            }

            @Override
            public String describe() {
                return "projected gradient steps of " + size + " in " + budget;
            }
        };
    }

    private NDArray channels(NDManager m, boolean std) {
        float[] v = std ? network.preprocessing().std() : network.preprocessing().mean();
        return m.create(v, new Shape(1, v.length, 1, 1));
    }

    private float[] logits(Tensor x) {
        return network.logits(x).slice(0).toFloatArray();
    }
}
