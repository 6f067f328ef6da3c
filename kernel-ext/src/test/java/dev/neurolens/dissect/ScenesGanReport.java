package dev.neurolens.dissect;

import dev.neurolens.display.Images;
import dev.neurolens.generate.Generator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures GAN dissection on a scenes generator (a DCGAN file, or {@code builtin} for the built-in one): units per concept in each layer,
 * the best units for the main concepts, "remove trees" (ablating the top-k tree units against k random units)
 * and where tree units can paint trees. Writes the figures as PNGs. Not a test; the numbers it prints are
 * what {@code ScenesGanDissectionTest} asserts with a margin. Run from the repository root after {@code mvn -o test-compile}:
 *
 * <pre>
 * nice -n 10 java -Dai.djl.offline=true -cp kernel-ext/target/classes:kernel-ext/target/test-classes:$(cat kernel-ext/target/cp.txt) \
 *     dev.neurolens.dissect.ScenesGanReport generator.safetensors out/ [samples] [layer]
 * </pre>
 */
public final class ScenesGanReport {
    private ScenesGanReport() {
    }

    public static void main(String[] args) throws Exception {
        Path weights = Path.of(args[0]);
        Path out = Path.of(args.length > 1 ? args[1] : "/tmp/dissect-out");
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        String only = args.length > 3 ? args[3] : null;
        Files.createDirectories(out);
        try (Generator g = args[0].equals("builtin") ? Generator.builtin("scenes") : Generator.load(weights);
             SceneSegmenter seg = SceneSegmenter.builtin()) {
            for (String layer : only != null ? new String[] {only} : new String[] {"layer2", "layer3", "layer4"}) {
                Dissection d = Dissection.builder(g, layer).segmenter(seg).samples(samples).run();
                System.out.println(d);
                double sum = 0;
                for (int u = 0; u < d.units(); u++) {
                    sum += d.bestIoU(u);
                }
                System.out.printf(Locale.ROOT, "  mean best IoU over %d units: %.4f%n", d.units(), sum / d.units());
                for (String c : new String[] {"sky", "cloud", "grass", "road", "tree", "building", "roof", "door",
                    "window", "mountain"}) {
                    int[] best = d.unitsFor(c, 3);
                    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %-9s", c));
                    for (int u : best) {
                        s.append(String.format(Locale.ROOT, " u%d %.3f", u, d.iou(u, c)));
                    }
                    System.out.println(s);
                }
                Files.write(out.resolve(layer + "-summary.png"), Images.toPng(d.renderSummary()));
                Files.write(out.resolve(layer + "-tree-strips.png"), d.strips("tree", 4, 0).toPng());
                Files.write(out.resolve(layer + "-sky-strips.png"), d.strips("sky", 2, 0).toPng());
                Intervention iv = Intervention.on(g, layer).segmenter(seg).samples(100).seed(7);
                int units = d.units();
                for (int k : new int[] {units / 16, units / 8, units / 4}) {
                    Intervention.Ablation top = iv.ablate(d.unitsFor("tree", k), "tree");
                    double random = 0;
                    for (int s = 0; s < 3; s++) {
                        random += iv.ablateRandom(k, "tree", s).reduction() / 3;
                    }
                    System.out.printf(Locale.ROOT, "  ablate %d top tree units: %s; %d random units: %.1f%% removed%n",
                            k, top, k, 100 * random);
                    if (k == units / 8) {
                        Files.write(out.resolve(layer + "-ablate-trees.png"), Images.toPng(top.render()));
                    }
                }
                int[] tree = d.unitsFor("tree", Math.max(4, units / 8));
                long[] shape = g.generate(g.sampleZ(1, 0), dev.neurolens.model.Forward.capture(layer)).get(layer).shape();
                int cell = Math.max(1, (int) shape[2] / 4);
                Intervention.InsertionMap map = Intervention.on(g, layer).segmenter(seg).samples(24).seed(7)
                        .insertEverywhere(tree, d.activeMeans(tree), cell, "tree");
                System.out.println("  " + map);
                System.out.println("  success per location: " + Arrays.deepToString(map.successRates()));
                Files.write(out.resolve(layer + "-insert-trees.png"), Images.toPng(map.render()));
                Files.write(out.resolve(layer + "-insert-trees-example.png"), Images.toPng(map.at(2, 1).render()));
            }
        }
    }
}
