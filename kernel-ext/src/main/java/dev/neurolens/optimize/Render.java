package dev.neurolens.optimize;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.neurolens.display.Images;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The render loop that every recipe uses: an {@link Objective}, a {@link Parameterization}, {@link Transform}s
 * and {@link Constraint}s, an {@link Optimizer}, run for a number of steps. Each step lives in its own native
 * scope. The picture updates live beside the loss curves with a progress bar and ETA; the last frame stays in
 * the notebook.
 *
 * <p>Interrupting (the kernel's Thread.interrupt) ends the loop at the next step and returns the best image so
 * far; the kernel discards an interrupted cell's value, so the live frame shows it and {@link #lastResult()}
 * hands it back in the next cell. A loss term, the gradient or the picture that becomes NaN or infinite stops the
 * loop with a {@link NonFiniteException} naming the technique, the step and the quantity; the pictures up to the last
 * good one are kept in {@link #lastResult()} (and shown in the live figure), never a NaN picture.
 *
 * <pre>{@code
 * RenderResult r = Render.builder(net).objective(Objective.channel("fire6", 3))
 *         .transforms(Transform.jitter(8)).optimizer(Optimizer.adam(0.05)).steps(200).run();
 * }</pre>
 */
public final class Render {
    /** What a stop on NaN or infinity suggests, for every recipe built on this loop. */
    static final String ADVICE = "Try a lower learning rate (optimizer(...)) or smaller loss weights";

    private Render() {
    }

    public static Builder builder(Network network) {
        return new Builder(network);
    }

    /**
     * The result of the most recent render in this JVM, also when it was interrupted or stopped on a NaN (then it
     * holds the pictures up to the last good step); null before any.
     */
    public static RenderResult lastResult() {
        return LastResults.of(RenderResult.class);
    }

    public static final class Builder extends RunBuilder<Builder> {
        private final Network network;
        private Objective objective;
        private Parameterization parameterization;
        private final List<Transform> transforms = new ArrayList<>();
        private final List<Constraint> constraints = new ArrayList<>();
        private Optimizer optimizer = Optimizer.adam(0.05);
        private int batch = 1;
        private int height;
        private int width;
        private String title;
        private Function<NDArray, NDArray> stopWhen;
        private List<BufferedImage> extraImages = List.of();
        private List<String> extraCaptions = List.of();
        private LiveDisplay sharedLive;
        private Progress sharedProgress;
        private String stepLabel = "step";
        private String technique = "render";

        private Builder(Network network) {
            super(100);
            this.network = network;
            Preprocessing p = network.preprocessing();
            this.height = p.crop();
            this.width = p.crop();
        }

        public Builder objective(Objective o) {
            this.objective = o;
            return this;
        }

        public Builder parameterization(Parameterization p) {
            this.parameterization = p;
            return this;
        }

        public Builder transforms(Transform... t) {
            transforms.addAll(List.of(t));
            return this;
        }

        public Builder constraints(Constraint... c) {
            constraints.addAll(List.of(c));
            return this;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        /** Images optimized together (for the diversity term); ignored when the parameterization fixes a shape. */
        public Builder batch(int n) {
            this.batch = n;
            return this;
        }

        /** Image size when the parameterization does not fix it. */
        public Builder size(int h, int w) {
            if (h < 1 || w < 1) {
                throw new IllegalArgumentException("size must be positive, got " + h + "x" + w);
            }
            this.height = h;
            this.width = w;
            return this;
        }

        public Builder title(String t) {
            this.title = t;
            return this;
        }

        /** The technique's name in error messages ("style transfer"); default "render". */
        public Builder technique(String name) {
            this.technique = name;
            return this;
        }

        /** Stops early when this returns a true scalar for the network's output (e.g. fooling succeeded). */
        public Builder stopWhen(Function<NDArray, NDArray> test) {
            this.stopWhen = test;
            return this;
        }

        /** Pictures shown beside the one being optimized (the content image, the style), with captions. */
        public Builder alongside(List<BufferedImage> images, List<String> captions) {
            this.extraImages = List.copyOf(images);
            this.extraCaptions = List.copyOf(captions);
            return this;
        }

        /**
         * Draws into a figure and progress bar that the caller owns (a recipe running several renders, such as
         * DeepDream's octaves, in one figure); they are left open.
         */
        public Builder display(LiveDisplay figure, Progress bar, String label) {
            this.sharedLive = figure;
            this.sharedProgress = bar;
            this.stepLabel = label;
            return live(true);
        }

        public RenderResult run() {
            if (objective == null) {
                throw new IllegalStateException("no objective: call objective(...) before run()");
            }
            objective.validate(network);
            return LastResults.keep(new Loop(this).run());
        }
    }

    /** One run of the loop. */
    private static final class Loop {
        private final Builder b;
        private final Preprocessing pre;
        private final String title;
        private final Map<String, List<Double>> history = new LinkedHashMap<>();
        private final List<BufferedImage> frames = new ArrayList<>();

        Loop(Builder b) {
            this.b = b;
            this.pre = b.network.preprocessing();
            this.title = b.title != null ? b.title : b.objective.toString();
        }

        RenderResult run() {
            Parameterization param = b.parameterization != null ? b.parameterization : Parameterization.pixels(0.1);
            long[] shape = param.shape() != null ? param.shape()
                    : new long[] {b.batch, pre.channels(), b.height, b.width};
            List<String> layers = new ArrayList<>(b.objective.layers());
            boolean needOutput = layers.remove(Network.OUTPUT) || b.stopWhen != null;
            Forward spec = layers.isEmpty() ? Forward.plain() : Forward.capture(layers.toArray(String[]::new));
            if (needOutput) {
                spec = spec.toOutput();
            }
            Random random = new Random(b.seed());
            Optimizer.Stepper stepper = b.optimizer.start();
            long started = System.nanoTime();
            int done = 0;
            boolean interrupted = false;
            String note = null;
            double bestLoss = Double.POSITIVE_INFINITY;
            int bestStep = -1;
            int goodStep = -1;
            NonFiniteException failure = null;
            Tensor bestTensor = null;
            Tensor lastTensor = null;
            boolean shared = b.sharedLive != null;
            LiveDisplay live = shared ? b.sharedLive : b.live() ? LiveDisplay.create() : null;
            Progress progress = shared ? b.sharedProgress : b.live() ? Progress.of(b.steps(), title) : null;
            try (NDManager root = b.network.newScope()) {
                ObjectiveInput.Constants constants = new ObjectiveInput.Constants(root);
                NDArray p = param.init(root, shape, random);
                NDArray best = null;
                // the parameters whose loss was last seen finite: the picture kept when a later step goes bad
                NDArray good = null;
                try {
                    for (int step = 0; step < b.steps(); step++) {
                        if (Thread.interrupted()) {
                            interrupted = true;
                            note = "interrupted at step " + step;
                            break;
                        }
                        boolean stop = false;
                        try (NDManager s = root.newSubManager()) {
                            NDArray x = p.duplicate();
                            x.attach(s);
                            x.setRequiresGradient(true);
                            Map<String, Float> values = new LinkedHashMap<>();
                            float loss;
                            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                NDArray img = param.toImage(x);
                                NDArray in = img;
                                for (Transform t : b.transforms) {
                                    in = t.apply(in, random);
                                }
                                Map<String, NDArray> out = b.network.forward(in, spec);
                                Map<String, NDArray> terms = b.objective.evaluate(new ObjectiveInput(img, out, constants));
                                NDArray total = null;
                                for (var e : terms.entrySet()) {
                                    float v = e.getValue().getFloat();
                                    NonFiniteException.check(v, b.technique, termName(e.getKey(), terms.size()), step);
                                    values.put(e.getKey(), v);
                                    total = total == null ? e.getValue() : total.add(e.getValue());
                                }
                                // finite terms can still sum to infinity
                                loss = NonFiniteException.check(total.getFloat(), b.technique, "the total loss", step);
                                if (b.stopWhen != null && b.stopWhen.apply(out.get(Network.OUTPUT)).getBoolean()) {
                                    stop = true;
                                }
                                if (!stop) {
                                    gc.backward(total);
                                }
                            }
                            if (good != null && good != p) {
                                good.close();
                            }
                            good = p;
                            goodStep = step;
                            for (var e : values.entrySet()) {
                                history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((double) e.getValue());
                            }
                            if (values.size() > 1) {
                                history.computeIfAbsent("total", k -> new ArrayList<>()).add((double) loss);
                            }
                            NDArray imgNow = param.toImage(x.stopGradient());
                            if (loss < bestLoss || stop) {
                                bestLoss = loss;
                                bestStep = step;
                                NDArray copy = imgNow.duplicate();
                                copy.attach(root);
                                if (best != null) {
                                    best.close();
                                }
                                best = copy;
                            }
                            done = step + 1;
                            if (stop) {
                                note = "stopped at step " + step + ": goal reached";
                                Tensor now = Tensor.from(imgNow);
                                record(now);
                                break;
                            }
                            NDArray gradient = NonFiniteException.check(x.getGradient(), b.technique,
                                    "the gradient of the picture", step);
                            NDArray next = stepper.step(x.stopGradient(), gradient, loss, root);
                            for (Constraint c : b.constraints) {
                                next = c.apply(next, step);
                            }
                            NonFiniteException.check(next, b.technique, "the picture", step + 1);
                            next.attach(root);
                            // p stays alive as the last good picture until the next step's loss is known
                            p = next;
                            if (b.options().records(step)) {
                                record(Tensor.from(imgNow));
                            }
                            final int st = step;
                            final float ls = loss;
                            if (live != null) {
                                NDArray shown = p;
                                // runs now or never: close() is not used on this display, finish() replaces it
                                live.update(() -> {
                                    try (NDManager t = root.newSubManager()) {
                                        NDArray c = shown.duplicate();
                                        c.attach(t);
                                        return frameBundle(Tensor.from(param.toImage(c)), st + 1, ls);
                                    }
                                });
                                if (progress != null) {
                                    progress.set("loss", ls).step();
                                }
                            }
                            if (b.options().listensAt(step)) {
                                NDArray shown = p;
                                Map<String, Double> tracked = new LinkedHashMap<>();
                                values.forEach((k, v) -> tracked.put(k, (double) v));
                                new Frame(b.technique, st + 1, b.steps(), tracked, () -> {
                                    try (NDManager t = root.newSubManager()) {
                                        NDArray c = shown.duplicate();
                                        c.attach(t);
                                        return RenderResult.pictures(Tensor.from(param.toImage(c)), pre).get(0);
                                    }
                                }).deliverTo(b.options().listener());
                            }
                        } catch (ThreadDeath death) {
                            // a stock kernel's hard stop (IJava on Java 17 calls Thread.stop): keep what we have
                            interrupted = true;
                            note = "stopped at step " + step;
                            break;
                        }
                    }
                } catch (NonFiniteException e) {
                    failure = e;
                }
                NDArray kept = failure == null ? p : good;
                if (kept != null) {
                    try (NDManager s = root.newSubManager()) {
                        lastTensor = Tensor.from(param.toImage(kept));
                    }
                    bestTensor = best == null ? lastTensor : Tensor.from(best);
                }
            } catch (RuntimeException e) {
                if (progress != null && !shared) {
                    progress.close();
                }
                throw e;
            }
            if (failure != null && lastTensor == null) {
                // nothing good to show: the first evaluation already failed
                if (live != null && !shared) {
                    progress.close();
                }
                throw failure.keeping(null, "nothing was kept (the start already failed)", ADVICE);
            }
            if (failure != null) {
                note = failure.quantity() + " became " + failure.value() + " at step " + failure.step()
                        + "; kept the pictures up to step " + goodStep;
            }
            if (b.recordEvery() > 0 && (frames.isEmpty() || done % b.recordEvery() != 1)) {
                record(lastTensor);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, double[]> hist = new LinkedHashMap<>();
            history.forEach((k, v) -> hist.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
            RenderResult result = new RenderResult(title, pre, bestTensor, lastTensor, hist, done, b.steps(),
                    bestStep, interrupted, note, seconds, frames, b.extraImages, b.extraCaptions);
            if (live != null && !shared) {
                live.finish(result.mimeBundle());
                progress.close();
            }
            if (failure != null) {
                LastResults.keep(result);
                throw failure.keeping(result, "the last good picture (step " + goodStep
                        + ") is kept in Render.lastResult()", ADVICE);
            }
            return result;
        }

        /** How a term is called in an error: the loss itself when it is the only term. */
        private static String termName(String term, int terms) {
            return terms == 1 ? "the loss (" + term + ")" : "the " + term + " loss";
        }

        private void record(Tensor image) {
            frames.add(RenderResult.pictures(image, pre).get(0));
        }

        private MimeBundle frameBundle(Tensor image, int step, float loss) {
            List<BufferedImage> imgs = new ArrayList<>(b.extraImages);
            List<String> caps = new ArrayList<>(b.extraCaptions);
            List<BufferedImage> pics = RenderResult.pictures(image, pre);
            imgs.addAll(pics);
            for (int i = 0; i < pics.size(); i++) {
                caps.add(b.stepLabel + " " + step);
            }
            Map<String, double[]> hist = new LinkedHashMap<>();
            history.forEach((k, v) -> hist.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
            BufferedImage f = Figures.frame(String.format(Locale.ROOT, "%s · step %d/%d · loss %.4g", title, step,
                    b.steps(), loss), imgs, caps, Figures.lossChart(hist, b.steps(), "loss"));
            return MimeBundle.png(Images.toPng(f), title + " (step " + step + ")");
        }
    }
}
