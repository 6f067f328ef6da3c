package dev.neurolens.model;

import dev.neurolens.model.internal.Blocks;
import dev.neurolens.model.internal.Layers;
import dev.neurolens.model.internal.Layers.AdaptiveAvgPool2d;
import dev.neurolens.model.internal.Blocks.BasicBlock;
import dev.neurolens.model.internal.Layers.BatchNorm2d;
import dev.neurolens.model.internal.Layers.Activation;
import dev.neurolens.model.internal.Layers.Conv2d;
import dev.neurolens.model.internal.GeneratorLayers.ConvTranspose2d;
import dev.neurolens.model.internal.Layers.Dense;
import dev.neurolens.model.internal.Layers.DropoutLayer;
import dev.neurolens.model.internal.Blocks.Fire;
import dev.neurolens.model.internal.Layers.Flatten;
import dev.neurolens.model.internal.Layers.MaxPool2d;
import dev.neurolens.model.internal.GeneratorLayers.PixelNorm;
import dev.neurolens.model.internal.Layers.Relu;
import dev.neurolens.model.internal.Blocks.Sequential;
import dev.neurolens.model.internal.GeneratorLayers.UpsampleNearest;
import dev.neurolens.model.internal.GeneratorLayers.WScale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A network's structure without weights: torchvision's module tree (same names, same state_dict keys),
 * friendly aliases, and the input it expects. Build a {@link Network} from it with weights.
 */
