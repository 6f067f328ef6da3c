package dev.neurolens.optimize;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import dev.neurolens.model.WeightStore;
import dev.neurolens.model.WeightsException;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fast style transfer (Johnson, Alahi &amp; Fei-Fei 2016): a feed-forward network trained so that one pass
 * stylizes any picture. {@link #pretrained} fetches pytorch/examples' four models; {@link #builtin} is one trained
 * here without pretrained weights; {@link #train} trains a new one on your pictures (several styles at once with
 * conditional instance norm, blendable afterwards).
 *
 * <pre>{@code
 * FastStyleModel m = FastStyle.train(vgg).styles(starry, mosaic).content(photos).steps(300).size(128).run();
 * m.stylize(photo, 0.5, 0.5)
 * }</pre>
 */
public final class FastStyle {
    private static final String TECHNIQUE = "fast-style training";
    private static final String ADVICE = "Try a lower lr(...) or a smaller style weight";
    /** pytorch/examples' download_saved_models.py archive: saved_models/{candy,mosaic,rain_princess,udnie}.pth. */
    public static final String PRETRAINED_URL = "https://www.dropbox.com/s/lrvwfehqdcxoza8/saved_models.zip?dl=1";
    public static final List<String> PRETRAINED = List.of("candy", "mosaic", "rain_princess", "udnie");

    private FastStyle() {
    }

    /**
     * A pretrained style by name: from NEUROLENS_WEIGHTS or the cache ({@code fast_style/NAME.pth}), else
     * downloaded from {@link #PRETRAINED_URL} into the cache. Throws {@link WeightsException} with one line
     * saying where to put the file when none of that works (e.g. offline).
     */
    public static FastStyleModel pretrained(String name) {
        if (!PRETRAINED.contains(name)) {
            throw new IllegalArgumentException("no pretrained fast style '" + name + "'; known: "
                    + String.join(", ", PRETRAINED));
        }
        String local = System.getenv("NEUROLENS_WEIGHTS");
        if (local != null && !local.isBlank()) {
            Path p = Path.of(local, name + ".pth");
            if (Files.isRegularFile(p)) {
                return load(p, name);
            }
        }
        Path dir = WeightStore.fromEnvironment().cacheDir().resolve("fast_style");
        Path cached = dir.resolve(name + ".pth");
        if (!Files.isRegularFile(cached)) {
            boolean offline = "true".equalsIgnoreCase(System.getenv("NEUROLENS_OFFLINE"))
                    || Boolean.getBoolean("ai.djl.offline") || "true".equalsIgnoreCase(System.getenv("DJL_OFFLINE"));
            String where = "put " + name + ".pth from " + PRETRAINED_URL + " into " + dir
                    + " (or NEUROLENS_WEIGHTS), or train one with FastStyle.train(...)";
            if (offline) {
                throw new WeightsException("fast-style weights '" + name + "' are not here and offline mode is on: "
                        + where);
            }
            try {
                downloadArchive(dir);
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new WeightsException("fast-style weights '" + name + "' could not be downloaded ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                        + "): " + where, e);
            }
            if (!Files.isRegularFile(cached)) {
                throw new WeightsException("the archive from " + PRETRAINED_URL + " had no " + name + ".pth: " + where);
            }
        }
        return load(cached, name);
    }

    /** The built-in network's resource, written by {@code dev.neurolens.train.TrainFastStyle}. */
    static final String BUILTIN = "fast_style_builtin.safetensors";
    /** The styles of the built-in network, as sample names ({@code Samples.image}). */
    public static final List<String> BUILTIN_STYLES = List.of("starry_night", "coffee");

    /**
     * A fast-style network trained here with no pretrained weights: two styles (The Starry Night and the coffee
     * photo) in one network with conditional instance norm, its loss from the random multi-scale texture features,
     * 3000 steps on the four sample photos (how: {@code dev.neurolens.train.TrainFastStyle}). Works offline; its
     * title says what it is.
     */
    public static FastStyleModel builtin() {
        byte[] bytes;
        try (InputStream in = FastStyle.class.getResourceAsStream(BUILTIN)) {
            if (in == null) {
                throw new WeightsException("the built-in fast-style network " + BUILTIN + " is not in the jar; "
                        + "rebuild Neurolens (mvn package)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new WeightsException("cannot read the built-in fast-style network: " + e.getMessage(), e);
        }
        List<BufferedImage> pictures = new ArrayList<>();
        for (String name : BUILTIN_STYLES) {
            pictures.add(Inputs.resizeLong(dev.neurolens.data.Samples.image(name), 160));
        }
        return FastStyleModel.load(bytes, "built-in, trained here on random multi-scale features")
                .withStylePictures(pictures);
    }

    private static FastStyleModel load(Path p, String name) {
        return FastStyleModel.load(p).withStyleNames(name);
    }

    private static void downloadArchive(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(PRETRAINED_URL))
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        try (ZipInputStream zip = new ZipInputStream(r.body())) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String file = Path.of(e.getName()).getFileName().toString();
                if (file.endsWith(".pth")) {
                    Path part = dir.resolve(file + ".part");
                    Files.copy(zip, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * The model of the most recent training run in this JVM, also when it was interrupted or stopped on a NaN (then
     * the weights of its last good step); null before any.
     */
    public static FastStyleModel lastModel() {
        return LastResults.of(FastStyleModel.class);
    }

    /** Starts a training run with {@code lossNetwork} supplying the content and style features. */
    public static Trainer train(Network lossNetwork) {
        return new Trainer(lossNetwork);
    }

    /** Training settings; {@link #run} trains and returns the model. */
    public static final class Trainer extends RunBuilder<Trainer> {
        private final Network loss;
        private final List<BufferedImage> styles = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final List<BufferedImage> content = new ArrayList<>();
        private int batch = 2;
        private int size = 128;
        private int styleSize = 0;
        private double lr = 1e-3;
        private boolean residual = true;
        private double contentWeight = 1;
        private double styleWeight = 10;
        private double tvWeight = 1e-2;
        private String contentLayer;
        private List<String> styleLayers;
        private java.io.PrintStream log;
        private int width = TransformerNet.WIDTH;
        private FastStyleModel start;
        private double outputLr = 20;
        private boolean leakyRelu = true;
        /** What this run uses: the start model's activation, else {@link #leakyRelu}. */
        private boolean leaky;

        private Trainer(Network loss) {
            super(200);
            this.loss = loss;
        }

        /** The style pictures; more than one trains a conditional-instance-norm network. */
        public Trainer styles(BufferedImage... pictures) {
            styles.clear();
            names.clear();
            for (int i = 0; i < pictures.length; i++) {
                styles.add(pictures[i]);
                names.add("style " + (i + 1));
            }
            return this;
        }

        public Trainer styleNames(String... n) {
            if (n.length != styles.size()) {
                throw new IllegalArgumentException(n.length + " names for " + styles.size() + " styles");
            }
            names.clear();
            names.addAll(List.of(n));
            return this;
        }

        /** Training pictures; random square crops of them are used. */
        public Trainer content(List<BufferedImage> pictures) {
            content.clear();
            content.addAll(pictures);
            return this;
        }

        public Trainer batch(int n) {
            this.batch = n;
            return this;
        }

        /** Side of the square training crops. */
        public Trainer size(int px) {
            this.size = px;
            return this;
        }

        /** Longer side the style pictures are scaled to (default: 2 x the crop size). */
        public Trainer styleSize(int px) {
            this.styleSize = px;
            return this;
        }

        /**
         * Residual output (default on): the network's output is added to the photo, so training starts from the photo
         * and learns the change a style makes, which shows within tens of steps; off, it learns the whole picture
         * from nothing, as pytorch/examples does (and as its pretrained models need).
         */
        public Trainer residual(boolean on) {
            this.residual = on;
            return this;
        }

        public Trainer lr(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("lr must be a positive finite number, got " + v);
            }
            this.lr = v;
            return this;
        }

        public Trainer contentWeight(double w) {
            this.contentWeight = w;
            return this;
        }

        public Trainer styleWeight(double w) {
            this.styleWeight = w;
            return this;
        }

        public Trainer tvWeight(double w) {
            this.tvWeight = w;
            return this;
        }

        public Trainer contentLayer(String l) {
            loss.resolve(l);
            this.contentLayer = l;
            return this;
        }

        public Trainer styleLayers(String... l) {
            for (String s : l) {
                loss.resolve(s);
            }
            this.styleLayers = List.of(l);
            return this;
        }

        /** Headless runs: a line of losses to {@code out} every 25 steps (and at the end). */
        public Trainer log(java.io.PrintStream out) {
            this.log = out;
            return this;
        }

        /** Channels of the network's first layer for a fresh init (default 32 as pytorch/examples; 16 is lighter). */
        public Trainer width(int channels) {
            this.width = Check.atLeastOne("width", channels);
            return this;
        }

        /**
         * Learning-rate factor of the last convolution (default 20). The network's output is in [0, 255] pixels and
         * starts within a pixel of zero; with every other layer behind an instance norm, only this layer's weights
         * set how far the output can move, and at the common rate they need thousands of steps to grow enough for
         * strokes to show (runs here learned only colour casts).
         */
        public Trainer outputLr(double factor) {
            if (!(factor > 0 && Double.isFinite(factor))) {
                throw new IllegalArgumentException("outputLr must be a positive finite factor, got " + factor);
            }
            this.outputLr = factor;
            return this;
        }

        /**
         * Leaky ReLUs for a fresh network (default on): with ReLUs a style's instance-norm shifts can silence a whole
         * layer, and that style then stays the photo for good (one of two styles did within the first thousand
         * steps here). A start model keeps its own activation.
         */
        public Trainer leakyRelu(boolean on) {
            this.leakyRelu = on;
            return this;
        }

        /** Continue from these weights instead of a fresh init (same number of styles). */
        public Trainer from(FastStyleModel model) {
            this.start = model;
            return this;
        }

        public FastStyleModel run() {
            if (styles.isEmpty() || content.isEmpty()) {
                throw new IllegalStateException("set styles(...) and content(...) before run()");
            }
            int s = styles.size();
            FastStyleModel init = start != null ? start : FastStyleModel.random(s, width, seed());
            leaky = start != null ? start.leakyRelu() : leakyRelu;
            if (init.styles() != s) {
                throw new IllegalArgumentException("the start model has " + init.styles() + " styles, training has " + s);
            }
            String cl = contentLayer != null ? contentLayer : LayerDefaults.contentLayer(loss);
            List<String> sl = styleLayers != null ? styleLayers : LayerDefaults.styleLayers(loss);
            Preprocessing pre = loss.preprocessing();
            int ss = styleSize > 0 ? styleSize : 2 * size;
            List<Map<String, Tensor>> grams = new ArrayList<>();
            List<BufferedImage> stylePics = new ArrayList<>();
            for (BufferedImage st : styles) {
                Tensor t = Inputs.checkFinite(Inputs.image(st, pre, ss), "a style image");
                grams.add(LayerDefaults.grams(loss, t, sl));
                stylePics.add(Inputs.resizeLong(st, 160));
            }
            Random random = new Random(seed());
            Map<String, double[]> history = new LinkedHashMap<>();
            List<Double> contentHist = new ArrayList<>();
            List<Double> styleHist = new ArrayList<>();
            List<Double> tvHist = new ArrayList<>();
            BufferedImage preview = Inputs.resizeLong(content.get(0), size);
            String title = "training fast style (" + s + (s == 1 ? " style" : " styles") + ") · loss "
                    + loss.name();
            LiveDisplay figure = live() ? LiveDisplay.create() : null;
            Progress bar = live() ? Progress.of(steps(), title) : null;
            int done = 0;
            long started = System.nanoTime();
            boolean interrupted = false;
            NonFiniteException failure = null;
            int goodStep = -1;
            Optimizer.Stepper[] adam;
            try (NDManager root = loss.newScope()) {
                Map<String, NDArray> params = init.toNative(root);
                // the weights whose loss was last seen finite: the model kept when a later step goes bad
                Map<String, NDArray> good = null;
                List<String> keys = new ArrayList<>(params.keySet());
                adam = new Optimizer.Stepper[keys.size()];
                for (int i = 0; i < adam.length; i++) {
                    adam[i] = Optimizer.adam(keys.get(i).startsWith(TransformerNet.OUTPUT + ".") ? lr * outputLr : lr).start();
                }
                ObjectiveInput.Constants constants = new ObjectiveInput.Constants(root);
                NDArray mean = root.create(pre.mean(), new Shape(1, 3, 1, 1));
                NDArray std = root.create(pre.std(), new Shape(1, 3, 1, 1));
                List<String> captured = new ArrayList<>(sl);
                if (!captured.contains(cl)) {
                    captured.add(cl);
                }
                Forward spec = Forward.capture(captured.toArray(String[]::new));
                try {
                    for (int step = 0; step < steps(); step++) {
                        if (Thread.interrupted()) {
                            interrupted = true;
                            break;
                        }
                        int style = step % s;
                        try (NDManager m = root.newSubManager()) {
                            Map<String, NDArray> local = new LinkedHashMap<>();
                            for (String k : keys) {
                                NDArray a = params.get(k).duplicate();
                                a.attach(m);
                                a.setRequiresGradient(true);
                                local.put(k, a);
                            }
                            NDArray x = crops(random).toNDArray(m);
                            double[] oneHot = new double[s];
                            oneHot[style] = 1;
                            float lc;
                            float ls;
                            float lt;
                            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                NDArray y = TransformerNet.forward(local, x, TransformerNet.blend(m, oneHot), false,
                                        residual, leaky);
                                NDArray yn = y.div(255f).sub(mean).div(std);
                                NDArray xn = x.div(255f).sub(mean).div(std);
                                Map<String, NDArray> fy = loss.forward(yn, spec);
                                NDArray fx = loss.forward(xn, Forward.capture(cl)).get(cl).stopGradient();
                                NDArray contentLoss = Losses.content(fy.get(cl), fx)
                                        .div(fx.square().mean().add(1e-12f));
                                NDArray styleLoss = null;
                                for (String l : sl) {
                                    Tensor g = grams.get(style).get(l);
                                    NDArray target = constants.get(g);
                                    NDArray term = Losses.style(fy.get(l), target)
                                            .div(target.square().mean().add(1e-12f));
                                    styleLoss = styleLoss == null ? term : styleLoss.add(term);
                                }
                                styleLoss = styleLoss.div((float) sl.size());
                                NDArray tv = Losses.tv(yn);
                                NDArray total = contentLoss.mul((float) contentWeight)
                                        .add(styleLoss.mul((float) styleWeight)).add(tv.mul((float) tvWeight));
                                lc = NonFiniteException.check(contentLoss.getFloat(), TECHNIQUE, "the content loss", step);
                                ls = NonFiniteException.check(styleLoss.getFloat(), TECHNIQUE, "the style loss", step);
                                lt = NonFiniteException.check(tv.getFloat(), TECHNIQUE, "the tv loss", step);
                                NonFiniteException.check(total.getFloat(), TECHNIQUE, "the total loss", step);
                                gc.backward(total);
                            }
                            if (good != null) {
                                good.values().forEach(NDArray::close);
                            }
                            good = params;
                            goodStep = step;
                            // every weight's update is checked before any is taken, so the kept model is one step's
                            Map<String, NDArray> next = new LinkedHashMap<>();
                            for (int i = 0; i < keys.size(); i++) {
                                NDArray a = local.get(keys.get(i));
                                NDArray g = NonFiniteException.check(a.getGradient(), TECHNIQUE,
                                        "the gradient of '" + keys.get(i) + "'", step);
                                next.put(keys.get(i), NonFiniteException.check(adam[i].step(a.stopGradient(), g, 0, root),
                                        TECHNIQUE, "the weights '" + keys.get(i) + "'", step + 1));
                            }
                            next.values().forEach(a -> a.attach(root));
                            params = next;
                            contentHist.add((double) lc * contentWeight);
                            styleHist.add((double) ls * styleWeight);
                            tvHist.add((double) lt * tvWeight);
                            done = step + 1;
                            if (log != null && (done % 25 == 0 || done == steps())) {
                                log.printf(Locale.ROOT, "step %d/%d  content %.4f  style %.4f  tv %.4f  (%.1f s)%n",
                                        done, steps(), lc * contentWeight, ls * styleWeight, lt * tvWeight,
                                        (System.nanoTime() - started) / 1e9);
                            }
                            if (figure != null) {
                                int st = step + 1;
                                Map<String, NDArray> now = params;
                                figure.update(() -> trainingFrame(now, preview, stylePics, title, st, contentHist,
                                        styleHist, tvHist));
                                bar.set("loss", lc * contentWeight + ls * styleWeight + lt * tvWeight).step();
                            }
                            if (options().listensAt(step)) {
                                Map<String, NDArray> now = params;
                                Map<String, Double> values = new LinkedHashMap<>();
                                values.put("content", (double) lc * contentWeight);
                                values.put("style", (double) ls * styleWeight);
                                values.put("tv", (double) lt * tvWeight);
                                new Frame(TECHNIQUE, step + 1, steps(), values, () -> {
                                    Map<String, Tensor> w = new LinkedHashMap<>();
                                    now.forEach((k, v) -> w.put(k, Tensor.from(v)));
                                    FastStyleModel shown = new FastStyleModel(w, stylePics.size(), names, "training",
                                            stylePics, residual, leaky);
                                    return shown.stylize(preview, 0, shown.oneHot(0));
                                }).deliverTo(options().listener());
                            }
                        } catch (ThreadDeath death) {
                            // a stock kernel's hard stop (IJava on Java 17 calls Thread.stop): keep the last weights
                            interrupted = true;
                            break;
                        }
                    }
                } catch (NonFiniteException e) {
                    failure = e;
                }
                Map<String, NDArray> kept = failure == null ? params : good;
                Map<String, Tensor> trained = new LinkedHashMap<>();
                if (kept != null) {
                    kept.forEach((k, v) -> trained.put(k, Tensor.from(v)));
                }
                FastStyleModel model = kept == null ? null : new FastStyleModel(trained, s, names,
                        String.format(Locale.ROOT, "trained here: %d steps of batch %d at %d px, loss network %s (%s)%s",
                                failure == null ? done : goodStep,
                                batch, size, loss.name(), loss.source(), interrupted ? ", interrupted"
                                        : failure != null ? ", stopped: " + failure.quantity() + " became "
                                        + failure.value() : ""), stylePics, residual, leaky);
                if (figure != null && model != null) {
                    history.put("content", contentHist.stream().mapToDouble(Double::doubleValue).toArray());
                    history.put("style", styleHist.stream().mapToDouble(Double::doubleValue).toArray());
                    history.put("tv", tvHist.stream().mapToDouble(Double::doubleValue).toArray());
                    figure.finish(frame(model, preview, stylePics, title + " · " + (failure == null ? done : goodStep)
                            + " steps"
                            + (failure == null ? "" : " · stopped at step " + failure.step() + ": " + failure.quantity()
                            + " became " + failure.value()), history));
                }
                if (failure != null) {
                    if (model == null) {
                        throw failure.keeping(null, "nothing was kept (the first step already failed)", ADVICE);
                    }
                    LastResults.keep(model);
                    throw failure.keeping(model, "the last good model (step " + goodStep
                            + ") is kept in FastStyle.lastModel()", ADVICE);
                }
                return LastResults.keep(model);
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
        }

        /** A batch of random square crops (with random flips), pixels 0-255. */
        private Tensor crops(Random random) {
            float[] v = new float[batch * 3 * size * size];
            int plane = size * size;
            for (int b = 0; b < batch; b++) {
                BufferedImage src = content.get(random.nextInt(content.size()));
                // scale so the shorter side is between 1x and 2x the crop, then crop at random
                int shortSide = Math.min(src.getWidth(), src.getHeight());
                int target = size + random.nextInt(size + 1);
                BufferedImage scaled = Preprocessing.resize(src, Math.max(size, src.getWidth() * target / shortSide),
                        Math.max(size, src.getHeight() * target / shortSide));
                int ox = random.nextInt(scaled.getWidth() - size + 1);
                int oy = random.nextInt(scaled.getHeight() - size + 1);
                boolean flip = random.nextBoolean();
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int rgb = scaled.getRGB(ox + (flip ? size - 1 - x : x), oy + y);
                        int i = y * size + x;
                        v[(b * 3) * plane + i] = (rgb >> 16) & 0xff;
                        v[(b * 3 + 1) * plane + i] = (rgb >> 8) & 0xff;
                        v[(b * 3 + 2) * plane + i] = rgb & 0xff;
                    }
                }
            }
            return Tensor.of(v, batch, 3, size, size);
        }

        private MimeBundle trainingFrame(Map<String, NDArray> params, BufferedImage preview,
                                         List<BufferedImage> stylePics, String title, int step, List<Double> c,
                                         List<Double> st, List<Double> tv) {
            Map<String, Tensor> w = new LinkedHashMap<>();
            params.forEach((k, v) -> w.put(k, Tensor.from(v)));
            FastStyleModel now = new FastStyleModel(w, stylePics.size(), names, "training", stylePics, residual,
                    leaky);
            Map<String, double[]> h = new LinkedHashMap<>();
            h.put("content", c.stream().mapToDouble(Double::doubleValue).toArray());
            h.put("style", st.stream().mapToDouble(Double::doubleValue).toArray());
            h.put("tv", tv.stream().mapToDouble(Double::doubleValue).toArray());
            return frame(now, preview, stylePics, title + " · step " + step + "/" + steps(), h);
        }

        private MimeBundle frame(FastStyleModel model, BufferedImage preview, List<BufferedImage> stylePics,
                                 String title, Map<String, double[]> h) {
            List<BufferedImage> imgs = new ArrayList<>();
            List<String> caps = new ArrayList<>();
            for (int i = 0; i < stylePics.size(); i++) {
                imgs.add(stylePics.get(i));
                caps.add(names.get(i));
                imgs.add(model.stylize(preview, 0, model.oneHot(i)));
                caps.add("→ " + names.get(i));
            }
            Map<String, double[]> withTotal = new LinkedHashMap<>(h);
            int n = h.get("content").length;
            double[] total = new double[n];
            for (double[] v : h.values()) {
                for (int i = 0; i < n; i++) {
                    total[i] += v[i];
                }
            }
            withTotal.put("total", total);
            return MimeBundle.png(Images.toPng(Figures.frame(title, imgs, caps,
                    Figures.lossChart(withTotal, steps(), "loss"))), title);
        }
    }
}
