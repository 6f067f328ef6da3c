package dev.neurolens.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar's samples against the committed folder and its README table (the independent record: every file, its
 * byte size and its pixel size were written there when the file was added).
 */
class SamplesTest {
    /** Maven runs tests in kernel-ext/, so the folder is one level up. */
    private static final Path FOLDER = Path.of("../datasets/samples");
    /** A table row: | `file` | what ... W×H ... | N B | ... */
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|[^|]*?(\\d+)×(\\d+)[^|]*\\| (\\d+) B \\|",
            Pattern.MULTILINE);

    private record Row(String file, int width, int height, long bytes) {
    }

    private static List<Row> table() throws IOException {
        String readme = Files.readString(FOLDER.resolve("README.md"));
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(readme);
        while (m.find()) {
            rows.add(new Row(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4))));
        }
        return rows;
    }

    @Test
    void everyCommittedPictureIsDocumentedAndNamed() throws IOException {
        Set<String> files;
        try (Stream<Path> s = Files.list(FOLDER)) {
            files = s.map(p -> p.getFileName().toString()).filter(f -> !f.equals("README.md"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> documented = table().stream().map(Row::file).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, documented, "datasets/samples and its README table must list the same files");
        Set<String> named = Samples.names().stream().map(Samples::fileName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, named, "Samples.names() must cover exactly the committed files");
        long total = 0;
        for (Row r : table()) {
            long size = Files.size(FOLDER.resolve(r.file()));
            assertEquals(r.bytes(), size, r.file() + ": the README's byte size is stale");
            total += size;
        }
        assertTrue(total < 3_000_000, "samples must stay under 3 MB, are " + total + " bytes");
    }

    @Test
    void readsEachSampleFromTheClasspathAtItsDocumentedSize() throws IOException {
        for (Row r : table()) {
            String name = r.file().substring(0, r.file().lastIndexOf('.'));
            BufferedImage img = Samples.image(name);
            assertEquals(r.width(), img.getWidth(), name + " width");
            assertEquals(r.height(), img.getHeight(), name + " height");
            // not blank: a decoded photo or texture has many distinct values
            Set<Integer> values = new TreeSet<>();
            for (int y = 0; y < img.getHeight(); y += 7) {
                for (int x = 0; x < img.getWidth(); x += 7) {
                    values.add(img.getRGB(x, y));
                }
            }
            assertTrue(values.size() > 50, name + " decodes to only " + values.size() + " colours");
        }
    }

    @Test
    void pathGivesTheCommittedBytes() throws IOException {
        for (String name : Samples.names()) {
            Path p = Samples.path(name);
            assertArrayEquals(Files.readAllBytes(FOLDER.resolve(Samples.fileName(name))), Files.readAllBytes(p), name);
        }
    }

    @Test
    void namesAreForgivingAndUnknownNamesListTheSamples() {
        assertTrue(Samples.has("chelsea"));
        assertTrue(Samples.has("Chelsea.PNG"));
        assertTrue(Samples.has("starry_night.jpg"));
        assertFalse(Samples.has("cat.jpg"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samples.image("cat.jpg"));
        assertTrue(e.getMessage().contains("no sample named 'cat.jpg'"), e.getMessage());
        for (String n : Samples.names()) {
            assertTrue(e.getMessage().contains(n), "the error should list " + n + ": " + e.getMessage());
        }
        assertTrue(Samples.names().containsAll(Samples.photos()));
    }
}