public final class Architecture {
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Fashion-MNIST training-set pixel mean and std (of values scaled to [0, 1]). */
    static final float[] FASHION_MEAN = {0.2860f};
    static final float[] FASHION_STD = {0.3530f};
    public static final List<String> FASHION_LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * The texture network that needs no training: one layer of random zero-mean filters at each level of an image
     * pyramid ({@link #randomMultiScale}).
     */
    public static final String RANDOM_MULTISCALE = "random_multiscale";
    /** Feature maps per pyramid level of {@link #RANDOM_MULTISCALE}. */
    static final int MULTISCALE_MAPS = 128;

    private static final Map<String, Supplier<Architecture>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("squeezenet1_1", Architecture::squeezenet11);
        KNOWN.put("alexnet", Architecture::alexnet);
        KNOWN.put("vgg16", () -> vgg("vgg16", new int[] {2, 2, 3, 3, 3}));
        KNOWN.put("vgg19", () -> vgg("vgg19", new int[] {2, 2, 4, 4, 4}));
        KNOWN.put("resnet18", Architecture::resnet18);
        KNOWN.put("fashion_cnn", Architecture::fashionCnn);
        KNOWN.put(RANDOM_MULTISCALE, Architecture::randomMultiScale);
    }


    /** How {@link #randomInit} names its weights' source; {@link Network#randomWeights} looks for it. */
    static final String RANDOM_SOURCE = "random init";

    private final String name;
    private final List<Layer> layers;
    private final Map<String, String> aliases;
    private final ModelInfo info;
    /** Convolution filters drawn with zero mean and unit norm (the random texture network), not He-normal. */
    private final boolean zeroMeanFilters;
    /** How another JVM builds this architecture again, or null. */
    private final Recipe recipe;

    private Architecture(String name, List<Layer> layers, Map<String, String> aliases, ModelInfo info) {
        this(name, layers, aliases, info, false, null);
    }

    private Architecture(String name, List<Layer> layers, Map<String, String> aliases, ModelInfo info,
                         boolean zeroMeanFilters) {
        this(name, layers, aliases, info, zeroMeanFilters, null);
    }

    private Architecture(String name, List<Layer> layers, Map<String, String> aliases, ModelInfo info,
                         boolean zeroMeanFilters, Recipe recipe) {
        this.zeroMeanFilters = zeroMeanFilters;
        this.recipe = recipe;
        this.name = name;
        this.layers = List.copyOf(layers);
        this.aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        this.info = info;
    }

    /**
     * An architecture of your own from layers ({@code dev.neurolens.model.internal.Layers}), named as its
     * state_dict will be; e.g. a small fully convolutional segmenter.
     */
    public static Architecture custom(String name, List<Layer> layers, ModelInfo info) {
        return new Architecture(name, layers, Map.of(), info);
    }

    /** An architecture by name: squeezenet1_1, alexnet, vgg16, vgg19, resnet18, fashion_cnn. */
    public static Architecture of(String name) {
        Supplier<Architecture> s = KNOWN.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "'; known: "
                    + String.join(", ", KNOWN.keySet()));
        }
        return s.get().rebuiltBy(new Named(name));
    }

    /**
     * How to build an architecture again in another JVM (a cluster's executors): small and serializable, such as a
     * reference to the static method that made it ({@code SceneClassifier::architecture}).
     */
    @FunctionalInterface
    public interface Recipe extends java.io.Serializable {
        Architecture build();
    }

    /** A registered architecture, by name. */
    private record Named(String name) implements Recipe {
        public Architecture build() {
            return of(name);
        }
    }

    /**
     * This architecture, rebuilt elsewhere by {@code recipe} (which must give the same layers), so networks made of
     * it can travel to a cluster ({@link PortableNetwork}); registered architectures have one already.
     */
    public Architecture rebuiltBy(Recipe recipe) {
        return new Architecture(name, layers, aliases, info, zeroMeanFilters, recipe);
    }

    /** How another JVM builds this architecture again, or null when it cannot. */
    public Recipe recipe() {
        return recipe;
    }

    public static List<String> names() {
        return List.copyOf(KNOWN.keySet());
    }

    public String name() {
        return name;
    }

    /** Top-level layers in evaluation order. */
    public List<Layer> layers() {
        return layers;
    }

    /** Friendly name -> torchvision name, e.g. conv5_3 -> features.28. */
    public Map<String, String> aliases() {
        return aliases;
    }

    public ModelInfo info() {
        return info;
    }

    /** Every state_dict key this architecture needs, with its shape, in module order. */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> p = new LinkedHashMap<>();
        for (Layer l : layers) {
            p.putAll(l.parameterShapes());
        }
        return p;
    }

    /** A network with the weights of a torchvision state_dict file ({@code torch.save(model.state_dict())}). */
    public Network load(Path pth) {
        return Network.create(this, WeightsFiles.read(pth), pth.toString());
    }

    /** A network with weights already read (e.g. by {@code WeightsFiles.read}); {@code source} names them. */
    public Network load(Map<String, RawTensor> stateDict, String source) {
        return Network.create(this, stateDict, source);
    }

    /** A network with the weights of a safetensors stream (e.g. a resource in the jar); {@code source} names it. */
    public Network load(java.io.InputStream safetensors, String source) {
        try {
            return Network.create(this, WeightsFiles.readSafetensors(safetensors, source),
                    source);
        } catch (java.io.IOException e) {
            throw new WeightsException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A network with random weights (He-normal convolutions and linears, zero biases, identity batch norm):
     * for training from scratch, or random-feature visualizations when no trained weights are at hand.
     */
    public Network randomInit(long seed) {
        Random random = new Random(seed);
        Map<String, RawTensor> weights = new LinkedHashMap<>();
        for (var e : parameterShapes().entrySet()) {
            long[] shape = e.getValue();
            String key = e.getKey();
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            float[] v = new float[n];
            if (key.endsWith(".weight") && shape.length > 1) {
                long fanIn = n / shape[0];
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (random.nextGaussian() * std);
                }
                if (zeroMeanFilters) {
                    zeroMeanUnitNorm(v, (int) fanIn);
                }
            } else if (key.endsWith(".running_var") || (key.endsWith(".weight") && shape.length == 1)) {
                java.util.Arrays.fill(v, 1f);
            }
            weights.put(key, RawTensor.ofFloats(v, shape));
        }
        return Network.create(this, weights, RANDOM_SOURCE + " (seed " + seed + ")");
    }

    /** Each filter (a run of {@code fanIn} values) shifted to mean 0 and scaled to norm 1. */
    private static void zeroMeanUnitNorm(float[] v, int fanIn) {
        for (int f = 0; f < v.length; f += fanIn) {
            double mean = 0;
            for (int i = f; i < f + fanIn; i++) {
                mean += v[i];
            }
            mean /= fanIn;
            double norm = 0;
            for (int i = f; i < f + fanIn; i++) {
                v[i] -= (float) mean;
                norm += v[i] * (double) v[i];
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int i = f; i < f + fanIn; i++) {
                v[i] *= scale;
            }
        }
    }

    @Override
    public String toString() {
        return "Architecture[" + name + "]";
    }

    /**
     * Random multi-scale texture features (after Ustyuzhaninov, Brendel, Gatys &amp; Bethge, "What does it take to
     * generate natural textures?", ICLR 2017, who match VGG-quality textures with one layer of random filters of
     * many sizes): an image pyramid (binomial blur, 2x down) with one layer of {@value #MULTISCALE_MAPS} random
     * zero-mean 5x5 filters and a ReLU at each level, read at {@code scale1}, {@code scale2}, {@code scale4} and
     * {@code scale8} (receptive fields of 5, 13, 29 and 61 px). No training: its Gram matrices carry colour, strokes
     * and motifs at four sizes, so texture synthesis and style transfer are recognizable with no trained network.
     */
    private static Architecture randomMultiScale() {
        List<Layer> top = new ArrayList<>();
        int[] scales = {1, 2, 4, 8};
        for (int i = 0; i < scales.length; i++) {
            if (i > 0) {
                top.add(new Layers.BlurDown("down" + scales[i]));
            }
            String n = "scale" + scales[i];
            top.add(new Blocks.Tap(n, List.of(new Conv2d(n + ".conv", 3, MULTISCALE_MAPS, 5, 1, 2, false),
                    new Relu(n + ".relu"))));
        }
        ModelInfo info = new ModelInfo(RANDOM_MULTISCALE, 3, 256, 224, IMAGENET_MEAN, IMAGENET_STD, List.of());
        return new Architecture(RANDOM_MULTISCALE, top, Map.of(), info, true);
    }

    /**
     * The DCGAN generator of pytorch/examples {@code dcgan/main.py} (keys {@code main.0.weight} ...), for
     * {@code size} 32 or 64: a code {@code N x nz x 1 x 1} grows by transposed convolutions (4x4, stride 2) with
     * batch norm and ReLU to a {@code channels x size x size} tanh image. Size 32 drops the first doubling.
     */
    public static Architecture dcganGenerator(int nz, int ngf, int channels, int size) {
        int stages = dcganStages(size);
        List<Layer> m = new ArrayList<>();
        int width = ngf << (stages - 1);
        int i = 0;
        m.add(new ConvTranspose2d("main." + i, nz, width, 4, 1, 0, 0, false));
        for (int s = 0; s < stages; s++) {
            m.add(new BatchNorm2d("main." + (i + 1), width));
            m.add(new Relu("main." + (i + 2)));
            i += 3;
            int next = s == stages - 1 ? channels : width / 2;
            m.add(new ConvTranspose2d("main." + i, width, next, 4, 2, 1, 0, false));
            width = next;
        }
        m.add(Activation.tanh("main." + (i + 1)));
        Map<String, String> aliases = new LinkedHashMap<>();
        int block = 1;
        for (Layer l : m) {
            if (l instanceof Relu) {
                aliases.put("layer" + block++, l.name());
            }
        }
        String name = "dcgan_g" + size;
        ModelInfo info = new ModelInfo(name, nz, size, size, filled(nz, 0f), filled(nz, 1f), List.of());
        return new Architecture(name, List.of(new Sequential("main", m)), aliases, info);
    }

    /**
     * The matching DCGAN discriminator ({@code main.0} ... {@code main.12}, ending in a sigmoid; its last
     * convolution gives the logit), for {@code size} 32 or 64.
     */
    public static Architecture dcganDiscriminator(int ndf, int channels, int size) {
        int stages = dcganStages(size);
        List<Layer> m = new ArrayList<>();
        m.add(new Conv2d("main.0", channels, ndf, 4, 2, 1, false));
        m.add(Activation.leakyRelu("main.1", 0.2f));
        int width = ndf;
        int i = 2;
        for (int s = 1; s < stages; s++) {
            m.add(new Conv2d("main." + i, width, width * 2, 4, 2, 1, false));
            width *= 2;
            m.add(new BatchNorm2d("main." + (i + 1), width));
            m.add(Activation.leakyRelu("main." + (i + 2), 0.2f));
            i += 3;
        }
        m.add(new Conv2d("main." + i, width, 1, 4, 1, 0, false));
        m.add(Activation.sigmoid("main." + (i + 1)));
        String name = "dcgan_d" + size;
        ModelInfo info = new ModelInfo(name, channels, size, size, filled(channels, 0.5f), filled(channels, 0.5f),
                List.of("real"));
        return new Architecture(name, List.of(new Sequential("main", m)), Map.of(), info);
    }

    /**
     * The Progressive GAN generator of GAN Dissection ({@code netdissect/proggan.py}, {@code ProgressiveGenerator})
     * at a standard resolution: 8, 16, 32, 64, 128, 256 or 1024 px, with the channel schedule of that file
     * (256 px: 512, 512, 512, 512, 256, 128, 64, 32). See {@link #proganGenerator(int[])}.
     */
    public static Architecture proganGenerator(int resolution) {
        int[] sizes = switch (resolution) {
            case 8 -> new int[] {512, 512, 512};
            case 16 -> new int[] {512, 512, 512, 512};
            case 32 -> new int[] {512, 512, 512, 512, 256};
            case 64 -> new int[] {512, 512, 512, 512, 256, 128};
            case 128 -> new int[] {512, 512, 512, 512, 256, 128, 64};
            case 256 -> new int[] {512, 512, 512, 512, 256, 128, 64, 32};
            case 1024 -> new int[] {512, 512, 512, 512, 512, 256, 128, 64, 32, 16};
            default -> throw new IllegalArgumentException("Progressive GAN resolutions are 8, 16, 32, 64, 128, 256 "
                    + "or 1024, got " + resolution + "; give the channel sizes instead: proganGenerator(int[])");
        };
        return proganGenerator(sizes);
    }

    /**
     * The Progressive GAN generator of GAN Dissection with state_dict names {@code layer1.conv.weight},
     * {@code layer1.wscale.b}, ..., {@code output_256x256.wscale.b}. {@code sizes} are the code size and then the
     * channels at 4x4, 8x8, 16x16, ...: {@code layer1} maps the code ({@code N x sizes[0] x 1 x 1}) to 4x4 by a
     * 4x4 convolution with padding 3, {@code layer2} is a 3x3 convolution at 4x4, then each further size adds a
     * pair: an upsampling block (nearest 2x, 3x3 convolution) and a 3x3 block, so the image is
     * {@code 4 * 2^(sizes.length - 2)} px. Every block is pixel norm, bias-free convolution, WScale
     * ({@code x * gain / sqrt(in_channels) + b}, gain {@code sqrt(2) / kernel}) and LeakyReLU(0.2), and its output
     * is the layer {@code layerN} that dissection captures and hooks. The output block {@code output_DxD} (pixel
     * norm, 1x1 convolution to RGB, WScale with gain 1) has no tanh: images are roughly in [-1, 1], unclamped.
     */
    public static Architecture proganGenerator(int[] sizes) {
        if (sizes.length < 3) {
            throw new IllegalArgumentException("a Progressive GAN needs at least 3 sizes (code, 4x4, 8x8), got "
                    + java.util.Arrays.toString(sizes));
        }
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("channel sizes must be positive: " + java.util.Arrays.toString(sizes));
            }
        }
        List<Layer> top = new ArrayList<>();
        top.add(proganBlock("layer1", sizes[0], sizes[1], 4, 3, false));
        top.add(proganBlock("layer2", sizes[1], sizes[1], 3, 1, false));
        for (int i = 1; i + 1 < sizes.length; i++) {
            top.add(proganBlock("layer" + (top.size() + 1), sizes[i], sizes[i + 1], 3, 1, true));
            top.add(proganBlock("layer" + (top.size() + 1), sizes[i + 1], sizes[i + 1], 3, 1, false));
        }
        int dim = 4 << (top.size() / 2 - 1);
        String out = "output_" + dim + "x" + dim;
        int last = sizes[sizes.length - 1];
        top.add(new Sequential(out, List.of(new PixelNorm(out + ".norm"),
                new Conv2d(out + ".conv", last, 3, 1, 1, 0, false), new WScale(out + ".wscale", 3, last, 1.0))));
        String name = "progan_g" + dim;
        ModelInfo info = new ModelInfo(name, sizes[0], dim, dim, filled(sizes[0], 0f), filled(sizes[0], 1f), List.of());
        return new Architecture(name, top, Map.of(), info);
    }

    private static Layer proganBlock(String name, int in, int out, int kernel, int padding, boolean upsample) {
        List<Layer> b = new ArrayList<>();
        b.add(new PixelNorm(name + ".norm"));
        if (upsample) {
            b.add(new UpsampleNearest(name + ".up"));
        }
        b.add(new Conv2d(name + ".conv", in, out, kernel, 1, padding, false));
        b.add(new WScale(name + ".wscale", out, in, Math.sqrt(2) / kernel));
        b.add(Activation.leakyRelu(name + ".relu", 0.2f));
        return new Sequential(name, b);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static int dcganStages(int size) {
        if (size == 64) {
            return 4;
        }
        if (size == 32) {
            return 3;
        }
        throw new IllegalArgumentException("DCGAN sizes are 32 or 64, got " + size);
    }

    // ---- the architectures, transcribed from torchvision 0.14 ----

    private static ModelInfo imagenet(String name) {
        return new ModelInfo(name, 3, 256, 224, IMAGENET_MEAN, IMAGENET_STD, ImageNetClasses.names());
    }

    private static Architecture squeezenet11() {
        List<Layer> f = new ArrayList<>();
        f.add(new Conv2d("features.0", 3, 64, 3, 2, 0, true));
        f.add(new Relu("features.1"));
        f.add(new MaxPool2d("features.2", 3, 2, 0, true));
        f.add(new Fire("features.3", 64, 16, 64, 64));
        f.add(new Fire("features.4", 128, 16, 64, 64));
        f.add(new MaxPool2d("features.5", 3, 2, 0, true));
        f.add(new Fire("features.6", 128, 32, 128, 128));
        f.add(new Fire("features.7", 256, 32, 128, 128));
        f.add(new MaxPool2d("features.8", 3, 2, 0, true));
        f.add(new Fire("features.9", 256, 48, 192, 192));
        f.add(new Fire("features.10", 384, 48, 192, 192));
        f.add(new Fire("features.11", 384, 64, 256, 256));
        f.add(new Fire("features.12", 512, 64, 256, 256));
        List<Layer> c = List.of(new DropoutLayer("classifier.0", 0.5f),
                new Conv2d("classifier.1", 512, 1000, 1, 1, 0, true), new Relu("classifier.2"),
                new AdaptiveAvgPool2d("classifier.3", 1, 1));
        Map<String, String> a = new LinkedHashMap<>();
        a.put("conv1", "features.0");
        a.put("relu1", "features.1");
        a.put("pool1", "features.2");
        for (int i = 0; i < 8; i++) {
            a.put("fire" + (i + 2), "features." + new int[] {3, 4, 6, 7, 9, 10, 11, 12}[i]);
        }
        a.put("pool3", "features.5");
        a.put("pool5", "features.8");
        a.put("conv10", "classifier.1");
        a.put("relu10", "classifier.2");
        a.put("pool10", "classifier.3");
        a.put("logits", "flatten");
        return new Architecture("squeezenet1_1", List.of(new Sequential("features", f),
                new Sequential("classifier", c), new Flatten("flatten")), a, imagenet("squeezenet1_1"));
    }

    private static Architecture alexnet() {
        List<Layer> f = List.of(new Conv2d("features.0", 3, 64, 11, 4, 2, true), new Relu("features.1"),
                new MaxPool2d("features.2", 3, 2, 0, false),
                new Conv2d("features.3", 64, 192, 5, 1, 2, true), new Relu("features.4"),
                new MaxPool2d("features.5", 3, 2, 0, false),
                new Conv2d("features.6", 192, 384, 3, 1, 1, true), new Relu("features.7"),
                new Conv2d("features.8", 384, 256, 3, 1, 1, true), new Relu("features.9"),
                new Conv2d("features.10", 256, 256, 3, 1, 1, true), new Relu("features.11"),
                new MaxPool2d("features.12", 3, 2, 0, false));
        List<Layer> c = List.of(new DropoutLayer("classifier.0", 0.5f), new Dense("classifier.1", 9216, 4096),
                new Relu("classifier.2"), new DropoutLayer("classifier.3", 0.5f),
                new Dense("classifier.4", 4096, 4096), new Relu("classifier.5"),
                new Dense("classifier.6", 4096, 1000));
        Map<String, String> a = new LinkedHashMap<>();
        String[] names = {"conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3", "conv4", "relu4",
            "conv5", "relu5", "pool5"};
        for (int i = 0; i < names.length; i++) {
            a.put(names[i], "features." + i);
        }
        a.put("fc6", "classifier.1");
        a.put("relu6", "classifier.2");
        a.put("fc7", "classifier.4");
        a.put("relu7", "classifier.5");
        a.put("fc8", "classifier.6");
        a.put("logits", "classifier.6");
        return new Architecture("alexnet", List.of(new Sequential("features", f), new AdaptiveAvgPool2d("avgpool", 6, 6),
                new Flatten("flatten"), new Sequential("classifier", c)), a, imagenet("alexnet"));
    }

    private static Architecture vgg(String name, int[] convsPerBlock) {
        List<Layer> f = new ArrayList<>();
        Map<String, String> a = new LinkedHashMap<>();
        int in = 3;
        int[] widths = {64, 128, 256, 512, 512};
        for (int b = 0; b < 5; b++) {
            for (int k = 0; k < convsPerBlock[b]; k++) {
                String id = (b + 1) + "_" + (k + 1);
                a.put("conv" + id, "features." + f.size());
                f.add(new Conv2d("features." + f.size(), in, widths[b], 3, 1, 1, true));
                a.put("relu" + id, "features." + f.size());
                f.add(new Relu("features." + f.size()));
                in = widths[b];
            }
            a.put("pool" + (b + 1), "features." + f.size());
            f.add(new MaxPool2d("features." + f.size(), 2, 2, 0, false));
        }
        List<Layer> c = List.of(new Dense("classifier.0", 25088, 4096), new Relu("classifier.1"),
                new DropoutLayer("classifier.2", 0.5f), new Dense("classifier.3", 4096, 4096),
                new Relu("classifier.4"), new DropoutLayer("classifier.5", 0.5f),
                new Dense("classifier.6", 4096, 1000));
        a.put("fc6", "classifier.0");
        a.put("relu6", "classifier.1");
        a.put("fc7", "classifier.3");
        a.put("relu7", "classifier.4");
        a.put("fc8", "classifier.6");
        a.put("logits", "classifier.6");
        return new Architecture(name, List.of(new Sequential("features", f), new AdaptiveAvgPool2d("avgpool", 7, 7),
                new Flatten("flatten"), new Sequential("classifier", c)), a, imagenet(name));
    }

    private static Architecture resnet18() {
        List<Layer> top = new ArrayList<>();
        top.add(new Conv2d("conv1", 3, 64, 7, 2, 3, false));
        top.add(new BatchNorm2d("bn1", 64));
        top.add(new Relu("relu"));
        top.add(new MaxPool2d("maxpool", 3, 2, 1, false));
        int in = 64;
        Map<String, String> a = new LinkedHashMap<>();
        a.put("pool1", "maxpool");
        for (int s = 1; s <= 4; s++) {
            int out = 64 << (s - 1);
            int stride = s == 1 ? 1 : 2;
            top.add(new Sequential("layer" + s, List.of(new BasicBlock("layer" + s + ".0", in, out, stride),
                    new BasicBlock("layer" + s + ".1", out, out, 1))));
            a.put("conv" + (s + 1) + "_x", "layer" + s);
            in = out;
        }
        top.add(new AdaptiveAvgPool2d("avgpool", 1, 1));
        top.add(new Flatten("flatten"));
        top.add(new Dense("fc", 512, 1000));
        a.put("logits", "fc");
        return new Architecture("resnet18", top, a, imagenet("resnet18"));
    }

    /** The built-in Fashion-MNIST classifier: three conv blocks and two fully connected layers. */
    private static Architecture fashionCnn() {
        List<Layer> f = List.of(new Conv2d("features.0", 1, 32, 3, 1, 1, true), new Relu("features.1"),
                new MaxPool2d("features.2", 2, 2, 0, false),
                new Conv2d("features.3", 32, 64, 3, 1, 1, true), new Relu("features.4"),
                new MaxPool2d("features.5", 2, 2, 0, false),
                new Conv2d("features.6", 64, 64, 3, 1, 1, true), new Relu("features.7"),
                new MaxPool2d("features.8", 2, 2, 0, false));
        List<Layer> c = List.of(new Dense("classifier.0", 64 * 3 * 3, 128), new Relu("classifier.1"),
                new DropoutLayer("classifier.2", 0.3f), new Dense("classifier.3", 128, 10));
        Map<String, String> a = new LinkedHashMap<>();
        String[] names = {"conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3", "pool3"};
        for (int i = 0; i < names.length; i++) {
            a.put(names[i], "features." + i);
        }
        a.put("fc1", "classifier.0");
        a.put("relu4", "classifier.1");
        a.put("fc2", "classifier.3");
        a.put("logits", "classifier.3");
        return new Architecture("fashion_cnn", List.of(new Sequential("features", f), new Flatten("flatten"),
                new Sequential("classifier", c)), a,
                new ModelInfo("fashion_cnn", 1, 28, 28, FASHION_MEAN, FASHION_STD, FASHION_LABELS));
    }

    static List<Layer> allLayers(Architecture arch) {
        return Blocks.flatten(arch.layers);
    }
}
