package dev.neurolens.magics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import dev.neurolens.attribution.Attributions;
import dev.neurolens.attribution.Target;
import dev.neurolens.data.Pictures;
import dev.neurolens.model.LayerNotFoundException;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;

/**
 * Every public entry that takes a picture, a tensor, a weights file or a magic argument, fed something bad: each row
 * names the exact exception class and words its one-line message must contain (the file, the fault, what to do).
 */
class BadInputTableTest {
    private static Path dir;
    private static Network net;

    private record Row(String what, Class<? extends Throwable> error, Executable call, String... words) {
    }

    @BeforeAll
    static void files() throws IOException {
        dir = Files.createTempDirectory("bad-inputs");
        Files.write(dir.resolve("empty.png"), new byte[0]);
        Files.writeString(dir.resolve("notes.jpg"), "this is a text file\n", StandardCharsets.UTF_8);
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", jpeg);
        byte[] whole = jpeg.toByteArray();
        Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(whole, whole.length * 2 / 3));
        Files.write(dir.resolve("empty.pth"), new byte[0]);
        Files.writeString(dir.resolve("text.pth"), "not a checkpoint", StandardCharsets.UTF_8);
        net = Models.defaultModel();
    }

    @AfterAll
    static void close() throws IOException {
        net.close();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static Object magic(Magic m, String line) throws Exception {
        return m.run(m.schema().parse(line), null);
    }

    private static Tensor with(float bad) {
        float[] data = new float[28 * 28];
        data[7] = bad;
        return Tensor.of(data, 1, 1, 28, 28);
    }

    private static List<Row> rows() {
        String missing = dir.resolve("missing.png").toString();
        String notes = dir.resolve("notes.jpg").toString();
        String cut = dir.resolve("cut.jpg").toString();
        return List.of(
                new Row("missing picture file", IllegalArgumentException.class,
                        () -> Pictures.read(Path.of(missing)), "missing.png", "does not exist"),
                new Row("zero-byte picture", IllegalArgumentException.class,
                        () -> Pictures.read(dir.resolve("empty.png")), "empty.png", "Convert it to PNG or JPEG"),
                new Row("text file named .jpg", IllegalArgumentException.class,
                        () -> Pictures.read(Path.of(notes)), "notes.jpg", "not a picture", "the text 'this is a text f"),
                new Row("truncated JPEG", IllegalArgumentException.class,
                        () -> Pictures.read(Path.of(cut)), "cut.jpg", "truncated or damaged", "export it again"),
                new Row("NaN input to logits", IllegalArgumentException.class,
                        () -> net.logits(with(Float.NaN)), "NaN", "flat index 7"),
                new Row("infinite input to an activation", IllegalArgumentException.class,
                        () -> net.run(with(Float.NEGATIVE_INFINITY), "relu1"), "-Infinity"),
                new Row("NaN input to Grad-CAM", IllegalArgumentException.class,
                        () -> Attributions.method("grad-cam").attribute(net, with(Float.NaN), Target.classIndex(0)),
                        "the input to attribute", "NaN"),
                new Row("class index out of range", IllegalArgumentException.class,
                        () -> Attributions.method("gradient").attribute(net, with(0), Target.classIndex(10)),
                        "10"),
                new Row("unknown layer", LayerNotFoundException.class,
                        () -> net.run(with(0), "conv9"), "conv9", "closest: conv1"),
                new Row("zero-byte weights file", WeightsException.class,
                        () -> Models.load("squeezenet1_1", dir.resolve("empty.pth")).close(), "empty.pth"),
                new Row("text file as weights", WeightsException.class,
                        () -> Models.load("squeezenet1_1", dir.resolve("text.pth")).close(), "text.pth"),
                new Row("%saliency on a text file", MagicArgumentException.class,
                        () -> magic(new SaliencyMagic(), notes), "notes.jpg", "not a picture"),
                new Row("%saliency on a missing picture", MagicArgumentException.class,
                        () -> magic(new SaliencyMagic(), "no_such_picture.png"), "no_such_picture.png", "chelsea"),
                new Row("%saliency --target -1", MagicArgumentException.class,
                        () -> magic(new SaliencyMagic(), "chelsea --target -1"), "-1 is not a class"),
                new Row("%saliency unknown method", MagicArgumentException.class,
                        () -> magic(new SaliencyMagic(), "chelsea --method gradcamm"), "grad-cam"),
                new Row("%activations on a truncated JPEG", MagicArgumentException.class,
                        () -> magic(new ActivationsMagic(), "relu1 --image " + cut), "cut.jpg", "truncated"),
                new Row("%tsne --n -5", MagicArgumentException.class,
                        () -> magic(new TsneMagic(), "--n -5"), "--n", "-5"),
                new Row("%style on a missing style picture", MagicArgumentException.class,
                        () -> magic(new StyleMagic(), "chelsea " + missing), "missing.png", "starry_night"),
                new Row("%style --steps with text", MagicArgumentException.class,
                        () -> magic(new StyleMagic(), "chelsea starry_night --steps many"), "--steps", "many"));
    }

    @TestFactory
    Stream<DynamicTest> eachBadInputIsOneClearError() {
        return rows().stream().map(r -> DynamicTest.dynamicTest(r.what(), () -> {
            Throwable e = assertThrows(Throwable.class, r.call(), r.what());
            assertEquals(r.error(), e.getClass(), r.what() + ": " + e);
            String message = e.getMessage();
            assertTrue(message != null && !message.isBlank(), r.what() + ": no message");
            for (String w : r.words()) {
                assertTrue(message.contains(w), r.what() + ": \"" + message + "\" lacks \"" + w + "\"");
            }
        }));
    }
}
