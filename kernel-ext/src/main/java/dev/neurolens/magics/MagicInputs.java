package dev.neurolens.magics;

import dev.neurolens.data.SharedData;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.WeightsException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the optimization magics take by name: networks ("default" for the built-in Fashion-MNIST model,
 * "random:vgg16" for random weights, else a pretrained registry name), kept open across calls; pictures by
 * path or by file name in the shared images and styles folders.
 */
final class MagicInputs {
    private static final Map<String, Network> NETWORKS = new LinkedHashMap<>();

    private MagicInputs() {
    }

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

    static BufferedImage picture(String nameOrPath) {
        Path p = Path.of(nameOrPath);
        if (!Files.isRegularFile(p)) {
            Optional<Path> shared = Stream.of("images", "styles").map(SharedData::folder)
                    .flatMap(Optional::stream).map(d -> d.resolve(nameOrPath)).filter(Files::isRegularFile).findFirst();
            if (shared.isEmpty()) {
                throw new IllegalArgumentException("no picture '" + nameOrPath + "': not a file, and not in the shared "
                        + "images or styles folders (" + available() + ")");
            }
            p = shared.get();
        }
        try {
            BufferedImage img = ImageIO.read(p.toFile());
            if (img == null) {
                throw new IllegalArgumentException(p + " is not a picture ImageIO can read (PNG, JPEG, GIF, BMP)");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static String available() {
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
        return names.isEmpty() ? "no shared data folder found" : "there: " + String.join(", ", names);
    }
}
