package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;

/**
 * Fooling images (Szegedy et al. 2014, as in CS231n): nudge a correctly classified image toward another class
 * with small gradient steps on that class's score until the network says the target class, keeping pixels
 * valid. The change is usually invisible; {@link FoolingResult} shows it magnified.
 *
 * <pre>{@code FoolingImage.of(net).image(shirt).target("Bag").run()}</pre>
 */
public final class FoolingImage extends RunBuilder<FoolingImage> {
    private final Network network;
    private Tensor input;
    private int target = -1;
    private double lr = 0.003;

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

    /** Give up after this many steps: the same as {@code steps(n)}. */
    public FoolingImage maxSteps(int n) {
        return steps(n);
    }

    /** Mean per-pixel step in normalized input space. */
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
        float[] before = logits(input);
        int t = target;
        RenderResult r = Render.builder(network).objective(Objective.classLogit(t))
                .parameterization(Parameterization.pixels(input)).constraints(Constraint.clip(network.preprocessing()))
                .optimizer(Optimizer.normalized(lr)).options(options()).technique("fooling image")
                .stopWhen((NDArray logits) -> logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false)
                        .eq(t).all())
                .title("fooling → " + Labels.name(network, t)).run();
        Tensor fooled = r.lastTensor();
        float[] after = logits(fooled);
        return LastResults.keep(new FoolingResult(network.preprocessing(), network.info().labels(), input, fooled,
                FoolingResult.softmax(before), FoolingResult.softmax(after), t, r.steps()));
    }

    private float[] logits(Tensor x) {
        return network.logits(x).slice(0).toFloatArray();
    }
}
