package dev.neurolens.spark;

import dev.neurolens.dissect.SceneClassifier;
import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.features.TopPatchesResult;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.apache.spark.SparkConf;

import javax.imageio.ImageIO;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data-set jobs from the command line, for {@code spark-submit} (the master and executors come from its
 * options):
 * <pre>
 * spark-submit --master spark://HOST:7077 --class dev.neurolens.spark.Submit \
 *     --jars kernel-ext/target/neurolens.jar,kernel-ext/target/lib/*.jar spark/target/neurolens-spark.jar \
 *     top-patches --model builtin --layer conv3 --pictures /data/pictures --k 9 --out conv3.png
 * </pre>
 * Jobs: {@code top-patches} (a PNG grid), {@code features} and {@code attributions} (Parquet folders),
 * {@code to-parquet} (pictures into Parquet). Models: {@code builtin} (Fashion-MNIST CNN), {@code scenes} (the scene
 * classifier), a registry name, or {@code ARCHITECTURE=WEIGHTS.pth}.
 */
public final class Submit {
    static final String USAGE = "usage: Submit top-patches|features|attributions|to-parquet --pictures DIR|FILE.parquet"
            + " --out PATH [--model builtin|scenes|NAME|ARCH=WEIGHTS] [--layer L] [--k 9] [--units FROM-TO (TO excluded)]"
            + " [--method grad-cam] [--pool]";

    private Submit() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException(USAGE);
        }
        String job = args[0];
        Map<String, String> o = options(args);
        String pictures = required(o, "pictures");
        String out = required(o, "out");
        try (SparkRunner spark = SparkRunner.of(new SparkConf())) {
            if (job.equals("to-parquet")) {
                System.out.println(ParquetImages.fromFiles(spark, pictures, out) + " pictures written to " + out);
                return;
            }
            ImageSet set = pictures.endsWith(".parquet") ? ParquetImages.open(pictures)
                    : ImageSet.folder(Path.of(pictures));
            try (Network net = model(o.getOrDefault("model", "builtin"))) {
                switch (job) {
                    case "top-patches" -> {
                        TopPatches.Builder b = TopPatches.builder(net, required(o, "layer"))
                                .k(Integer.parseInt(o.getOrDefault("k", "9")));
                        if (o.containsKey("units")) {
                            String[] r = o.get("units").split("-");
                            b.units(Integer.parseInt(r[0]), Integer.parseInt(r[1]) - Integer.parseInt(r[0]));
                        }
                        TopPatchesResult r = b.on(spark).run(set);
                        Path png = Path.of(out);
                        if (png.getParent() != null) {
                            Files.createDirectories(png.getParent());
                        }
                        ImageIO.write(r.grid().render(), "png", new File(out));
                        System.out.println(r + "\ngrid written to " + out);
                    }
                    case "features" -> System.out.println(ParquetFeatures.write(spark, net, required(o, "layer"), set,
                            o.containsKey("pool"), out));
                    case "attributions" -> System.out.println(ParquetAttributions.write(spark, net,
                            o.getOrDefault("method", "grad-cam"), set, out));
                    default -> throw new IllegalArgumentException("unknown job '" + job + "'; " + USAGE);
                }
            }
        }
    }

    static Network model(String spec) {
        if (spec.equals("builtin")) {
            return Models.defaultModel();
        }
        if (spec.equals("scenes")) {
            return SceneClassifier.builtin();
        }
        int eq = spec.indexOf('=');
        return eq > 0 ? Models.load(spec.substring(0, eq), Path.of(spec.substring(eq + 1))) : Models.model(spec);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        List<String> flags = List.of("pool");
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected '" + args[i] + "'; " + USAGE);
            }
            String key = args[i].substring(2);
            if (flags.contains(key)) {
                o.put(key, "true");
            } else if (i + 1 < args.length) {
                o.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value; " + USAGE);
            }
        }
        return o;
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required; " + USAGE);
        }
        return v;
    }
}
