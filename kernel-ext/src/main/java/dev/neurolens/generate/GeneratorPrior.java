package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Models;
import dev.neurolens.model.NDArrayOps;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.RawTensor;
import dev.neurolens.model.StandardLayers;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;
import dev.neurolens.model.WeightsFiles;

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
    static final String G = "generator.";
    static final String R = "denoiser.";
    private static final String STATS = "code.";
    private static final String LAYER = "layer.";

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

    GeneratorPrior(Network classifier, boolean ownsClassifier, String layer, Generator generator,
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
                        + "GeneratorPriorTrainer.main(\"<file>\")");
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
    public static GeneratorPriorTrainer train(Network classifier, String layer, ImageSet data) {
        return new GeneratorPriorTrainer(classifier, layer, data);
    }

    /**
     * The prior of the most recent training run in this JVM, also when it was interrupted or stopped on a NaN (then
     * as of its last good step); null before any. Close it when done.
     */
    public static GeneratorPrior lastTrained() {
        return dev.neurolens.run.LastResults.of(GeneratorPrior.class);
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
            x = NDArrayOps.resizeBilinear(x, crop, crop);
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

    static NDArray encoderPass(Network net, String layer, NDArray inputs) {
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
        List<Layer> l = List.of(StandardLayers.flatten("flatten"), StandardLayers.dense("0", d, hidden),
                StandardLayers.relu("1"), StandardLayers.dense("2", hidden, hidden), StandardLayers.relu("3"),
                StandardLayers.dense("4", hidden, d));
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
}
