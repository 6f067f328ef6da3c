package dev.neurolens.kernel;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.neurolens.magics.ArgSchema;
import dev.neurolens.magics.Args;
import dev.neurolens.magics.Magic;
import dev.neurolens.magics.MagicArgumentException;

/**
 * {@code %spark}: puts the optional Spark module (neurolens-spark and Spark's jars) on the cells' classpath, so the
 * kernel starts light and only notebooks that use Spark pay for it. The jars are where {@code ./neurolens spark}
 * builds them, beside this kernel's build, or in the folder {@code NEUROLENS_SPARK} names.
 */
final class SparkMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("spark",
                    "put the optional Spark module on the classpath (then import dev.neurolens.spark.*; and use "
                            + "SparkRunner.local(2) or SparkRunner.connect(master, conf))")
            .build();
    private final NeurolensKernel kernel;
    private boolean added;

    SparkMagic(NeurolensKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) throws Exception {
        Path dir = folder();
        Path jar = dir.resolve("neurolens-spark.jar");
        Path lib = dir.resolve("spark-lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new MagicArgumentException("%spark: the Spark module is not built (no " + jar + "); it is optional:"
                    + " build it once with ./neurolens spark (Maven downloads Spark, about 150 MB), or set "
                    + "NEUROLENS_SPARK to a folder holding neurolens-spark.jar and spark-lib/");
        }
        List<String> jars = new ArrayList<>();
        jars.add(jar.toString());
        jars.addAll(JarsMagic.jarsIn(lib));
        if (!added) {
            kernel.addToClasspath(String.join(File.pathSeparator, jars));
            added = true;
        }
        String version = jars.stream().map(j -> Path.of(j).getFileName().toString())
                .filter(n -> n.startsWith("spark-core_")).findFirst().map(n -> n.replaceAll(".*-(\\d[^-]*)\\.jar", "$1"))
                .orElse("?");
        return "Spark " + version + " is on the classpath (" + jars.size() + " jars). Next: import dev.neurolens.spark.*;"
                + " then SparkRunner.local(2), or SparkRunner.connect(\"spark://host:7077\", conf)";
    }

    private static Path folder() throws URISyntaxException {
        String env = System.getenv("NEUROLENS_SPARK");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        // kernel-ext/target/neurolens.jar -> spark/target beside it in the same checkout
        Path self = Path.of(SparkMagic.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = self.getParent(); // the jar's folder, or target/ above target/classes
        return target.getParent().getParent().resolve("spark").resolve("target").toAbsolutePath().normalize();
    }
}
