package dev.neurolens.optimize.internal;

import ai.djl.engine.Engine;
import dev.neurolens.data.SharedData;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.optimize.FastStyle;
import dev.neurolens.optimize.FastStyleModel;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trains the built-in two-style fast-style model ({@code FastStyle.builtIn()}: The Starry Night and mosaic, with
 * conditional instance norm) and writes its weights as safetensors. The loss network is what notebook 05 uses
 * without ImageNet weights: VGG16 with random weights (seed 0). Content: random crops (scale, position, flip) of
 * the photos in the shared data's {@code images/} and Debian's scikit-learn sample images. Reproduce the committed
 * resource from the repository root (about 15 minutes on 2 CPU cores) with:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dai.djl.offline=true -Dexec.mainClass=dev.neurolens.optimize.internal.TrainFastStyle \
 *     -Dexec.args="out=kernel-ext/src/main/resources/dev/neurolens/optimize/fast_style_starry_mosaic.safetensors"
 * </pre>
 *
 * Arguments are {@code key=value} and all optional: {@code out}, {@code preview} (a PNG of the model on two
 * photos), {@code steps}, {@code size}, {@code batch}, {@code width}, {@code lr}, {@code content} (weight),
 * {@code style}, {@code tv}, {@code contentLayer}, {@code styleLayers} (comma-separated), {@code seed},
 * {@code threads} (default 1: small convolutions gain little from a second thread, and on a busy machine a thread
 * team waiting for a descheduled member costs several times more),
 * {@code images} (folders or files, colon-separated), {@code styles} (folder with starry_night.jpg, mosaic.jpg).
 */
public final class TrainFastStyle {
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("out", "kernel-ext/src/main/resources/dev/neurolens/optimize/fast_style_starry_mosaic.safetensors");
        DEFAULTS.put("preview", "");
        DEFAULTS.put("steps", "600");
        DEFAULTS.put("size", "128");
        DEFAULTS.put("batch", "2");
        DEFAULTS.put("width", "16");
        DEFAULTS.put("lr", "3e-3");
        DEFAULTS.put("content", "1");
        DEFAULTS.put("style", "10");
        DEFAULTS.put("tv", "1e-2");
        DEFAULTS.put("contentLayer", "relu2_2");
        DEFAULTS.put("styleLayers", "relu1_1,relu2_1,relu3_1,relu4_1");
        DEFAULTS.put("seed", "7");
        DEFAULTS.put("threads", "1");
        DEFAULTS.put("images", SharedData.folder("images").map(Path::toString).orElse("")
                + ":/usr/lib/python3/dist-packages/sklearn/datasets/images");
        DEFAULTS.put("styles", SharedData.folder("styles").map(Path::toString).orElse("styles"));
    }

    private TrainFastStyle() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>(DEFAULTS);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq))) {
                throw new IllegalArgumentException("expected key=value with a key among " + a.keySet() + ", got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        System.out.println("TrainFastStyle " + a);
        long seed = Long.parseLong(a.get("seed"));
        Devices.setThreads(Integer.parseInt(a.get("threads")));
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        List<BufferedImage> photos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String entry : a.get("images").split(":")) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry);
            List<Path> files;
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    files = s.filter(f -> f.toString().matches("(?i).*\\.(jpe?g|png)")).sorted().toList();
                }
            } else {
                files = List.of(p);
            }
            for (Path f : files) {
                BufferedImage img = ImageIO.read(f.toFile());
                if (img == null) {
                    throw new IOException("not an image: " + f);
                }
                photos.add(img);
                names.add(f.getFileName().toString());
            }
        }
        System.out.println("content photos: " + names);
        Path styles = Path.of(a.get("styles"));
        BufferedImage starry = ImageIO.read(styles.resolve("starry_night.jpg").toFile());
        BufferedImage mosaic = ImageIO.read(styles.resolve("mosaic.jpg").toFile());
        try (Network vgg = Models.random("vgg16", 0)) {
            FastStyleModel model = FastStyle.train(vgg).styles(starry, mosaic).styleNames("starry night", "mosaic")
                    .content(photos).steps(Integer.parseInt(a.get("steps"))).size(Integer.parseInt(a.get("size")))
                    .batch(Integer.parseInt(a.get("batch"))).width(Integer.parseInt(a.get("width")))
                    .lr(Double.parseDouble(a.get("lr"))).contentWeight(Double.parseDouble(a.get("content")))
                    .styleWeight(Double.parseDouble(a.get("style"))).tvWeight(Double.parseDouble(a.get("tv")))
                    .contentLayer(a.get("contentLayer")).styleLayers(a.get("styleLayers").split(","))
                    .seed(seed).live(false).log(System.out).run();
            Path out = Path.of(a.get("out"));
            model.save(out);
            System.out.printf(Locale.ROOT, "wrote %s (%d bytes): %s%n", out, Files.size(out), model);
            if (!a.get("preview").isEmpty()) {
                List<BufferedImage> cells = new ArrayList<>();
                List<String> captions = new ArrayList<>();
                for (int i = 0; i < Math.min(photos.size(), 3); i++) {
                    BufferedImage photo = photos.get(i);
                    cells.add(photo);
                    captions.add(names.get(i));
                    for (double[] blend : new double[][] {{1, 0}, {0.5, 0.5}, {0, 1}}) {
                        cells.add(model.stylize(photo, 256, blend));
                        captions.add(String.format(Locale.ROOT, "starry %.1f mosaic %.1f", blend[0], blend[1]));
                    }
                }
                Files.write(Path.of(a.get("preview")), ImageGrid.of(cells).captions(captions).columns(4).cellSize(256)
                        .title(model.toString()).toPng());
            }
        }
    }
}
