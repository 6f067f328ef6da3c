package dev.neurolens.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1000 ImageNet class names in torchvision's output order, read from the jar ({@code imagenet_classes.txt},
 * one name a line). The list is torchvision's own {@code _IMAGENET_CATEGORIES} ({@code torchvision/models/_meta.py},
 * BSD-3-Clause, as shipped by Debian's {@code python3-torchvision} 0.14.1): the names its pretrained weights are
 * published with, all distinct ("crane bird" and "crane", "maillot tank suit" and "maillot"). Nothing outside the
 * jar is read, so labels never depend on the working directory.
 */
public final class ImageNetClasses {
    private static volatile List<String> names;

    private ImageNetClasses() {
    }

    /** The names, index = output unit. */
    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            n = embedded();
            names = n;
        }
        return n;
    }

    /** Names from a Keras-style class index ({@code {"0": ["n01440764", "tench"], ...}}), e.g. for a user's own labels. */
    public static List<String> fromJson(Path json) throws IOException {
        try (Reader r = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
            JsonObject o = new JsonParser().parse(r).getAsJsonObject();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < o.size(); i++) {
                JsonElement e = o.get(String.valueOf(i));
                if (e == null) {
                    throw new IOException(json + " has no entry " + i + "; a class index maps \"0\" … \""
                            + (o.size() - 1) + "\" to [wnid, name]");
                }
                JsonArray pair = e.getAsJsonArray();
                out.add(pair.get(1).getAsString());
            }
            return List.copyOf(out);
        }
    }

    /** The names shipped in the jar. */
    public static List<String> embedded() {
        try (InputStream in = ImageNetClasses.class.getResourceAsStream("imagenet_classes.txt")) {
            if (in == null) {
                throw new IllegalStateException("imagenet_classes.txt is missing from the jar; rebuild it with mvn package");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return List.of(text.strip().split("\n"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read imagenet_classes.txt from the jar", e);
        }
    }
}
