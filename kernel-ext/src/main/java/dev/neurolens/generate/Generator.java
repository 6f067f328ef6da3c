package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.RawTensor;
import dev.neurolens.model.ScriptModule;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightStore;
import dev.neurolens.model.WeightsEntry;
import dev.neurolens.model.WeightsException;
import dev.neurolens.model.WeightsFiles;
import dev.neurolens.run.Check;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;

/**
 * A generator G(z) -> image over a {@link Network} whose input is a latent code of shape
 * {@code N x zDim x 1 x 1} and whose output is an image batch in [-1, 1] (tanh), as in DCGAN, or roughly so
 * (Progressive GAN, see {@link #pretrained(String)}). Images come out in [0, 1]. Because G is a {@link Network}, every technique that captures or hooks layers (dissection,
 * ablation, insertion, rewriting) works on it unchanged. Close it to free the weights.
 *
 * <pre>{@code
 * Generator g = Generator.of(network, 100);
 * Tensor z = g.sampleZ(16, 1);
 * Tensor images = g.generate(z);                                   // 16 x 3 x 64 x 64 in [0, 1]
 * Map<String, Tensor> r = g.generate(z, Forward.capture("main.6").hook("main.6", LayerHook.zero(3, 17)));
 * }</pre>
 */
public final class Generator implements AutoCloseable {
    /** Key of the images in the map returned by {@link #generate(Tensor, Forward)}. */
    public static final String OUTPUT = Network.OUTPUT;

    /** The built-in generators, trained by {@link GanTrainer#main}: see {@link #builtin(String)}. */
    public static final List<String> BUILTIN = List.of("scenes", "fashion");

    /** GAN Dissection's Progressive GANs (256 px LSUN scenes): see {@link #pretrained(String)}. */
    public static final List<String> PRETRAINED = List.of("churchoutdoor", "bedroom", "kitchen", "livingroom");

    /** Leading hex digits of each published file's sha256, as in its name (the torch hub convention). */
    private static final Map<String, String> PRETRAINED_HASH = Map.of("churchoutdoor", "7e701dd5",
            "bedroom", "d8a89ff1", "kitchen", "67f1e16c", "livingroom", "5ef336dd");

    private final Network network;
    private final Scripted script;
    private final int zDim;
    /**
     * Clamp images to [0, 1]: for networks without a final tanh (Progressive GAN). Read off the network, so
     * copies made by {@link #of} (inversion, rewriting) keep it.
     */
    private final boolean clamp;

    private Generator(Network network, Scripted script, int zDim) {
        this.network = network;
        this.script = script;
        this.zDim = zDim;
        this.clamp = network != null && !endsInTanh(network);
    }

