package dev.neurolens.optimize;

import dev.neurolens.model.Network;
import dev.neurolens.run.RunBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Class visualization (Simonyan et al. 2014, as in CS231n): gradient ascent on an image to maximize one
 * class's score, with L2 decay, jitter, periodic Gaussian blur and pixel clipping keeping it natural.
 *
 * <pre>{@code ClassVisualization.of(net).target("Trouser").steps(200).run()}</pre>
 */
public final class ClassVisualization extends RunBuilder<ClassVisualization> {
    private final Network network;
    private int target = -1;
    private double lr = 0.05;
    private double l2 = 1.0;
    private double blurSigma = 0.6;
    private int blurEvery = 5;
    private int jitter = -1;
    private int size;
    private boolean lucid;
    private double decay = 1.5;
    private double tv = 0.5;

    private ClassVisualization(Network network) {
        super(200);
        this.network = network;
        this.size = network.preprocessing().crop();
    }

    public static ClassVisualization of(Network network) {
        return new ClassVisualization(network);
    }

    /** The class by index. */
    public ClassVisualization target(int classIndex) {
        int n = network.info().labels().size();
        if (classIndex < 0 || (n > 0 && classIndex >= n)) {
            throw new IllegalArgumentException("class " + classIndex + " out of range: " + network.name() + " has "
                    + n + " classes (0 … " + (n - 1) + ")");
        }
        this.target = classIndex;
        return this;
    }

    /** The class by label (exact, else the unique label containing it, ignoring case). */
    public ClassVisualization target(String label) {
        return target(Labels.index(network, label));
    }

    /** Adam's learning rate in normalized input space. */
    public ClassVisualization lr(double v) {
        this.lr = v;
        return this;
    }

    /** Weight of the L2 decay term (on pixel values in [0, 1], so it pulls toward black). */
    public ClassVisualization l2(double weight) {
        this.l2 = weight;
        return this;
    }

    /** Gaussian blur of {@code sigma} pixels every {@code every} steps; sigma 0 turns it off. */
    public ClassVisualization blur(double sigma, int every) {
        this.blurSigma = sigma;
        this.blurEvery = every;
        return this;
    }

    /** Random shift of up to this many pixels per step (default: size / 28). */
    public ClassVisualization jitter(int pixels) {
        this.jitter = pixels;
        return this;
    }

    /**
     * Lucid's recipe instead of CS231n's (Olah et al., Distill 2017): the picture is parameterized by its spatial
     * frequencies scaled by 1 / f^1.5 through a sigmoid ({@link Parameterization#spectral}), each step sees it
     * randomly rotated (up to 10 degrees), scaled (0.9 to 1.1) and shifted ({@link Transform#affine}), and total
     * variation (weight 0.5) replaces the blur, the L2 decay and the clipping.
     */
    public ClassVisualization lucid() {
        this.lucid = true;
        return this;
    }

    /** With {@link #lucid()}: the frequency decay of the parameterization and the total-variation weight. */
    public ClassVisualization lucid(double decay, double tvWeight) {
        if (decay < 0 || tvWeight < 0) {
            throw new IllegalArgumentException("decay and total-variation weight must be >= 0, got " + decay + " and "
                    + tvWeight);
        }
        this.lucid = true;
        this.decay = decay;
        this.tv = tvWeight;
        return this;
    }

    public ClassVisualization size(int pixels) {
        this.size = pixels;
        return this;
    }

    /** The grey level both recipes start from: near black, which data sets with dark backgrounds and ImageNet tolerate. */
    private static final double START = 0.1;

    /** Black plus a little noise: the start that data sets with dark backgrounds (and ImageNet) both tolerate. */
    private dev.neurolens.model.Tensor blackStart() {
        dev.neurolens.model.Preprocessing p = network.preprocessing();
        int c = p.channels();
        float[] mean = p.mean();
        float[] std = p.std();
        java.util.Random r = new java.util.Random(seed());
        float[] v = new float[c * size * size];
        for (int i = 0; i < v.length; i++) {
            int ch = i / (size * size);
            float px = (float) Math.max(0, START + 0.05 * r.nextGaussian());
            v[i] = (px - mean[ch]) / std[ch];
        }
        return dev.neurolens.model.Tensor.of(v, 1, c, size, size);
    }

    public RenderResult run() {
        if (target < 0) {
            throw new IllegalStateException("no target class: call target(index) or target(\"label\")");
        }
        String title = "class " + target + " \"" + Labels.name(network, target) + "\" · " + network.label();
        if (lucid) {
            Objective o = Objective.classLogit(target);
            if (tv > 0) {
                o = o.plus(Objective.tv().times(tv));
            }
            return Render.builder(network).objective(o)
                    .parameterization(Parameterization.spectral(network.preprocessing(), decay, START))
                    .size(size, size).transforms(Transform.affine(10, 0.9, 1.1, Math.max(1, size / 14)))
                    .optimizer(Optimizer.adam(lr)).options(options()).technique("class visualization")
                    .title(title + " · Lucid").run();
        }
        List<Constraint> c = new ArrayList<>();
        c.add(Constraint.clip(network.preprocessing()));
        if (blurSigma > 0) {
            c.add(Constraint.blur(blurSigma, blurEvery));
        }
        int j = jitter >= 0 ? jitter : Math.max(1, size / 28);
        Objective o = Objective.classLogit(target);
        if (l2 > 0) {
            o = o.plus(Objective.l2(network.preprocessing()).times(l2));
        }
        return Render.builder(network).objective(o).parameterization(Parameterization.pixels(blackStart()))
                .size(size, size).transforms(Transform.jitter(j)).constraints(c.toArray(Constraint[]::new))
                .optimizer(Optimizer.adam(lr)).options(options())
                .technique("class visualization")
                .title(title).run();
    }
}
