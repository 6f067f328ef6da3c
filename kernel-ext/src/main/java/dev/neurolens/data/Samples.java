package dev.neurolens.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sample pictures committed in {@code datasets/samples} and packed into the jar: photos, textures and one
 * painting whose licenses allow redistribution (the folder's README lists each source). {@code
 * Samples.image("chelsea")} reads one from the classpath, so it works from any working directory and in any
 * kernel that has the jar.
 */
public final class Samples {
    /** Where the build puts the folder, relative to this class. */
    static final String RESOURCE_DIR = "samples/";

    /** Name → file, in the order {@link #names()} lists them. The test checks it against the folder. */
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("chelsea", "chelsea.png");           // a cat, the photos' default
        FILES.put("coffee", "coffee.jpg");
        FILES.put("astronaut", "astronaut.jpg");
        FILES.put("rocket", "rocket.jpg");
        FILES.put("starry_night", "starry_night.jpg"); // the style picture
        FILES.put("brick", "brick.png");               // gray textures
        FILES.put("grass", "grass.png");
        FILES.put("gravel", "gravel.png");
    }

    private static Path extracted;

    private Samples() {
    }

    /** Every sample's name, photos first, then the painting, then the textures. */
    public static List<String> names() {
        return List.copyOf(FILES.keySet());
    }

    /** The photos (chelsea, coffee, astronaut, rocket): natural RGB pictures for ImageNet models. */
    public static List<String> photos() {
        return List.of("chelsea", "coffee", "astronaut", "rocket");
    }

    /** Whether {@code name} (with or without its extension, any case) is a sample. */
    public static boolean has(String name) {
        return fileName(name) != null;
    }

    /**
     * A sample as 8-bit RGB. The textures are grey PNGs: they are expanded sample by sample (Java's own grey-to-RGB
     * conversion would brighten them, see {@link Pictures#rgb}).
     */
    public static BufferedImage image(String name) {
        String file = require(name);
        try (InputStream in = open(file)) {
            BufferedImage img = ImageIO.read(in);
            if (img == null) {
                throw new IllegalStateException("sample " + file + " is in the jar but ImageIO cannot decode it;"
                        + " rebuild the jar (mvn package) from a clean checkout");
            }
            return Pictures.rgb(img);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample " + file + " from the jar: " + e.getMessage(), e);
        }
    }

    /** Several samples' pictures, in the order given (e.g. {@code images(photos())} for a grid). */
    public static List<BufferedImage> images(List<String> names) {
        return names.stream().map(Samples::image).toList();
    }

    /**
     * A file holding the sample, for code that needs a path: the file itself when the classes are a folder, else a
     * copy extracted once per process into a temporary folder.
     */
    public static synchronized Path path(String name) {
        String file = require(name);
        try {
            var url = Samples.class.getResource(RESOURCE_DIR + file);
            if (url != null && url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            if (extracted == null) {
                extracted = Files.createTempDirectory("neurolens-samples");
                extracted.toFile().deleteOnExit();
            }
            Path out = extracted.resolve(file);
            if (!Files.isRegularFile(out)) {
                try (InputStream in = open(file)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                out.toFile().deleteOnExit();
            }
            return out;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new UncheckedIOException("cannot extract sample " + file + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The file name of a sample, or null; accepts "chelsea", "chelsea.png", "Chelsea". */
    static String fileName(String name) {
        if (name == null) {
            return null;
        }
        String key = name.strip().toLowerCase(Locale.ROOT);
        String byName = FILES.get(key);
        if (byName != null) {
            return byName;
        }
        return FILES.containsValue(key) ? key : null;
    }

    private static String require(String name) {
        String file = fileName(name);
        if (file == null) {
            throw new IllegalArgumentException("no sample named '" + name + "'; samples: "
                    + String.join(", ", FILES.keySet()) + " (or give a picture file's path)");
        }
        return file;
    }

    private static InputStream open(String file) throws IOException {
        InputStream in = Samples.class.getResourceAsStream(RESOURCE_DIR + file);
        if (in == null) {
            throw new IOException("sample " + file + " is missing from the jar (" + RESOURCE_DIR
                    + "); rebuild it with mvn package, which copies datasets/samples in");
        }
        return in;
    }
}
