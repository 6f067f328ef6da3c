package dev.neurolens.dissect;

import dev.neurolens.display.Images;
import dev.neurolens.model.Network;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: dissects conv3 and conv4 of the built-in scene classifier on held-out scenes, ablates the top units
 * of each class against random ones, and writes the figures to a folder (default /tmp/netdissect).
 */
public final class NetworkDissectionReport {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/netdissect");
        Files.createDirectories(dir);
        try (Network net = SceneClassifier.builtin()) {
            SceneClassifier.LabelledScenes s = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 1000);
            for (String layer : new String[] {"conv3", "conv4"}) {
                NetworkDissection d = NetworkDissection.builder(net, layer).images(s.images()).segmenter(s.masks())
                        .run();
                System.out.println(d);
                System.out.println(d.table().first(12));
                Files.write(dir.resolve(layer + "-summary.png"), Images.toPng(d.renderSummary()));
                int[] labelled = d.labelledUnits();
                for (int i = 0; i < Math.min(3, labelled.length); i++) {
                    Files.write(dir.resolve(layer + "-unit" + labelled[i] + ".png"), d.strip(labelled[i]).toPng());
                }
            }
            ClassAblation a = ClassAblation.builder(net, "conv4").images(s.images()).classes(s.classes()).build();
            System.out.println("held-out: " + a.baseline());
            for (String c : SceneClassifier.CLASSES) {
                ClassAblation.Result top = a.ablate(a.topUnitsFor(c, 6));
                double random = 0;
                for (int seed = 1; seed <= 5; seed++) {
                    random += a.ablate(a.randomUnits(6, seed)).drop(c) / 5;
                }
                System.out.printf("%s: ablating top 6 %s drops %.3f; 6 random units %.3f%n", c,
                        java.util.Arrays.toString(top.units()), top.drop(c), random);
                Files.write(dir.resolve("ablation-" + c + ".png"), top.chart().toPng());
            }
        }
    }
}
