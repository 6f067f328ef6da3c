package dev.neurolens.magics;

import dev.neurolens.data.Pictures;
import dev.neurolens.data.Samples;
import dev.neurolens.data.SharedData;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.WeightsException;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the optimization magics take by name: networks ("default" for the built-in Fashion-MNIST model,
 * "random:vgg16" for random weights, else a pretrained registry name), kept open across calls; pictures by
 * path, by sample name ({@link Samples}: chelsea, starry_night, …), or by file name in the optional shared
 * images and styles folders.
 */
final class MagicInputs {
    private static final Map<String, Network> NETWORKS = new LinkedHashMap<>();
    /** Pretrained names whose weights were not found, with the reason, so the lookup is not repeated. */
    private static final Map<String, String> MISSING = new HashMap<>();

    private MagicInputs() {
    }

    /** A network by name; a pretrained name without its weights is an error that says what to use instead. */
    static synchronized Network network(String name) {
        Network cached = NETWORKS.get(name);
        if (cached != null) {
            return cached;
        }
        Network n;
        if (name.equals("default") || name.equals("fashion_cnn")) {
            n = Models.defaultModel();
        } else if (name.startsWith("random:")) {
            n = Models.random(name.substring("random:".length()), 0);
        } else {
            try {
                n = Models.model(name);
            } catch (WeightsException e) {
                throw new WeightsException(e.getMessage() + " Without them, use --model random:" + name
                        + " (random weights) or --model default (the built-in Fashion-MNIST model).", e);
            }
        }
        NETWORKS.put(name, n);
        return n;
    }

    /**
     * For magics whose pictures still mean something with random weights (%style, %dream): a pretrained name
     * gets its trained weights when they are here, else the same architecture with random weights (seed 0), and
     * one printed line says so every time, as the figure's title does.
     */
    static synchronized Network networkOrRandom(String name, String magic) {
        if (name.equals("default") || name.equals("fashion_cnn") || name.startsWith("random:")) {
            return network(name);
        }
        String why = MISSING.get(name);
        if (why == null) {
            Network cached = NETWORKS.get(name);
            if (cached != null) {
                return cached;
            }
            try {
                Network n = Models.model(name);
                NETWORKS.put(name, n);
                return n;
            } catch (WeightsException e) {
                why = e.getMessage();
                MISSING.put(name, why);
            }
        }
        System.out.println("Neurolens: %" + magic + " uses " + name + " with random weights (seed 0), because " + why);
        return network("random:" + name);
    }

    /** A picture: a file path, else a sample name, else a file of the shared images or styles folders. */
    static BufferedImage picture(String nameOrPath) {
        Path p = Path.of(nameOrPath);
        if (!Files.isRegularFile(p)) {
            if (Samples.has(nameOrPath)) {
                return Samples.image(nameOrPath);
            }
            Optional<Path> shared = Stream.of("images", "styles").map(SharedData::folder)
                    .flatMap(Optional::stream).map(d -> d.resolve(nameOrPath)).filter(Files::isRegularFile).findFirst();
            if (shared.isEmpty()) {
                throw new MagicArgumentException("no picture '" + nameOrPath + "': not a file and not a sample ("
                        + String.join(", ", Samples.names()) + ")" + sharedHint());
            }
            p = shared.get();
        }
        try {
            return Pictures.read(p);
        } catch (IllegalArgumentException e) {
            throw new MagicArgumentException(e.getMessage());
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