    private static boolean endsInTanh(Network network) {
        List<dev.neurolens.model.Layer> all = network.allLayers();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (!all.get(i).kind().isContainer()) {
                return all.get(i).kind() == dev.neurolens.model.LayerKind.TANH;
            }
        }
        return false;
    }

    /**
     * Wraps a network taking {@code N x zDim x 1 x 1} codes to images in [-1, 1]; the generator owns it from now
     * on. Unless the network ends in a tanh, images are clamped to [0, 1] after mapping.
     */
    public static Generator of(Network network, int zDim) {
        Check.atLeastOne("zDim", zDim);
        return new Generator(network, null, zDim);
    }

    /**
     * A generator the project trained itself, read from the jar: {@code "scenes"} draws 64 px outdoor scenes
     * (sky, clouds, mountains, grass, roads, trees, buildings with roofs, doors and windows) whose concepts
     * {@link dev.neurolens.data.Scenes} labels exactly; {@code "fashion"} draws 32 px Fashion-MNIST clothes.
     */
    public static Generator builtin(String name) {
        if (!BUILTIN.contains(name)) {
            throw new IllegalArgumentException("no built-in generator '" + name + "'; built-in: "
                    + String.join(", ", BUILTIN) + "; pretrained (Generator.pretrained): " + String.join(", ", PRETRAINED)
                    + " (or Generator.load(path) for a DCGAN or Progressive GAN .pth / .safetensors / TorchScript .pt)");
        }
        String file = name + "_dcgan.safetensors";
        try (InputStream in = Generator.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new WeightsException(file + " is missing from the jar; train it with GanTrainer.main(\""
                        + name + "\")");
            }
            byte[] bytes = in.readAllBytes();
            String source = "built-in " + file;
            return fromStateDict(WeightsFiles.readSafetensors(new java.io.ByteArrayInputStream(bytes), source), source,
                    arch -> arch.load(new java.io.ByteArrayInputStream(bytes), source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One of GAN Dissection's published Progressive GAN generators ({@link #PRETRAINED}: {@code churchoutdoor},
     * {@code bedroom}, {@code kitchen}, {@code livingroom}; LSUN scenes at 256 px, code size 512), with layers
     * {@code layer1} ... {@code layer14} to capture, dissect and ablate as the built-in DCGANs. The file
     * {@code proggan_<name>-<hash>.pth} is looked up as ImageNet weights are ({@link WeightStore}): in the folder
     * named by {@code NEUROLENS_WEIGHTS}, then in the cache ({@code NEUROLENS_CACHE}, default
     * {@code ~/.cache/neurolens}), else downloaded into the cache from {@code http://gandissect.csail.mit.edu/models/}
     * (about 70 MB). Its {@code <hash>} is the leading 8 hex digits of the file's sha256 (the torch hub
     * convention), and only that prefix is checked: a file whose sha256 starts otherwise is refused. Offline
     * (or with {@code NEUROLENS_OFFLINE=true}) the exception names the URL and the folders to put the file in.
     */
    public static Generator pretrained(String name) {
        return pretrained(name, WeightStore.fromEnvironment());
    }

    /** {@link #pretrained(String)} from the given store (a local folder, a cache, online or not). */
    public static Generator pretrained(String name, WeightStore store) {
        return load(store.locate(pretrainedEntry(name)));
    }

    /** The registry entry (file name, URL, sha256 prefix) of a published Progressive GAN. */
    public static WeightsEntry pretrainedEntry(String name) {
        String hash = PRETRAINED_HASH.get(name);
        if (hash == null) {
            throw new IllegalArgumentException("no pretrained generator '" + name + "'; pretrained (GAN Dissection "
                    + "Progressive GANs, 256 px): " + String.join(", ", PRETRAINED) + "; built-in: "
                    + String.join(", ", BUILTIN));
        }
        return new WeightsEntry("proggan_" + name, "progan_g256",
                "http://gandissect.csail.mit.edu/models/proggan_" + name + "-" + hash + ".pth", hash);
    }

    /**
     * A generator from a file: a DCGAN state_dict ({@code torch.save(netG.state_dict(), ...)} as in
     * pytorch/examples {@code dcgan/main.py}, or safetensors), whose code size, width, channels and image size
     * are read off the weight shapes; a Progressive GAN state_dict as GAN Dissection's {@code proggan.py} saves
     * it ({@code layer1.conv.weight}, ..., {@code output_256x256.wscale.b}, or its older {@code features.N}
     * names; sizes read off the weights, {@link Architecture#proganGenerator(int[])}), whose unbounded output is
     * mapped to [0, 1] and clamped; or a TorchScript module ({@code torch.jit.trace(netG, z).save(...)}) taking
     * {@code N x zDim x 1 x 1} codes to tanh images. A TorchScript generator only generates: its layers are
     * compiled away, so captures and hooks (dissection, ablation, rewriting) need the state_dict instead.
     */
    public static Generator load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("generator file " + file.toAbsolutePath() + " does not exist");
        }
        if (isTorchScript(file)) {
            return torchScript(file, -1);
        }
        return fromStateDict(WeightsFiles.read(file), file.toString(), arch -> arch.load(file));
    }

    /** A TorchScript generator with a known code size ({@code zDim <= 0}: read it off the first weight). */
    public static Generator torchScript(Path file, int zDim) {
        Scripted s = Scripted.load(file, zDim);
        return new Generator(null, s, s.zDim);
    }

    static Generator fromStateDict(Map<String, RawTensor> w, String source,
                                           java.util.function.Function<Architecture, Network> loader) {
        if (w.containsKey("layer1.conv.weight") || w.containsKey("features.0.conv.weight")) {
            return progan(w, source);
        }
        RawTensor first = w.get("main.0.weight");
        if (first == null || first.shape().length != 4) {
            throw new WeightsException(source + " is neither a DCGAN generator state_dict (no 4-D main.0.weight) "
                    + "nor a Progressive GAN one (no layer1.conv.weight); keys start with: "
                    + String.join(", ", w.keySet().stream().limit(6).toList())
                    + ". Other generators load as TorchScript (.pt) or through Generator.of(network, zDim).");
        }
        int convs = 0;
        long[] last = first.shape();
        for (var e : w.entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().shape().length == 4) {
                convs++;
                last = e.getValue().shape();
            }
        }
        int size = convs == 5 ? 64 : convs == 4 ? 32 : -1;
        if (size < 0) {
            throw new WeightsException(source + " has " + convs + " transposed convolutions; DCGAN generators have "
                    + "5 (64 px) or 4 (32 px)");
        }
        int nz = (int) first.shape()[0];
        Architecture arch = Architecture.dcganGenerator(nz, (int) last[0], (int) last[1], size);
        return of(loader.apply(arch), nz);
    }

    /** GAN Dissection's ProgressiveGenerator: sizes as its {@code sizes_from_state_dict} reads them. */
    private static Generator progan(Map<String, RawTensor> w, String source) {
        if (!w.containsKey("layer1.conv.weight")) {
            w = renameOldProgan(w);
        }
        List<Integer> sizes = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            RawTensor t = w.get("layer" + (i + 1) + ".conv.weight");
            if (t == null) {
                break;
            }
            if (t.shape().length != 4) {
                throw new WeightsException(source + ": layer" + (i + 1) + ".conv.weight has shape " + t.shapeString()
                        + "; a Progressive GAN's convolution weights are out x in x k x k");
            }
            if (i == 0) {
                sizes.add((int) t.shape()[1]);
            }
            if (i % 2 == 0) {
                sizes.add((int) t.shape()[0]);
            }
        }
        if (sizes.size() < 3) {
            throw new WeightsException(source + " has too few layers for a Progressive GAN generator (layer1 ... "
                    + "layer4 at least, then output_DxD)");
        }
        Architecture arch = Architecture.proganGenerator(sizes.stream().mapToInt(Integer::intValue).toArray());
        return new Generator(arch.load(w, source), null, sizes.get(0));
    }

    /** The first PyTorch port's names ({@code features.N.*}, {@code output.*}) as {@code proggan.py} converts them. */
    private static Map<String, RawTensor> renameOldProgan(Map<String, RawTensor> old) {
        Map<String, RawTensor> w = new LinkedHashMap<>();
        int n = 0;
        while (old.containsKey("features." + n + ".conv.weight")) {
            n++;
        }
        int dim = 4 << Math.max(0, (n - 1) / 2);
        for (var e : old.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("features.")) {
                int dot = k.indexOf('.', "features.".length());
                int i = Integer.parseInt(k.substring("features.".length(), dot));
                k = "layer" + (i + 1) + k.substring(dot);
            } else if (k.startsWith("output.")) {
                k = "output_" + dim + "x" + dim + k.substring("output".length());
            }
            w.put(k, e.getValue());
        }
        return w;
    }

    private static boolean isTorchScript(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            // torch.jit.save archives hold compiled code; torch.save state_dicts only data.pkl and tensors
            return zip.stream().anyMatch(e -> e.getName().contains("/code/") || e.getName().endsWith("constants.pkl"));
        } catch (IOException notZip) {
            return false;
        }
    }

    public int zDim() {
        return zDim;
    }

    /** The layer graph (for captures, hooks, weights); a TorchScript generator has none. */
    public Network network() {
        if (network == null) {
            throw new UnsupportedOperationException(script.why());
        }
        return network;
    }

    /** True when this generator exposes its layers (loaded from weights, not TorchScript). */
    public boolean hasLayers() {
        return network != null;
    }

    public String name() {
        return network != null ? network.name() : script.name;
    }

    /** Layer names for captures and hooks; empty for a TorchScript generator. */
    public List<String> layerNames() {
        return network != null ? network.layerNames() : List.of();
    }

    /** {@code n} codes from a standard normal, reproducible from {@code seed}. */
    public Tensor sampleZ(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("need at least one sample, got " + n);
        }
        Random r = new Random(seed);
        float[] v = new float[n * zDim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, n, zDim, 1, 1);
    }

    /** Images for the codes {@code z}, {@code N x C x H x W} in [0, 1]. */
    /** {@code n} pictures from the codes {@code sampleZ(n, seed)}, as a grid for the notebook. */
    public dev.neurolens.display.ImageGrid samples(int n, long seed) {
        return dev.neurolens.display.ImageGrid.of(pictures(generate(sampleZ(n, seed)))).columns(Math.min(n, 8));
    }

    /** The pictures of a batch of generated images ({@code N x C x H x W} in [0, 1], as {@link #generate} gives). */
    public static List<java.awt.image.BufferedImage> pictures(Tensor images) {
        List<java.awt.image.BufferedImage> out = new java.util.ArrayList<>((int) images.dim(0));
        for (int i = 0; i < images.dim(0); i++) {
            Tensor one = images.slice(i);
            out.add(dev.neurolens.display.Images.fromFloats(one.toFloatArray(),
                    dev.neurolens.display.Images.PixelRange.UNIT, one.shape()));
        }
        return out;
    }

    public Tensor generate(Tensor z) {
        return generate(z, Forward.plain()).get(OUTPUT);
    }

    /**
     * Runs G with {@code spec}'s captures and hooks (always to the image): the map holds each capture by the
     * name asked for, raw, and the images in [0, 1] under {@link #OUTPUT}.
     */
    public Map<String, Tensor> generate(Tensor z, Forward spec) {
        checkZ(z);
        try (NDManager scope = network != null ? network.newScope() : script.module.manager().newSubManager()) {
            Map<String, NDArray> out = forward(z.toNDArray(scope), spec);
            Map<String, Tensor> copied = new LinkedHashMap<>();
            out.forEach((k, v) -> copied.put(k, Tensor.from(v)));
            return copied;
        }
    }

    /**
     * The array-level pass for techniques that manage their own scope (inversion, training): images in [0, 1]
     * under {@link #OUTPUT}, differentiable; arrays belong to {@code z}'s manager.
     */
    public Map<String, NDArray> forward(NDArray z, Forward spec) {
        if (network == null) {
            if (!spec.captures().isEmpty() || !spec.hooks().isEmpty()) {
                throw new UnsupportedOperationException(script.why());
            }
            Map<String, NDArray> out = new LinkedHashMap<>();
            out.put(OUTPUT, script.forward(z).add(1f).div(2f));
            return out;
        }
        Map<String, NDArray> out = new LinkedHashMap<>(network.forward(z, spec.toOutput()));
        NDArray images = out.get(OUTPUT).add(1f).div(2f);
        out.put(OUTPUT, clamp ? images.clip(0f, 1f) : images);
        return out;
    }

    private void checkZ(Tensor z) {
        long[] s = z.shape();
        if (s.length != 4 || s[1] != zDim || s[2] != 1 || s[3] != 1) {
            throw new IllegalArgumentException("latent codes must have shape N x " + zDim + " x 1 x 1, got "
                    + java.util.Arrays.toString(s) + "; use sampleZ(n, seed)");
        }
    }

    @Override
    public void close() {
        if (network != null) {
            network.close();
        } else {
            script.close();
        }
    }

    @Override
    public String toString() {
        return "Generator[" + name() + ", z " + zDim + ", " + (network != null ? network.source() : "TorchScript")
                + "]";
    }

    /** A TorchScript generator: forward only, in eval mode, gradients allowed (for inversion of z). */
    private static final class Scripted {
        final ScriptModule module;
        final int zDim;
        final boolean flat;
        final String name;

        private Scripted(ScriptModule module, int zDim, boolean flat, String name) {
            this.module = module;
            this.zDim = zDim;
            this.flat = flat;
            this.name = name;
        }

        static Scripted load(Path file, int zDim) {
            ScriptModule module = null;
            try {
                module = ScriptModule.load(file); // eval(): batch norm uses its running statistics
                boolean flat = false;
                if (zDim <= 0) {
                    long[] shape = null;
                    for (var p : module.directParameters()) {
                        Parameter param = p.getValue();
                        if (param.getArray() != null && param.getArray().getShape().dimension() >= 2) {
                            shape = param.getArray().getShape().getShape();
                            break;
                        }
                    }
                    if (shape == null) {
                        throw new WeightsException("cannot tell the code size of TorchScript " + file
                                + ": it has no weights; use Generator.torchScript(path, zDim)");
                    }
                    // ConvTranspose2d weights are in x out x k x k; Linear weights out x in
                    flat = shape.length == 2;
                    zDim = (int) (flat ? shape[1] : shape[0]);
                }
                Scripted s = new Scripted(module, zDim, flat, file.getFileName().toString());
                try (NDManager probe = module.manager().newSubManager()) {
                    s.forward(probe.zeros(new Shape(1, zDim, 1, 1)));
                } catch (RuntimeException e) {
                    throw new WeightsException("TorchScript " + file + " does not take a code of " + zDim
                            + " values (" + e.getMessage().lines().findFirst().orElse("") + "); pass the size: "
                            + "Generator.torchScript(path, zDim)", e);
                }
                return s;
            } catch (RuntimeException e) {
                if (module != null) {
                    module.close();
                }
                if (e instanceof WeightsException) {
                    throw e;
                }
                throw new WeightsException("cannot load TorchScript generator " + file + ": " + e.getMessage(), e);
            }
        }

        NDArray forward(NDArray z) {
            NDArray in = flat ? z.reshape(z.getShape().get(0), zDim) : z;
            return module.forwardTensor(in, z.getManager(), "TorchScript generator", "an image tensor");
        }

        String why() {
            return "generator " + name + " is TorchScript: its layers are compiled into one graph, so captures, "
                    + "hooks and weight edits cannot reach them. Load its state_dict instead (torch.save("
                    + "netG.state_dict(), 'g.pth'); Generator.load(Path.of(\"g.pth\"))).";
        }

        void close() {
            module.close();
        }
    }
}
