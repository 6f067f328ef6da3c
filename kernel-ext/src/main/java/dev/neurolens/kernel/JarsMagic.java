package dev.neurolens.kernel;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.neurolens.magics.ArgSchema;
import dev.neurolens.magics.Args;
import dev.neurolens.magics.Magic;
import dev.neurolens.magics.MagicArgumentException;

/** {@code %jars a.jar dir/*.jar}: put more jars on the cells' classpath (IJava's magic of the same name). */
final class JarsMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("jars",
                    "add jar files (or every jar in a folder, dir/*) to the classpath of the following cells")
            .rest().build();
    private final NeurolensKernel kernel;

    JarsMagic(NeurolensKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) throws Exception {
        if (args.rest().isEmpty()) {
            throw new MagicArgumentException("%jars: give at least one jar path, e.g. %jars lib/my.jar or %jars lib/*");
        }
        List<String> added = new ArrayList<>();
        for (String spec : args.rest()) {
            Path p = Path.of(spec.endsWith("*") ? spec.substring(0, spec.length() - 1) : spec).toAbsolutePath();
            if (spec.endsWith("*") || Files.isDirectory(p)) {
                if (!Files.isDirectory(p)) {
                    throw new MagicArgumentException("%jars: folder not found: " + p);
                }
                added.addAll(jarsIn(p));
            } else if (Files.isRegularFile(p)) {
                added.add(p.toString());
            } else {
                throw new MagicArgumentException("%jars: file not found: " + p);
            }
        }
        kernel.addToClasspath(String.join(File.pathSeparator, added));
        return "added " + added.size() + " jar(s) to the classpath";
    }

    /** The jar files directly in {@code dir}, sorted by path. */
    static List<String> jarsIn(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().map(Path::toString).toList();
        }
    }
}
