package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Adam;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Models;
import dev.neurolens.model.NDArrayOps;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link GeneratorPrior} (made by {@link GeneratorPrior#train}): G and R together. Each step encodes a
 * batch, adds noise to the codes (so G also draws codes a little off the data, as sampling visits them), and
 * minimizes the pixel error of G(h) plus {@code codeWeight} times the relative error of E(G(h)) against h; R learns
 * to remove noise of {@code noise} times the codes' spread. Shows originals over reconstructions live; an interrupt
 * stops between steps and keeps what was learned. {@link #main} retrains the jar's built-in prior.
 */
public final class GeneratorPriorTrainer extends RunBuilder<GeneratorPriorTrainer> {
    private static final String TECHNIQUE = "generator-prior training";

    private final Network classifier;
    private final String layer;
    private final ImageSet data;
    private int batch = 64;
    private double lr = 1e-3;
    private int width = 32;
    private int hidden = 512;
    private double codeWeight = 0.1;
    private double noise = 0.5;

    GeneratorPriorTrainer(Network classifier, String layer, ImageSet data) {
        super(3000);
        seed(1);
        if (data.size() < 2) {
            throw new IllegalArgumentException("training a generator prior needs pictures; " + data.name()
                    + " has " + data.size());
        }
        classifier.resolve(layer);
        this.classifier = classifier;
        this.layer = layer;
        this.data = data;
    }

    @Override
    public GeneratorPriorTrainer steps(int n) {
        return super.steps(Check.atLeastOne("steps", n));
    }

    public GeneratorPriorTrainer batch(int n) {
        this.batch = Check.atLeastOne("batch", n);
        return this;
    }

    public GeneratorPriorTrainer lr(double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("lr must be a positive finite number, got " + v);
        }
        this.lr = v;
        return this;
    }

    /** G's width (channels of its last hidden layer; DCGAN's ngf). */
    public GeneratorPriorTrainer width(int n) {
        this.width = Check.atLeastOne("width", n);
        return this;
    }

    /** Weight of the code reconstruction ||E(G(h)) - h||^2 / ||h||^2 against the pixel error. */
    public GeneratorPriorTrainer codeWeight(double w) {
        this.codeWeight = w;
        return this;
    }

    /** R's training noise, in units of the codes' standard deviation. */
    public GeneratorPriorTrainer noise(double n) {
        this.noise = n;
        return this;
    }


    public GeneratorPrior run() {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed());
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
        Network g = Architecture.dcganGenerator(d, width, p.channels(), size).randomInit(seed());
        Network r = GeneratorPrior.denoiserArchitecture(d, hidden).randomInit(seed() + 1);
        GeneratorPrior prior = new GeneratorPrior(classifier, false, layer, Generator.of(g, d), r, stats[0],
                stats[1], low, high, sigma, "trained on " + data.name());
        Random random = new Random(seed());
        int nShown = Math.min(8, data.size());
        Tensor shown = data.batch(0, nShown, p);
        List<BufferedImage> originals = new ArrayList<>();
        for (int i = 0; i < nShown; i++) {
            originals.add(data.inputImage(i, p));
        }
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        Progress bar = live() ? Progress.of(steps(), "training a generator prior on " + data.name()) : null;
        int done;
        int goodStep;
        NonFiniteException failure;
        Map<String, NDArray> all = new LinkedHashMap<>();
        g.parameters().forEach((k, v) -> all.put(GeneratorPrior.G + k, v));
        r.parameters().forEach((k, v) -> all.put(GeneratorPrior.R + k, v));
        try (NDManager state = classifier.newScope()) {
            Map<String, NDArray> gp = trainable(g.parameters());
            Map<String, NDArray> rp = trainable(r.parameters());
            gp.values().forEach(a -> a.setRequiresGradient(true));
            rp.values().forEach(a -> a.setRequiresGradient(true));
            Adam adamG = new Adam(state, lr, 0.5, 0.999);
            Adam adamR = new Adam(state, lr);
            Forward train = Forward.plain().training(true);
            // guards G and R: as they were before the last step whose losses were finite is what a NaN leaves
            GuardedSteps guard = new GuardedSteps(all, state);
            guard.run(steps(), classifier::newScope, (step, m) -> {
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
                    NDArray back = GeneratorPrior.encoderPass(classifier, layer,
                            GeneratorPrior.asInput(pics, classifier));
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
                guard.lossesFinite(step);
                // Adam changes the weights in place: every gradient is checked before any is taken
                NonFiniteException.checkGradients(gp, m, TECHNIQUE, step);
                NonFiniteException.checkGradients(rp, m, TECHNIQUE, step);
                adamG.step(gp, m);
                adamR.step(rp, m);
                int st = step + 1;
                if (figure != null) {
                    figure.update(() -> frame(prior, originals, shown, st));
                    bar.set("pixels", pix).set("codes", code).set("denoiser", den).step();
                }
                if (options().listensAt(step)) {
                    new Frame(TECHNIQUE, st, steps(), Map.of("pixels", (double) pix, "codes", (double) code,
                            "denoiser", (double) den), () -> frame(prior, originals, shown, st).render())
                            .deliverTo(options().listener());
                }
            });
            gp.values().forEach(a -> a.setRequiresGradient(false));
            rp.values().forEach(a -> a.setRequiresGradient(false));
            guard.restoreAfterFailure();
            done = guard.done();
            goodStep = guard.goodStep();
            failure = guard.failure();
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
        LastResults.keep(prior);
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
                NDArray codes = GeneratorPrior.encoderPass(classifier, layer,
                        data.batch(from, to, p).toNDArray(m));
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
        return NDArrayOps.resizeBilinear(pics, size, size);
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

    /**
     * Trains the built-in prior for the default model on the Fashion-MNIST training set and writes it to the
     * file given (default: the jar's resource folder), from the repository root:
     * <pre>
     * java -Dai.djl.offline=true -cp "kernel-ext/target/neurolens.jar:kernel-ext/target/lib/*" \
     *     dev.neurolens.generate.GeneratorPriorTrainer [file] [steps] [codeWeight]
     * </pre>
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0]
                : "kernel-ext/src/main/resources/dev/neurolens/generate/" + GeneratorPrior.BUILTIN_FILE);
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        double codeWeight = args.length > 2 ? Double.parseDouble(args[2]) : 0.1;
        try (Network net = Models.defaultModel()) {
            ImageSet train = ImageSet.of(FashionMnist.train(), "Fashion-MNIST train");
            long t0 = System.nanoTime();
            GeneratorPrior prior = GeneratorPrior.train(net, "relu4", train).steps(steps).codeWeight(codeWeight)
                    .live(false).run();
            System.out.printf(Locale.ROOT, "trained %d steps in %.0f s%n", steps, (System.nanoTime() - t0) / 1e9);
            prior.save(out);
            ImageSet test = ImageSet.of(FashionMnist.test(), "Fashion-MNIST test");
            Tensor x = test.batch(0, 512, net.preprocessing());
            Tensor back = prior.decode(prior.encode(x));
            try (NDManager m = net.newScope()) {
                NDArray pics = back.toNDArray(m);
                NDArray again = GeneratorPrior.asInput(pics, net);
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
