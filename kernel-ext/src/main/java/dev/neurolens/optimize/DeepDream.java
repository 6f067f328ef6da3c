package dev.neurolens.optimize;

import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
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

/**
 * DeepDream (Mordvintsev et al. 2015): amplify whatever a layer already sees in a picture by gradient ascent
 * on its mean squared activation, over several octaves (scales) from small to full size, carrying the
 * details found at each scale up to the next; jitter between steps.
 *
 * <pre>{@code DeepDream.of(net).image(photo).layer("fire7").octaves(3).run()}</pre>
 *
 * <p>or, guided toward a class, {@code DeepDream.of(net).image(photo).target("building").run()}.
 */
public final class DeepDream extends RunBuilder<DeepDream> {
    private static final String TECHNIQUE = "DeepDream";
    private final Network network;
    private BufferedImage picture;
    private String layer;
    private int target = -1;
    private int size = 224;
    private int octaves = 3;
    private double octaveScale = 1.4;
    private double lr = 0.03;
    private int jitter = 8;

    private DeepDream(Network network) {
        super(10);
        this.network = network;
    }

    public static DeepDream of(Network network) {
        return new DeepDream(network);
    }

    public DeepDream image(BufferedImage image) {
        this.picture = image;
        return this;
    }

    public DeepDream layer(String name) {
        network.resolve(name);
        this.layer = name;
        this.target = -1;
        return this;
    }

    /**
     * A guided dream: ascend one class's score (its logit, which never saturates) instead of a layer's energy, so the picture grows what the
     * network takes for that class (its roofs, its trees) wherever it half sees them. Replaces {@link #layer}.
     */
    public DeepDream target(String label) {
        this.target = Labels.index(network, label);
        this.layer = null;
        return this;
    }

    /** Longer side of the output. */
    public DeepDream size(int longSide) {
        this.size = longSide;
        return this;
    }

    public DeepDream octaves(int n) {
        this.octaves = Check.atLeastOne("octaves", n);
        return this;
    }

    public DeepDream octaveScale(double s) {
        this.octaveScale = s;
        return this;
    }

    /** Mean per-pixel step, normalized input space. */
    public DeepDream lr(double v) {
        this.lr = v;
        return this;
    }

    public DeepDream jitter(int pixels) {
        this.jitter = pixels;
        return this;
    }

    public RenderResult run() {
        if (picture == null || (layer == null && target < 0)) {
            throw new IllegalStateException("set image(...) and layer(...) or target(...) before run()");
        }
        Tensor base = Inputs.checkFinite(Inputs.image(picture, network.preprocessing(), size), "the image");
        int h = (int) base.dim(2);
        int w = (int) base.dim(3);
        String title = "DeepDream " + (target >= 0 ? "→ " + Labels.name(network, target) : layer) + " · "
                + network.label();
        Objective objective = target >= 0 ? Objective.classLogit(target) : Objective.layer(layer);
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        Progress bar = live() ? Progress.of((long) steps() * octaves, title) : null;
        Tensor detail = null;
        RenderResult r = null;
        Map<String, List<Double>> history = new LinkedHashMap<>();
        int done = 0;
        long started = System.nanoTime();
        try {
            for (int o = octaves - 1; o >= 0; o--) {
                double f = Math.pow(octaveScale, o);
                int oh = Math.max(8, (int) Math.round(h / f));
                int ow = Math.max(8, (int) Math.round(w / f));
                Tensor octaveBase = LayerDefaults.resize(network, base, oh, ow);
                Tensor start = detail == null ? octaveBase
                        : add(octaveBase, LayerDefaults.resize(network, detail, oh, ow));
                Render.Builder rb = Render.builder(network).objective(objective)
                        .parameterization(Parameterization.pixels(start)).transforms(Transform.jitter(jitter))
                        .constraints(Constraint.clip(network.preprocessing())).optimizer(Optimizer.normalized(lr))
                        .steps(steps()).seed(seed() + o).title(title).live(false).technique(TECHNIQUE);
                if (options().listener() != null) {
                    // one run's frames: steps counted over all octaves
                    int before = done;
                    rb.listener(options().listenEvery(), frame -> new Frame(TECHNIQUE,
                            before + frame.step(), steps() * octaves, frame.values(), frame::picture)
                            .deliverTo(options().listener()));
                }
                if (live()) {
                    rb.display(figure, bar, "octave " + (octaves - o) + "/" + octaves + ", step");
                }
                try {
                    r = rb.run();
                } catch (NonFiniteException e) {
                    // the octave kept its pictures up to its last good step; the dream so far is that picture
                    RenderResult octave = (RenderResult) e.lastGood();
                    int octaveNumber = octaves - o;
                    NonFiniteException whole = e.as(TECHNIQUE, done + e.step());
                    if (octave == null) {
                        throw whole.keeping(null, "nothing was kept (octave " + octaveNumber + " failed at its start)",
                                Render.ADVICE);
                    }
                    collect(history, octave);
                    // steps() counts the steps whose loss was finite, the last of them the kept picture
                    int kept = done + octave.steps() - 1;
                    RenderResult out = result(title, base, LayerDefaults.resize(network, octave.lastTensor(), h, w),
                            history, done + octave.steps(), false, octave.note(), started, figure);
                    LastResults.keep(out);
                    throw whole.keeping(out, "the last good picture (step " + kept + ", octave " + octaveNumber
                            + " of " + octaves + ") is kept in Render.lastResult()", Render.ADVICE);
                }
                collect(history, r);
                done += r.steps();
                detail = sub(r.lastTensor(), octaveBase);
                if (r.interrupted()) {
                    break;
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        RenderResult out = result(title, base, r.lastTensor(), history, done, r.interrupted(), r.note(), started,
                figure);
        return LastResults.keep(out);
    }

    private static void collect(Map<String, List<Double>> history, RenderResult r) {
        for (var e : r.losses().entrySet()) {
            List<Double> l = history.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            for (double v : e.getValue()) {
                l.add(v);
            }
        }
    }

    private RenderResult result(String title, Tensor base, Tensor picture, Map<String, List<Double>> history, int done,
                                boolean interrupted, String note, long started, LiveDisplay figure) {
        Map<String, double[]> hist = new LinkedHashMap<>();
        history.forEach((k, v) -> hist.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        RenderResult out = new RenderResult(title, network.preprocessing(), picture, picture, hist, done,
                steps() * octaves, done - 1, interrupted, note, (System.nanoTime() - started) / 1e9, List.of(),
                List.of(network.preprocessing().toImage(base)), List.of("original"));
        if (figure != null) {
            figure.finish(out.mimeBundle());
        }
        return out;
    }

    private static Tensor add(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] += b.getFlat(i);
        }
        return Tensor.of(x, a.shape());
    }

    private static Tensor sub(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] -= b.getFlat(i);
        }
        return Tensor.of(x, a.shape());
    }
}
