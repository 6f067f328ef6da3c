package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.data.Scenes;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Adam;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Autograd;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsFiles;
import dev.neurolens.run.Check;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.io.IOException;
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
 * Trains a DCGAN (Radford et al. 2016) the way pytorch/examples does: N(0, 0.02) init, Adam 2e-4 with betas
 * (0.5, 0.999), the non-saturating generator loss; on top of it, the returned generator is the moving average of
 * the weights ({@link #ema}), and one-sided label smoothing ({@link #labelSmoothing}) is available. Shows a
 * fixed-code sample grid updating in place and a progress bar; interrupting stops between steps and keeps the
 * generator trained so far.
 *
 * <pre>{@code
 * Generator g = GanTrainer.on(GanTrainer.scenes(64)).labelSmoothing(0.1).steps(3000).run();
 * }</pre>
 *
 * The built-in generators ({@link Generator#builtin}) are made with, from the repository root:
 * <pre>
 * mvn -q -o package -DskipTests
 * java -Dai.djl.offline=true -cp "kernel-ext/target/neurolens.jar:kernel-ext/target/lib/*" \
 *     dev.neurolens.generate.GanTrainer scenes        # 7000 steps of 32, label smoothing 0.1 (docs/benchmarks.md)
 * </pre>
 * ({@code fashion}: 3000 steps); they land in
 * {@code kernel-ext/src/main/resources/dev/neurolens/generate/} with a sample grid beside them ({@code .png},
 * not committed). Run from a copy of the jar if you rebuild meanwhile: a replaced jar ends the run.
 */
public final class GanTrainer extends RunBuilder<GanTrainer> {
    private static final String TECHNIQUE = "GAN training";
    /** Where training batches come from: images in [-1, 1], {@code n x channels x size x size}. */
    public interface Data {
        Tensor batch(long index, int n);

        int channels();

        int size();

        String name();
    }

    private final Data data;
    private int nz = 100;
    private int ngf = 32;
    private int ndf = 32;
    private int batch = 64;
    private float lr = 2e-4f;
    private double ema = 0.999;
    private float smoothing;
    private final List<float[]> losses = new ArrayList<>();
    /** Where {@link #main} asks for the last step's own weights beside the average (to compare them); or null. */
    private Path rawWeightsFile;

    private GanTrainer(Data data) {
        super(2000);
        seed(1);
        this.data = data;
    }

    public static GanTrainer on(Data data) {
        return new GanTrainer(data);
    }

    /** An endless stream of procedural scenes ({@link Scenes}): batch {@code i} holds scenes {@code i*n ...}. */
    public static Data scenes(int size) {
        return new Data() {
            @Override
            public Tensor batch(long index, int n) {
                return Tensor.of(Scenes.batch(1_000_000L + index * n, n, size), n, 3, size, size);
            }

            @Override
            public int channels() {
                return 3;
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public String name() {
                return "procedural scenes " + size + "px";
            }
        };
    }

    /** Fashion-MNIST training images padded from 28 to 32 pixels, in random batches. */
    public static Data fashion(Path dir) {
        FashionMnist train;
        try {
            train = FashionMnist.train(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
        }
        return new Data() {
            @Override
            public Tensor batch(long index, int n) {
                Random r = new Random(index * 31 + 7);
                float[] v = new float[n * 32 * 32];
                java.util.Arrays.fill(v, -1f);
                for (int i = 0; i < n; i++) {
                    float[] px = train.pixels(r.nextInt(train.size()));
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            v[i * 1024 + (y + 2) * 32 + x + 2] = px[y * 28 + x] * 2 - 1;
                        }
                    }
                }
                return Tensor.of(v, n, 1, 32, 32);
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public int size() {
                return 32;
            }

            @Override
            public String name() {
                return "Fashion-MNIST 32px";
            }
        };
    }

    public GanTrainer nz(int v) {
        nz = Check.atLeastOne("nz", v);
        return this;
    }

    public GanTrainer ngf(int v) {
        ngf = Check.atLeastOne("ngf", v);
        return this;
    }

    public GanTrainer ndf(int v) {
        ndf = Check.atLeastOne("ndf", v);
        return this;
    }

    @Override
    public GanTrainer steps(int n) {
        return super.steps(Check.atLeastOne("steps", n));
    }

    public GanTrainer batch(int v) {
        batch = Check.atLeastOne("batch", v);
        return this;
    }

    public GanTrainer lr(double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("lr must be a positive finite number, got " + v);
        }
        lr = (float) v;
        return this;
    }

    /**
     * Decay of the moving average of the generator's weights that {@link #run} returns (0 returns the last step's
     * weights). The average smooths the step-to-step jitter of adversarial training, which shows as colour speckle
     * in single-step weights (Yazıcı et al., ICLR 2019; used by ProGAN, StyleGAN, BigGAN). Early steps use
     * {@code (1+t)/(10+t)} when smaller, so short runs are not held at the initial weights. Default 0.999.
     */
    public GanTrainer ema(double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("ema must be in [0, 1) (0 turns the average off), got " + beta);
        }
        ema = beta;
        return this;
    }

    /**
     * One-sided label smoothing (Salimans et al., "Improved Techniques for Training GANs", 2016): the
     * discriminator's target for real pictures is {@code 1 - amount} instead of 1, so it cannot grow arbitrarily
     * confident and the generator keeps getting gradients. Default 0 (pytorch/examples' DCGAN).
     */
    public GanTrainer labelSmoothing(double amount) {
        if (!(amount >= 0 && amount < 0.5)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 0.5), got " + amount);
        }
        smoothing = (float) amount;
        return this;
    }

    /**
     * The generator of the most recent training run in this JVM, also when it was interrupted or stopped on a NaN
     * (then as of its last good step); null before any.
     */
    public static Generator lastGenerator() {
        return LastResults.of(Generator.class);
    }

    /** Discriminator and generator loss per completed step. */
    public List<float[]> losses() {
        return List.copyOf(losses);
    }


    /**
     * Trains and returns the generator (eval mode: batch norm uses the running statistics). With {@link #ema} on,
     * the returned weights are the moving average, and batch norm's statistics are recomputed for them over
     * {@value #STANDING_BATCHES} batches of codes; a run stopped by NaN keeps the last good step's own weights.
     */
    public Generator run() {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed());
        int size = data.size();
        Random random = new Random(seed());
        Network g0 = Architecture.dcganGenerator(nz, ngf, data.channels(), size).randomInit(seed());
        Network d0 = Architecture.dcganDiscriminator(ndf, data.channels(), size).randomInit(seed() + 1);
        Network g = g0.withParameters(dcganInit(g0, random), "DCGAN trained on " + data.name());
        Network d = d0.withParameters(dcganInit(d0, random), "DCGAN discriminator");
        g0.close();
        d0.close();
        String dLogit = lastConv(d);
        Generator gen = Generator.of(g, nz);
        Tensor fixed = gen.sampleZ(16, seed() + 99);
        String title = "training DCGAN on " + data.name();
        LiveDisplay figure = live() ? LiveDisplay.create() : null;
        Progress bar = live() ? Progress.of(steps(), title) : null;
        int done;
        int goodStep;
        NonFiniteException failure;
        try (NDManager state = g.newScope()) {
            Map<String, NDArray> gp = g.parameters();
            Map<String, NDArray> dp = d.parameters();
            Map<String, NDArray> gTrained = new LinkedHashMap<>();
            Map<String, NDArray> dTrained = new LinkedHashMap<>();
            for (var e : gp.entrySet()) {
                if (trainable(e.getKey())) {
                    gTrained.put(e.getKey(), e.getValue());
                }
            }
            for (var e : dp.entrySet()) {
                if (trainable(e.getKey())) {
                    dTrained.put(e.getKey(), e.getValue());
                }
            }
            WeightsSnapshot average = ema > 0 ? WeightsSnapshot.of(gTrained, state) : null;
            gTrained.values().forEach(p -> p.setRequiresGradient(true));
            dTrained.values().forEach(p -> p.setRequiresGradient(true));
            // pytorch/examples' DCGAN betas
            Adam adamG = new Adam(state, lr, 0.5, 0.999);
            Adam adamD = new Adam(state, lr, 0.5, 0.999);
            Forward train = Forward.plain().training(true);
            Forward dTrain = Forward.capture(dLogit).training(true);
            // guards G: as it was before the last step whose losses were finite is what a later NaN leaves
            GuardedSteps guard = new GuardedSteps(gp, state);
            guard.run(steps(), g::newScope, (step, m) -> {
                NDArray real = data.batch(step, batch).toNDArray(m);
                NDArray z = gen.sampleZ(batch, seed() * 1_000_003L + step).toNDArray(m);
                float lossD;
                float lossG;
                // discriminator: real -> 1 (1 - smoothing), fake -> 0 (the fake is cut from G's graph); G runs once per step,
                // as in pytorch/examples, and its graph is kept for the generator's update below
                NDArray fakeG;
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    fakeG = g.forward(z, train).get(Network.OUTPUT);
                    NDArray fake = fakeG.stopGradient();
                    NDArray lr1 = d.forward(real, dTrain).get(dLogit);
                    NDArray lf = d.forward(fake, dTrain).get(dLogit);
                    NDArray realTerm = smoothing == 0 ? softplus(lr1.neg())
                            : softplus(lr1.neg()).mul(1 - smoothing).add(softplus(lr1).mul(smoothing));
                    NDArray loss = realTerm.mean().add(softplus(lf).mean());
                    lossD = NonFiniteException.check(loss.getFloat(), TECHNIQUE, "the discriminator loss", step);
                    gc.backward(loss);
                }
                NonFiniteException.checkGradients(dTrained, m, TECHNIQUE, step);
                adamD.step(dTrained, m);
                // generator: make D call the fake real (non-saturating loss)
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray lf = d.forward(fakeG, dTrain).get(dLogit);
                    NDArray loss = softplus(lf.neg()).mean();
                    lossG = NonFiniteException.check(loss.getFloat(), TECHNIQUE, "the generator loss", step);
                    gc.backward(loss);
                }
                zeroGrads(dp);
                // both losses of G as it was at the start of this step are finite: that G is good
                guard.lossesFinite(step);
                NonFiniteException.checkGradients(gTrained, m, TECHNIQUE, step);
                adamG.step(gTrained, m);
                if (average != null) {
                    average.average(gTrained, (float) Math.min(ema, (1.0 + step) / (10.0 + step)));
                }
                losses.add(new float[] {lossD, lossG});
                int st = step + 1;
                if (figure != null) {
                    figure.update(() -> frame(gen, fixed, title + " · step " + st));
                    bar.set("D", lossD).set("G", lossG).step();
                }
                if (options().listensAt(step)) {
                    new Frame(TECHNIQUE, st, steps(), Map.of("D", (double) lossD, "G", (double) lossG),
                            () -> frame(gen, fixed, title + " · step " + st).render())
                            .deliverTo(options().listener());
                }
            });
            for (NDArray p : gp.values()) {
                p.setRequiresGradient(false);
            }
            guard.restoreAfterFailure();
            done = guard.done();
            goodStep = guard.goodStep();
            failure = guard.failure();
            if (average != null && failure == null && done > 0) {
                if (rawWeightsFile != null) {
                    saveRaw(gp);
                }
                average.restore(gp);
                standingStatistics(g, gen);
            }
        } finally {
            d.close();
            if (bar != null) {
                bar.close();
            }
        }
        if (failure != null && goodStep < 0) {
            gen.close();
            throw failure.keeping(null, "nothing was kept (the first step already failed)", "Try a lower lr(...)");
        }
        if (figure != null) {
            figure.finish(frame(gen, fixed, title + " · " + (failure == null ? done : goodStep) + " steps"
                    + (failure != null ? " (stopped: "
                    + failure.quantity() + " became " + failure.value() + " at step " + failure.step() + ")"
                    : done < steps() ? " (interrupted)" : "")));
        }
        LastResults.keep(gen);
        if (failure != null) {
            throw failure.keeping(gen, "the generator as of step " + goodStep
                    + " is kept in GanTrainer.lastGenerator()", "Try a lower lr(...)");
        }
        return gen;
    }

    /** Batches of codes whose batch statistics replace the running ones after the weights were averaged. */
    static final int STANDING_BATCHES = 40;

    /**
     * Batch norm's running statistics were gathered for the last step's weights; the average needs its own. Each
     * training-mode pass moves them 10% towards its batch, so 40 passes leave 1.5% of the old values.
     */
    private void standingStatistics(Network g, Generator gen) {
        Forward pass = Forward.plain().training(true);
        for (int i = 0; i < STANDING_BATCHES; i++) {
            try (NDManager m = g.newScope()) {
                NDArray z = gen.sampleZ(Math.max(batch, 32), seed() * 7_919L + i).toNDArray(m);
                Autograd.withoutGradients(() -> g.forward(z, pass));
            }
        }
    }

    private void saveRaw(Map<String, NDArray> weights) {
        try {
            WeightsFiles.saveSafetensors(weights, rawWeightsFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + rawWeightsFile + ": " + e.getMessage(), e);
        }
    }

    private static String lastConv(Network d) {
        List<String> names = d.layerNames();
        return names.get(names.size() - 2);
    }

    /** Whether a parameter is learned (batch norm's running statistics are not). */
    static boolean trainable(String key) {
        return !key.endsWith("running_mean") && !key.endsWith("running_var");
    }

    /** log(1 + e^x), stable for large |x|: the BCE-with-logits terms. */
    private static NDArray softplus(NDArray x) {
        return x.maximum(0f).add(x.abs().neg().exp().add(1f).log());
    }

    private static Map<String, Tensor> dcganInit(Network net, Random random) {
        Map<String, Tensor> init = new LinkedHashMap<>();
        for (var e : net.parameters().entrySet()) {
            long[] shape = e.getValue().getShape().getShape();
            int n = (int) e.getValue().size();
            float[] v = new float[n];
            String k = e.getKey();
            if (k.endsWith(".weight") && shape.length == 4) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.02);
                }
            } else if (k.endsWith(".weight") && shape.length == 1) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (1 + random.nextGaussian() * 0.02);
                }
            } else if (k.endsWith("running_var")) {
                java.util.Arrays.fill(v, 1f);
            }
            init.put(k, Tensor.of(v, shape));
        }
        return init;
    }

    private static void zeroGrads(Map<String, NDArray> params) {
        for (var e : params.entrySet()) {
            if (trainable(e.getKey())) {
                Autograd.zeroGradient(e.getValue());
            }
        }
    }

    private static ImageGrid frame(Generator g, Tensor z, String title) {
        return ImageGrid.of(Generator.pictures(g.generate(z))).columns(8).cellSize(Math.max(64, g.network().info().resize() * 2)).title(title);
    }

    /** Saves a generator's weights as safetensors (load with {@link Generator#load}). */
    public static void save(Generator g, Path file) throws IOException {
        WeightsFiles.saveSafetensors(g.network().parameters(), file);
    }

    /**
     * Trains a built-in generator: {@code scenes|fashion [steps] [output file] [raw output file]}; the last writes
     * the last step's own weights beside the average, for comparing them.
     */
    public static void main(String[] args) throws IOException {
        String which = args.length > 0 ? args[0] : "scenes";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : which.equals("scenes") ? 7000 : 3000;
        Path out = Path.of(args.length > 2 ? args[2]
                : "kernel-ext/src/main/resources/dev/neurolens/generate/" + which + "_dcgan.safetensors");
        GanTrainer t = switch (which) {
            case "scenes" -> on(scenes(64)).ngf(16).ndf(16).nz(64).batch(32).labelSmoothing(0.1);
            case "fashion" -> on(fashion(FashionMnist.DEFAULT_DIR)).ngf(32).ndf(32).nz(32).batch(32);
            default -> throw new IllegalArgumentException("train 'scenes' or 'fashion', not '" + which + "'");
        };
        long start = System.nanoTime();
        t.steps(steps).live(false);
        if (args.length > 3) {
            t.rawWeightsFile = Path.of(args[3]);
        }
        Thread reporter = new Thread(() -> {
            int last = 0;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
                List<float[]> l = t.losses();
                if (l.size() > last) {
                    float[] x = l.get(l.size() - 1);
                    System.out.printf(Locale.ROOT, "step %d/%d  D %.3f  G %.3f  (%.0f s)%n", l.size(), steps, x[0], x[1],
                            (System.nanoTime() - start) / 1e9);
                    last = l.size();
                }
            }
        });
        reporter.setDaemon(true);
        reporter.start();
        try (Generator g = t.run()) {
            save(g, out);
            System.out.printf(Locale.ROOT, "wrote %s (%d bytes) after %.0f s%n", out, Files.size(out),
                    (System.nanoTime() - start) / 1e9);
            Path png = Path.of(out + ".png");
            javax.imageio.ImageIO.write(g.samples(32, 5).cellSize(128).render(), "png", png.toFile());
            System.out.println("samples: " + png);
        }
        reporter.interrupt();
    }
}
