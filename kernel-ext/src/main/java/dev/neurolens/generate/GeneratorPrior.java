package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;
import dev.neurolens.model.internal.Adam;
import dev.neurolens.model.internal.Layers;
import dev.neurolens.model.internal.RawTensor;
import dev.neurolens.model.internal.WeightsFiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The learned prior of Plug &amp; Play Generative Networks (Nguyen et al. 2017) for one classifier: codes h are the
 * features of one of its layers (the encoder E, e.g. the first fully connected layer after its ReLU), a generator
 * G turns a code back into a picture (trained so that G(E(x)) looks like x and E(G(h)) gives h back), and a
 * denoising autoencoder R on codes, whose R(h) - h points towards more probable codes (Alain and Bengio 2014).
 * {@link PlugAndPlay} samples with it.
 *
 * <pre>{@code
 * GeneratorPrior prior = GeneratorPrior.builtin();                       // the default Fashion-MNIST model, relu4
 * GeneratorPrior mine = GeneratorPrior.train(net, "fc1", myImages).steps(3000).run();
 * }</pre>
 *
 * G is a DCGAN-shaped generator (transposed convolutions with batch norm) drawing 32 px pictures for inputs up to
 * 32 px (28 px Fashion-MNIST is its centre crop) and 64 px otherwise, bilinearly resized to larger inputs: a
 * coarse prior for ImageNet-sized models. The prior owns the classifier only when it made it ({@link #builtin}).
 */
public final class GeneratorPrior implements AutoCloseable {
    /** The built-in prior's file in the jar, for the default model ({@link Models#defaultModel}) at relu4. */
    public static final String BUILTIN_FILE = "fashion_prior.safetensors";
    private static final String G = "generator.";
    private static final String R = "denoiser.";
    private static final String STATS = "code.";
    private static final String LAYER = "layer.";
    private static final String TECHNIQUE = "generator-prior training";
    private static volatile GeneratorPrior last;

    private final Network classifier;
    private final boolean ownsClassifier;
    private final String layer;
    private final Generator generator;
    private final Network denoiser;
    private final float[] mean;
    private final float[] std;
    private final float low;
    private final float high;
    private final float sigma;
    private final String source;

    private GeneratorPrior(Network classifier, boolean ownsClassifier, String layer, Generator generator,
                           Network denoiser, float[] mean, float[] std, float low, float high, float sigma,
                           String source) {
        this.classifier = classifier;
        this.ownsClassifier = ownsClassifier;
        this.layer = layer;
        this.generator = generator;
        this.denoiser = denoiser;
        this.mean = mean;
        this.std = std;
        this.low = low;
        this.high = high;
        this.sigma = sigma;
        this.source = source;
    }

    /**
     * The prior the project trained for the default Fashion-MNIST classifier ({@link Models#defaultModel}), codes
     * at {@code relu4} (128 values), read from the jar. It makes its own copy of the classifier and closes it.
     */
    public static GeneratorPrior builtin() {
        try (InputStream in = GeneratorPrior.class.getResourceAsStream(BUILTIN_FILE)) {
            if (in == null) {
                throw new WeightsException(BUILTIN_FILE + " is missing from the jar; train it with "
                        + "GeneratorPrior.main(\"<file>\")");
            }
            Map<String, RawTensor> w = WeightsFiles.readSafetensors(new ByteArrayInputStream(in.readAllBytes()),
                    BUILTIN_FILE);
            return fromStateDict(w, Models.defaultModel(), true, "built-in " + BUILTIN_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A prior saved by {@link #save} for {@code classifier} (the same weights it was trained on). */
    public static GeneratorPrior load(Path file, Network classifier) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("no generator prior at " + file + "; save one with prior.save(path)");
        }
        return fromStateDict(WeightsFiles.read(file), classifier, false, file.toString());
    }

    /** Starts training a prior for {@code classifier}'s {@code layer} on pictures of {@code data}. */
    public static Trainer train(Network classifier, String layer, ImageSet data) {
        return new Trainer(classifier, layer, data);
    }

    /**
     * The prior of the most recent training run in this JVM, also when it was interrupted or stopped on a NaN (then
     * as of its last good step); null before any. Close it when done.
     */
    public static GeneratorPrior lastTrained() {
        return last;
    }

    // ---- what it is ----

    public Network classifier() {
        return classifier;
    }

    /** The layer whose (flattened) output is the code, as it was named when training. */
    public String layer() {
        return layer;
    }

    public int codeSize() {
        return mean.length;
    }

    /** G, taking codes as {@code N x d x 1 x 1}. */
    public Generator generator() {
        return generator;
    }

    /** The noise level the denoiser was trained at, in code units. */
    public float sigma() {
        return sigma;
    }

    /** Codes are clipped to {@code [low, high]} while sampling: the range seen on the training data. */
    public float low() {
        return low;
    }

    public float high() {
        return high;
    }

    // ---- tensors in, tensors out ----

    /** Codes of classifier inputs ({@code N x C x H x W}, normalized as the classifier expects): {@code N x d}. */
    public Tensor encode(Tensor inputs) {
        try (NDManager m = classifier.newScope()) {
            return Tensor.from(encode(inputs.toNDArray(m)));
        }
    }

    /** Codes of pictures of a data set, {@code [from, to)}. */
    public Tensor encode(ImageSet data, int from, int to) {
        return encode(data.batch(from, to, classifier.preprocessing()));
    }

    /** Pictures for codes {@code N x d}: {@code N x C x S x S} in [0, 1]. */
    public Tensor decode(Tensor codes) {
        try (NDManager m = classifier.newScope()) {
            return Tensor.from(decode(codes.toNDArray(m)));
        }
    }

    /** R(h): the denoised codes. */
    public Tensor denoise(Tensor codes) {
        try (NDManager m = classifier.newScope()) {
            return Tensor.from(denoise(codes.toNDArray(m)));
        }
    }

    /** {@code n} starting codes drawn per dimension from the training codes' mean and spread, clipped to the range. */
    public Tensor randomCodes(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("need at least one code, got " + n);
        }
        Random r = new Random(seed);
        int d = mean.length;
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                v[i * d + j] = Math.max(low, Math.min(high, mean[j] + std[j] * (float) r.nextGaussian()));
            }
        }
        return Tensor.of(v, n, d);
    }

    /** Pictures of {@code data} (first row) above G(E(x)) (second row), the first {@code n}. */
    public ImageGrid reconstructions(ImageSet data, int n) {
        Tensor x = data.batch(0, n, classifier.preprocessing());
        Tensor back = decode(encode(x));
        List<BufferedImage> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cells.add(data.inputImage(i, classifier.preprocessing()));
        }
        cells.addAll(Generator.pictures(back));
        return ImageGrid.of(cells).columns(n).title("top: pictures x · bottom: G(E(x)) from " + layer + " codes");
    }

    // ---- array level, for samplers and training (arrays belong to the inputs' managers) ----

    /** E(x) flattened to {@code N x d}. */
    public NDArray encode(NDArray inputs) {
        return encoderPass(classifier, layer, inputs);
    }

    /** G(h) in [0, 1], differentiable in h. */
    public NDArray decode(NDArray codes) {
        checkCodes(codes.getShape());
        long n = codes.getShape().get(0);
        return generator.forward(codes.reshape(n, mean.length, 1, 1), Forward.plain()).get(Generator.OUTPUT);
    }

    /** R(h). */
    public NDArray denoise(NDArray codes) {
        checkCodes(codes.getShape());
        return denoiser.forward(codes.reshape(codes.getShape().get(0), mean.length, 1, 1), Forward.plain())
                .get(Network.OUTPUT);
    }

    /**
     * G's pictures ({@code N x C x S x S} in [0, 1]) as {@code net}'s normalized input: centre crop when the
     * picture is a little larger (32 to 28), else bilinear resize; gray repeated to RGB or RGB averaged to gray.
     */
    public static NDArray asInput(NDArray pictures, Network net) {
        Preprocessing p = net.preprocessing();
        int crop = p.crop();
        long s = pictures.getShape().get(2);
        NDArray x = pictures;
        if (s >= crop && s - crop <= s / 4) {
            long o = (s - crop) / 2;
            x = s == crop ? x : x.get(new NDIndex(":, :, {}:{}, {}:{}", o, o + crop, o, o + crop));
        } else {
            x = JniUtils.interpolate((PtNDArray) x, new long[] {crop, crop}, 2, false);
        }
        long c = x.getShape().get(1);
        if (c == 1 && p.channels() == 3) {
            x = x.repeat(1, 3);
        } else if (c == 3 && p.channels() == 1) {
            x = x.mean(new int[] {1}, true);
        }
        NDManager m = x.getManager();
        NDArray mu = m.create(p.mean(), new Shape(1, p.channels(), 1, 1));
        NDArray sd = m.create(p.std(), new Shape(1, p.channels(), 1, 1));
        return x.sub(mu).div(sd);
    }

    private void checkCodes(Shape shape) {
        if (shape.dimension() != 2 || shape.get(1) != mean.length) {
            throw new IllegalArgumentException("codes must be N x " + mean.length + " (the size of " + layer
                    + "), got " + shape + "; use randomCodes(n, seed) or encode(...)");
        }
    }

    private static NDArray encoderPass(Network net, String layer, NDArray inputs) {
        NDArray h = net.forward(inputs, Forward.capture(layer)).get(layer);
        return h.reshape(h.getShape().get(0), -1);
    }

    // ---- saving ----

    /** Writes G, R, the code statistics and the layer name to a safetensors file, for {@link #load}. */
    public Path save(Path file) {
        try (NDManager m = classifier.newScope()) {
            Map<String, NDArray> all = new LinkedHashMap<>();
            generator.network().parameters().forEach((k, v) -> all.put(G + k, v));
            denoiser.parameters().forEach((k, v) -> all.put(R + k, v));
            all.put(STATS + "mean", m.create(mean));
            all.put(STATS + "std", m.create(std));
            all.put(STATS + "range", m.create(new float[] {low, high, sigma}));
            all.put(LAYER + layer, m.create(new float[] {0}));
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            WeightsFiles.saveSafetensors(all, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static GeneratorPrior fromStateDict(Map<String, RawTensor> w, Network classifier, boolean owns,
                                                String source) {
        Map<String, RawTensor> g = new LinkedHashMap<>();
        Map<String, RawTensor> r = new LinkedHashMap<>();
        String layer = null;
        for (var e : w.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(G)) {
                g.put(k.substring(G.length()), e.getValue());
            } else if (k.startsWith(R)) {
                r.put(k.substring(R.length()), e.getValue());
            } else if (k.startsWith(LAYER)) {
                layer = k.substring(LAYER.length());
            }
        }
        if (layer == null || g.isEmpty() || r.isEmpty() || !w.containsKey(STATS + "mean")) {
            throw new WeightsException(source + " is not a generator prior (no " + G + "*, " + R + "*, " + STATS
                    + "* and " + LAYER + "* entries); make one with GeneratorPrior.train(...).run().save(path)");
        }
        float[] mean = w.get(STATS + "mean").toFloatArray();
        float[] std = w.get(STATS + "std").toFloatArray();
        float[] range = w.get(STATS + "range").toFloatArray();
        String gSource = source + " (generator)";
        Generator generator = Generator.fromStateDict(g, gSource, arch -> arch.load(g, gSource));
        int d = generator.zDim();
        try {
            if (d != mean.length) {
                throw new WeightsException(source + ": generator takes " + d + " values but the codes have "
                        + mean.length);
            }
            checkCodeSize(classifier, layer, d, source);
        } catch (RuntimeException e) {
            generator.close();
            throw e;
        }
        Network rNet = denoiserArchitecture(d, (int) r.get("0.weight").shape()[0]).load(r, source + " (denoiser)");
        return new GeneratorPrior(classifier, owns, layer, generator, rNet, mean, std, range[0],
                range[1], range[2], source);
    }

    private static void checkCodeSize(Network classifier, String layer, int d, String source) {
        Preprocessing p = classifier.preprocessing();
        try (NDManager m = classifier.newScope()) {
            NDArray x = m.zeros(new Shape(1, p.channels(), p.crop(), p.crop()));
            long got = encoderPass(classifier, layer, x).getShape().get(1);
            if (got != d) {
                throw new WeightsException(source + " was trained on " + d + " codes of '" + layer + "', but "
                        + classifier.name() + " gives " + got + " there: load it with the classifier it was made for");
            }
        }
    }

    /** R: two hidden layers of {@code hidden} ReLUs, linear output; takes codes as {@code N x d x 1 x 1}. */
    static Architecture denoiserArchitecture(int d, int hidden) {
        List<Layer> l = List.of(new Layers.Flatten("flatten"), new Layers.Dense("0", d, hidden), new Layers.Relu("1"),
                new Layers.Dense("2", hidden, hidden), new Layers.Relu("3"), new Layers.Dense("4", hidden, d));
        float[] zeros = new float[d];
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        return Architecture.custom("code_denoiser", l, new ModelInfo("code_denoiser", d, 1, 1, zeros, ones,
                List.of()));
    }

    @Override
    public void close() {
        generator.close();
        denoiser.close();
        if (ownsClassifier) {
            classifier.close();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GeneratorPrior[%s at %s, %d-value codes, %d px pictures, from %s]",
                classifier.name(), layer, mean.length, generator.network().info().crop(), source);
    }

    /**
     * Trains G and R together. Each step encodes a batch, adds noise to the codes (so G also draws codes a little
     * off the data, as sampling visits them), and minimizes the pixel error of G(h) plus {@code codeWeight} times
     * the relative error of E(G(h)) against h; R learns to remove noise of {@code noise} times the codes' spread.
     * Shows originals over reconstructions live; an interrupt stops between steps and keeps what was learned.
     */
    public static final class Trainer {
        private final Network classifier;
        private final String layer;
        private final ImageSet data;
        private int steps = 3000;
        private int batch = 64;
        private double lr = 1e-3;
        private int width = 32;
        private int hidden = 512;
        private double codeWeight = 0.1;
        private double noise = 0.5;
        private long seed = 1;
        private boolean live = true;

        private Trainer(Network classifier, String layer, ImageSet data) {
            if (data.size() < 2) {
                throw new IllegalArgumentException("training a generator prior needs pictures; " + data.name()
                        + " has " + data.size());
            }
            classifier.resolve(layer);
            this.classifier = classifier;
            this.layer = layer;
            this.data = data;
        }

        public Trainer steps(int n) {
            this.steps = positive(n, "steps");
            return this;
        }

        public Trainer batch(int n) {
            this.batch = positive(n, "batch");
            return this;
        }

        public Trainer lr(double v) {
            if (!(v > 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("lr must be a positive finite number, got " + v);
            }
            this.lr = v;
            return this;
        }

        /** G's width (channels of its last hidden layer; DCGAN's ngf). */
        public Trainer width(int n) {
            this.width = positive(n, "width");
            return this;
        }

        /** Weight of the code reconstruction ||E(G(h)) - h||^2 / ||h||^2 against the pixel error. */
        public Trainer codeWeight(double w) {
            this.codeWeight = w;
            return this;
        }

        /** R's training noise, in units of the codes' standard deviation. */
        public Trainer noise(double n) {
            this.noise = n;
            return this;
        }

        public Trainer seed(long s) {
            this.seed = s;
            return this;
        }

        public Trainer live(boolean on) {
            this.live = on;
            return this;
        }

        private static int positive(int n, String what) {
            if (n <= 0) {
                throw new IllegalArgumentException(what + " must be positive, got " + n);
            }
            return n;
        }

        public GeneratorPrior run() {
            Engine.getEngine("PyTorch").setRandomSeed((int) seed);
            Preprocessing p = classifier.preprocessing();
            int crop = p.crop();
            int size = crop <= 32 ? 32 : 64;
            int n = Math.min(batch, data.size());
            float[][] stats = codeStats(p);
            int d = stats[0].length;
            if (d > 8192) {
                throw new IllegalArgumentException("'" + layer + "' gives " + d + " values per picture; a generator "
                        + "prior needs a compact code: use a fully connected layer (or a pooled one)");
            }
            float low = stats[2][0];
            float high = stats[2][1];
            double spread = 0;
            for (float s : stats[1]) {
                spread += s * (double) s;
            }
            float rms = (float) Math.sqrt(spread / d);
            float sigma = (float) (noise * rms);
            Network g = Architecture.dcganGenerator(d, width, p.channels(), size).randomInit(seed);
            Network r = denoiserArchitecture(d, hidden).randomInit(seed + 1);
            GeneratorPrior prior = new GeneratorPrior(classifier, false, layer, Generator.of(g, d), r, stats[0],
                    stats[1], low, high, sigma, "trained on " + data.name());
            Random random = new Random(seed);
            int nShown = Math.min(8, data.size());
            Tensor shown = data.batch(0, nShown, p);
            List<BufferedImage> originals = new ArrayList<>();
            for (int i = 0; i < nShown; i++) {
                originals.add(data.inputImage(i, p));
            }
            LiveDisplay figure = live ? LiveDisplay.create() : null;
            Progress bar = live ? Progress.of(steps, "training a generator prior on " + data.name()) : null;
            int done = 0;
            NonFiniteException failure = null;
            // G and R as they were before the last step whose losses were finite: what a later NaN leaves
            WeightsSnapshot good = null;
            int goodStep = -1;
            Map<String, NDArray> all = new LinkedHashMap<>();
            g.parameters().forEach((k, v) -> all.put(G + k, v));
            r.parameters().forEach((k, v) -> all.put(R + k, v));
            try (NDManager state = classifier.newScope()) {
                Map<String, NDArray> gp = trainable(g.parameters());
                Map<String, NDArray> rp = trainable(r.parameters());
                gp.values().forEach(a -> a.setRequiresGradient(true));
                rp.values().forEach(a -> a.setRequiresGradient(true));
                Adam adamG = new Adam(state, lr, 0.5, 0.999);
                Adam adamR = new Adam(state, lr);
                Forward train = Forward.plain().training(true);
                for (int step = 0; step < steps; step++) {
                    if (Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    WeightsSnapshot before = WeightsSnapshot.of(all, state);
                    try (NDManager m = classifier.newScope()) {
                        int from = random.nextInt(data.size() - n + 1);
                        NDArray x = data.batch(from, from + n, p).toNDArray(m);
                        NDArray h = prior.encode(x).stopGradient();
                        NDArray target = targetPictures(x, p, size);
                        NDArray jitter = m.randomNormal(h.getShape()).mul(sigma * 0.5f);
                        NDArray hIn = h.add(jitter).clip(low, high);
                        float pix;
                        float code;
                        float den;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray pics = g.forward(hIn.reshape(n, d, 1, 1), train).get(Network.OUTPUT)
                                    .add(1f).div(2f);
                            NDArray lossPix = pics.sub(target).square().mean();
                            NDArray back = encoderPass(classifier, layer, asInput(pics, classifier));
                            NDArray lossCode = back.sub(h).square().mean().div(h.square().mean().add(1e-8f));
                            NDArray noisy = h.add(m.randomNormal(h.getShape()).mul(sigma));
                            NDArray lossR = r.forward(noisy.reshape(n, d, 1, 1), train).get(Network.OUTPUT).sub(h).square().mean()
                                    .div(rms * rms);
                            NDArray loss = lossPix.add(lossCode.mul((float) codeWeight)).add(lossR);
                            pix = NonFiniteException.check(lossPix.getFloat(), TECHNIQUE, "the pixel loss", step);
                            code = NonFiniteException.check(lossCode.getFloat(), TECHNIQUE, "the code loss", step);
                            den = NonFiniteException.check(lossR.getFloat(), TECHNIQUE, "the denoiser loss", step);
                            gc.backward(loss);
                        }
                        if (good != null) {
                            good.close();
                        }
                        good = before;
                        goodStep = step;
                        // Adam changes the weights in place: every gradient is checked before any is taken
                        NonFiniteException.checkGradients(gp, m, TECHNIQUE, step);
                        NonFiniteException.checkGradients(rp, m, TECHNIQUE, step);
                        adamG.step(gp, m);
                        adamR.step(rp, m);
                        done = step + 1;
                        if (figure != null) {
                            int st = done;
                            figure.update(() -> frame(prior, originals, shown, st));
                            bar.set("pixels", pix).set("codes", code).set("denoiser", den).step();
                        }
                    } catch (ThreadDeath death) {
                        break;
                    } catch (NonFiniteException e) {
                        failure = e;
                        break;
                    } finally {
                        if (before != good) {
                            before.close();
                        }
                    }
                }
                gp.values().forEach(a -> a.setRequiresGradient(false));
                rp.values().forEach(a -> a.setRequiresGradient(false));
                if (failure != null && good != null) {
                    good.restore(all);
                }
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            if (failure != null && goodStep < 0) {
                prior.close();
                throw failure.keeping(null, "nothing was kept (the first step already failed)", "Try a lower lr(...)");
            }
            if (figure != null) {
                figure.finish(frame(prior, originals, shown, failure == null ? done : goodStep));
            }
            last = prior;
            if (failure != null) {
                throw failure.keeping(prior, "the prior as of step " + goodStep
                        + " is kept in GeneratorPrior.lastTrained()", "Try a lower lr(...)");
            }
            return prior;
        }

        private static ImageGrid frame(GeneratorPrior prior, List<BufferedImage> originals, Tensor shown, int step) {
            List<BufferedImage> cells = new ArrayList<>(originals);
            cells.addAll(Generator.pictures(prior.decode(prior.encode(shown))));
            return ImageGrid.of(cells).columns((int) shown.dim(0))
                    .title("generator prior · step " + step + " · top: x · bottom: G(E(x))");
        }

        /** Per-dimension mean and standard deviation of the codes of up to 4096 pictures, and their range. */
        private float[][] codeStats(Preprocessing p) {
            int total = Math.min(4096, data.size());
            double[] sum = null;
            double[] sq = null;
            float low = Float.MAX_VALUE;
            float high = -Float.MAX_VALUE;
            for (int from = 0; from < total; from += 256) {
                int to = Math.min(total, from + 256);
                float[] h;
                int d;
                try (NDManager m = classifier.newScope()) {
                    NDArray codes = encoderPass(classifier, layer, data.batch(from, to, p).toNDArray(m));
                    d = (int) codes.getShape().get(1);
                    h = codes.toFloatArray();
                }
                if (sum == null) {
                    sum = new double[d];
                    sq = new double[d];
                }
                for (int i = 0; i < h.length; i++) {
                    sum[i % d] += h[i];
                    sq[i % d] += h[i] * (double) h[i];
                    low = Math.min(low, h[i]);
                    high = Math.max(high, h[i]);
                }
            }
            int d = sum.length;
            float[] mean = new float[d];
            float[] std = new float[d];
            for (int j = 0; j < d; j++) {
                mean[j] = (float) (sum[j] / total);
                std[j] = (float) Math.sqrt(Math.max(0, sq[j] / total - mean[j] * (double) mean[j]));
            }
            return new float[][] {mean, std, {low, high}};
        }

        /** The batch's pictures in [0, 1] at G's size: zero-padded around a smaller input, else resized. */
        private static NDArray targetPictures(NDArray x, Preprocessing p, int size) {
            NDManager m = x.getManager();
            int c = p.channels();
            NDArray pics = x.mul(m.create(p.std(), new Shape(1, c, 1, 1))).add(m.create(p.mean(), new Shape(1, c, 1, 1)));
            long crop = x.getShape().get(2);
            if (crop == size) {
                return pics;
            }
            if (crop < size && size - crop <= size / 4) {
                long o = (size - crop) / 2;
                NDArray t = m.zeros(new Shape(x.getShape().get(0), c, size, size));
                t.set(new NDIndex(":, :, {}:{}, {}:{}", o, o + crop, o, o + crop), pics);
                return t;
            }
            return JniUtils.interpolate((PtNDArray) pics, new long[] {size, size}, 2, false);
        }

        private static Map<String, NDArray> trainable(Map<String, NDArray> params) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            params.forEach((k, v) -> {
                if (GanTrainer.trainable(k)) {
                    out.put(k, v);
                }
            });
            return out;
        }
    }

    /**
     * Trains the built-in prior for the default model on the Fashion-MNIST training set and writes it to the
     * file given (default: the jar's resource folder), from the repository root:
     * <pre>
     * java -Dai.djl.offline=true -cp "kernel-ext/target/neurolens.jar:kernel-ext/target/lib/*" \
     *     dev.neurolens.generate.GeneratorPrior [file] [steps] [codeWeight]
     * </pre>
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0]
                : "kernel-ext/src/main/resources/dev/neurolens/generate/" + BUILTIN_FILE);
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        double codeWeight = args.length > 2 ? Double.parseDouble(args[2]) : 0.1;
        try (Network net = Models.defaultModel()) {
            ImageSet train = ImageSet.of(FashionMnist.train(), "Fashion-MNIST train");
            long t0 = System.nanoTime();
            GeneratorPrior prior = train(net, "relu4", train).steps(steps).codeWeight(codeWeight).live(false)
                    .run();
            System.out.printf(Locale.ROOT, "trained %d steps in %.0f s%n", steps, (System.nanoTime() - t0) / 1e9);
            prior.save(out);
            ImageSet test = ImageSet.of(FashionMnist.test(), "Fashion-MNIST test");
            Tensor x = test.batch(0, 512, net.preprocessing());
            Tensor back = prior.decode(prior.encode(x));
            try (NDManager m = net.newScope()) {
                NDArray pics = back.toNDArray(m);
                NDArray again = asInput(pics, net);
                NDArray orig = x.toNDArray(m);
                float mse = again.sub(orig).mul(net.preprocessing().std()[0]).square().mean().getFloat();
                long agree = net.logits(again).argMax(1).eq(net.logits(orig).argMax(1)).sum().getLong();
                System.out.printf(Locale.ROOT, "held-out: pixel MSE %.4f, classifier agrees on %d of 512%n", mse,
                        agree);
            }
            javax.imageio.ImageIO.write(prior.reconstructions(test, 12).render(), "png",
                    Path.of(out.toString().replace(".safetensors", ".png")).toFile());
            prior.close();
        }
    }
}
