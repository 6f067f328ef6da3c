package dev.neurolens.magics;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.data.Pictures;
import dev.neurolens.data.Samples;
import dev.neurolens.data.SharedData;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Model;
import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.WeightsException;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where every magic resolves what it takes by name: the model ({@code --model} and {@code --random}, declared by
 * {@link #modelOptions} with one help text) and pictures ({@link #picture}). Loaded models are kept in one cache for
 * the session; a notebook variable is read afresh on each call, since a cell may have reassigned it.
 */
final class MagicInputs {
    /** The old spelling of --random, kept for notebooks written before it: random:vgg16. */
    private static final String RANDOM_PREFIX = "random:";
    private static final String BUILTIN = "fashion_cnn";
    /** {@code --model robust}: the built-in model adversarially trained, whose class pictures look like garments. */
    private static final String ROBUST = "robust";
    private static final String FASHION_PREFIX = "fashion:";
    private static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z_$][\\w$]*");
    private static final Map<String, Model> MODELS = new LinkedHashMap<>();
    /** Pretrained names whose weights were not found, with the reason, so the lookup is not repeated. */
    private static final Map<String, String> MISSING = new HashMap<>();

    /** What a picture argument takes, said the same way by every magic's help. */
    static final String PICTURE_HELP = "a picture file, a sample name such as chelsea, or fashion:INDEX";

    private MagicInputs() {
    }

    /** Declares --model (default {@code defaultModel}) and --random, with the help text every magic shares. */
    static ArgSchema.Builder modelOptions(ArgSchema.Builder b, String defaultModel) {
        return b.option("model", ArgSchema.Type.STRING, defaultModel, modelHelp())
                .flag("random", "the same architecture with random weights (seed 0), e.g. to compare with training");
    }

    static String modelHelp() {
        return "a pretrained name (" + String.join(", ", Models.available()) + "; %style and %dream use random "
                + "weights, said so, when they are not here), default (the built-in Fashion-MNIST CNN), robust (the same "
                + "adversarially trained), a file "
                + "(ARCH*.pth or .safetensors weights named after their architecture, e.g. vgg16-397923af.pth; "
                + ".pt TorchScript, %saliency only) or a notebook variable holding a Network";
    }

    /** The model --model and --random name; any {@link Model}, so a TorchScript file too. */
    static Model model(Args args) {
        return resolve(args, false);
    }

    /** The model --model and --random name, for magics that need a {@link Network} (layers, weights). */
    static Network network(Args args) {
        return asNetwork(resolve(args, false), args);
    }

    /**
     * For magics whose pictures still mean something with random weights (%style, %dream): a pretrained name gets
     * its trained weights when they are here, else the same architecture with random weights (seed 0), and one
     * printed line says so every time, as the figure's title does.
     */
    static Network networkOrRandom(Args args) {
        return asNetwork(resolve(args, true), args);
    }

    /**
     * For texture and style: the named network with its trained weights when they are here; else the random
     * multi-scale texture features ({@link Architecture#RANDOM_MULTISCALE}), whose Gram matrices carry style with
     * no training at all, where a random-weight copy of the named network would give colour noise. One printed
     * line says so every time, as the figure's title does. {@code --random} still gives the named architecture
     * with random weights.
     */
    static Network textureNetworkOrRandom(Args args) {
        String given = args.string("model");
        if (args.flag("random") || given.startsWith(RANDOM_PREFIX) || isFile(given)
                || !Architecture.names().contains(given) || given.equals(BUILTIN)) {
            return networkOrRandom(args);
        }
        synchronized (MagicInputs.class) {
            if (given.equals(Architecture.RANDOM_MULTISCALE)) {
                return (Network) cached("random:" + given, () -> Models.random(given, 0));
            }
            String why = MISSING.get(given);
            if (why == null) {
                try {
                    return (Network) cached(given, () -> Models.model(given));
                } catch (WeightsException e) {
                    why = e.getMessage();
                    MISSING.put(given, why);
                }
            }
            System.out.println("Neurolens: %" + args.schema().magic() + " uses random multi-scale texture features "
                    + "(untrained by design) instead of " + given + ", because " + why);
            return (Network) cached("random:" + Architecture.RANDOM_MULTISCALE,
                    () -> Models.random(Architecture.RANDOM_MULTISCALE, 0));
        }
    }

    private static synchronized Model resolve(Args args, boolean fallBackToRandom) {
        String magic = args.schema().magic();
        String given = args.string("model");
        boolean random = args.flag("random") || given.startsWith(RANDOM_PREFIX);
        String unprefixed = given.startsWith(RANDOM_PREFIX) ? given.substring(RANDOM_PREFIX.length()) : given;
        String spec = unprefixed.equals("default") ? BUILTIN : unprefixed;
        if (spec.equals(ROBUST) && !random) {
            return cached(ROBUST, Models::robustDefaultModel);
        }
        if (isFile(spec)) {
            return file(spec, random, magic);
        }
        if (Architecture.names().contains(spec)) {
            if (random) {
                return cached("random:" + spec, () -> Models.random(spec, 0));
            }
            if (spec.equals(BUILTIN)) {
                return cached(BUILTIN, Models::defaultModel);
            }
            if (spec.equals(Architecture.RANDOM_MULTISCALE)) {
                return cached("random:" + spec, () -> Models.random(spec, 0)); // untrained by design
            }
            return fallBackToRandom ? pretrainedOrRandom(spec, magic) : pretrained(spec);
        }
        if (JAVA_NAME.matcher(spec).matches()) {
            return variable(spec, random, magic);
        }
        throw new MagicArgumentException("%" + magic + ": --model '" + spec + "' is " + whatModelIs());
    }

    private static String whatModelIs() {
        return "not a model name (" + String.join(", ", Models.available()) + ", default, robust), a model file (.pth, "
                + ".safetensors, .pt) or a notebook variable; see --help";
    }

    private static Model cached(String key, Supplier<Model> load) {
        Model m = MODELS.get(key);
        if (m == null) {
            m = load.get();
            MODELS.put(key, m);
        }
        return m;
    }

    private static Model pretrained(String name) {
        return cached(name, () -> {
            try {
                return Models.model(name);
            } catch (WeightsException e) {
                throw new WeightsException(e.getMessage() + " Without them, use --model " + name
                        + " --random (random weights) or --model default (the built-in Fashion-MNIST model).", e);
            }
        });
    }

    private static Model pretrainedOrRandom(String name, String magic) {
        String why = MISSING.get(name);
        if (why == null) {
            try {
                return cached(name, () -> Models.model(name));
            } catch (WeightsException e) {
                why = e.getMessage();
                MISSING.put(name, why);
            }
        }
        System.out.println("Neurolens: %" + magic + " uses " + name + " with random weights (seed 0), because " + why);
        return cached("random:" + name, () -> Models.random(name, 0));
    }

    private static boolean isFile(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        return lower.endsWith(".pth") || lower.endsWith(".pt") || lower.endsWith(".safetensors")
                || spec.indexOf('/') >= 0 || spec.indexOf(java.io.File.separatorChar) >= 0;
    }

    /**
     * A weights file ({@code .pth}, {@code .safetensors}) whose name starts with its architecture, as torchvision's
     * do, or a TorchScript file ({@code .pt}), read as an ImageNet classifier. Cached by path and modification time,
     * so a file written again is read again.
     */
    private static Model file(String spec, boolean random, String magic) {
        Path path = Path.of(spec).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new MagicArgumentException("%" + magic + ": no model file " + path);
        }
        String fileName = path.getFileName().toString();
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".pt")) {
            if (random) {
                throw new MagicArgumentException("%" + magic + ": --random needs an architecture, and " + fileName
                        + " is TorchScript; drop --random, or give an architecture name: --model vgg16 --random");
            }
            ModelInfo imagenet = Architecture.of("squeezenet1_1").info();
            return cached("file:" + path + "@" + modified(path), () -> Models.torchScript(path, new ModelInfo(fileName,
                    3, imagenet.resize(), imagenet.crop(), imagenet.mean(), imagenet.std(), imagenet.labels())));
        }
        if (!lower.endsWith(".pth") && !lower.endsWith(".safetensors")) {
            throw new MagicArgumentException("%" + magic + ": " + fileName + " is not a model file Neurolens reads; "
                    + "use .pth or .safetensors (weights) or .pt (TorchScript)");
        }
        String arch = architectureOf(lower);
        if (arch == null) {
            throw new MagicArgumentException("%" + magic + ": cannot tell the architecture of " + fileName
                    + ": name the file after it (one of " + String.join(", ", Architecture.names())
                    + ", e.g. vgg16-mine.pth), or load it in a cell, var net = Models.load(\"vgg16\", Path.of(\""
                    + spec + "\")), and use --model net");
        }
        if (random) {
            return cached("random:" + arch, () -> Models.random(arch, 0));
        }
        return cached("file:" + path + "@" + modified(path), () -> Models.load(arch, path));
    }

    /** The longest architecture name the file name starts with, followed by a separator ("vgg16-397923af.pth"). */
    private static String architectureOf(String fileName) {
        String best = null;
        for (String a : Architecture.names()) {
            if (fileName.startsWith(a) && (best == null || a.length() > best.length())
                    && "-_.".indexOf(fileName.charAt(a.length())) >= 0) {
                best = a;
            }
        }
        return best;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** A variable a cell defined; not cached, since a later cell may assign it another model. */
    private static Model variable(String name, boolean random, String magic) {
        NotebookVariables lookup = MagicRegistry.variables();
        Optional<Object> value = lookup == null ? Optional.empty() : lookup.value(name);
        if (value.isEmpty()) {
            throw new MagicArgumentException("%" + magic + ": --model '" + name + "' is " + whatModelIs()
                    + (lookup == null ? " (notebook variables are read in the Neurolens kernel only)" : ""));
        }
        if (!(value.get() instanceof Model m)) {
            throw new MagicArgumentException("%" + magic + ": --model " + name + " is a "
                    + value.get().getClass().getSimpleName() + ", not a Network; e.g. var " + name
                    + " = Models.model(\"vgg16\");");
        }
        if (!random) {
            return m;
        }
        if (!(m instanceof Network n)) {
            throw new MagicArgumentException("%" + magic + ": --random needs an architecture, and " + name
                    + " is TorchScript; drop --random, or give an architecture name: --model vgg16 --random");
        }
        String arch = n.architecture().name();
        return Architecture.names().contains(arch) ? cached("random:" + arch, () -> Models.random(arch, 0))
                : n.architecture().randomInit(0);
    }

    private static Network asNetwork(Model m, Args args) {
        if (m instanceof Network n) {
            return n;
        }
        String magic = args.schema().magic();
        throw new MagicArgumentException("%" + magic + " needs a network built from an architecture (a name, a "
                + ".pth or .safetensors file, or a Network variable); --model " + args.string("model")
                + " is TorchScript, which only %saliency takes");
    }

    /**
     * A picture: {@code fashion:INDEX} (a Fashion-MNIST test picture), a file path, else a sample name, else a file of
     * the shared images or styles folders.
     */
    static BufferedImage picture(String nameOrPath) {
        if (nameOrPath.startsWith(FASHION_PREFIX)) {
            return fashion(nameOrPath);
        }
        Path p = Path.of(nameOrPath);
        if (!Files.isRegularFile(p)) {
            if (Samples.has(nameOrPath)) {
                return Samples.image(nameOrPath);
            }
            Optional<Path> shared = Stream.of("images", "styles").map(SharedData::folder)
                    .flatMap(Optional::stream).map(d -> d.resolve(nameOrPath)).filter(Files::isRegularFile).findFirst();
            if (shared.isEmpty()) {
                throw new MagicArgumentException("no picture '" + nameOrPath + "': not a file and not a sample ("
                        + String.join(", ", Samples.names()) + ")" + sharedHint()
                        + "; or fashion:INDEX for a Fashion-MNIST test picture");
            }
            p = shared.get();
        }
        try {
            return Pictures.read(p);
        } catch (IllegalArgumentException e) {
            throw new MagicArgumentException(e.getMessage());
        }
    }

    private static BufferedImage fashion(String spec) {
        int index;
        try {
            index = Integer.parseInt(spec.substring(FASHION_PREFIX.length()));
        } catch (NumberFormatException e) {
            throw new MagicArgumentException("fashion:INDEX needs a number, got '" + spec + "'");
        }
        try {
            FashionMnist test = FashionMnist.test();
            if (index < 0 || index >= test.size()) {
                throw new MagicArgumentException("Fashion-MNIST test index " + index + " out of range 0.."
                        + (test.size() - 1));
            }
            return test.image(index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared folders' files, when that optional folder exists. */
    private static String sharedHint() {
        List<String> names = new ArrayList<>();
        for (String f : List.of("images", "styles")) {
            SharedData.folder(f).ifPresent(d -> {
                try (Stream<Path> s = Files.list(d)) {
                    s.map(x -> x.getFileName().toString()).sorted().forEach(names::add);
                } catch (IOException ignored) {
                    // listing is only a hint
                }
            });
        }
        return names.isEmpty() ? "" : ", nor in the shared folders (" + String.join(", ", names) + ")";
    }
}
