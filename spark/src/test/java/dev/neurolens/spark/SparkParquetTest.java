package dev.neurolens.spark;

import dev.neurolens.attribution.Attribution;
import dev.neurolens.attribution.Attributions;
import dev.neurolens.features.FeatureMatrix;
import dev.neurolens.features.Features;
import dev.neurolens.features.ImageSet;
import dev.neurolens.features.TopPatches;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pictures through Spark's binary-file source into Parquet and back, and features written to Parquet by the
 * workers: the same pictures, labels, top patches and feature rows as the folder and {@code Features} in this JVM.
 */
class SparkParquetTest {
    private static SparkRunner spark;
    private static Network net;

    @BeforeAll
    static void start() {
        spark = SparkRunner.local(2);
        net = Models.defaultModel();
    }

    @AfterAll
    static void stop() {
        spark.close();
        net.close();
    }

    @Test
    void binaryFilesToParquetGiveTheFolderPictures(@TempDir Path dir) throws Exception {
        ImageSet test = ImageSet.fashionMnistTest();
        Path pictures = dir.resolve("pictures");
        for (int i = 0; i < 400; i++) {
            Path cls = pictures.resolve(test.labelName(i).replace('/', '-'));
            Files.createDirectories(cls);
            ImageIO.write(test.image(i), "png", cls.resolve(String.format("%04d.png", i)).toFile());
        }
        ImageSet folder = ImageSet.folder(pictures);
        String out = dir.resolve("pictures.parquet").toString();
        assertEquals(400, ParquetImages.fromFiles(spark, pictures.toString(), out));
        ImageSet parquet = ParquetImages.open(out);
        assertEquals(folder.size(), parquet.size());
        assertEquals(folder.labelNames(), parquet.labelNames());
        for (int i = 0; i < folder.size(); i++) {
            assertEquals(folder.label(i), parquet.label(i), "label of " + i);
            assertArrayEquals(folder.image(i).getRGB(0, 0, 28, 28, null, 0, 28),
                    parquet.image(i).getRGB(0, 0, 28, 28, null, 0, 28), "picture " + i);
        }
        TopPatches.Builder b = TopPatches.builder(net, "conv2").units(0, 8).k(5).batch(50);
        SparkTopPatchesTest.assertSameHits(b.run(folder), b.on(spark).run(parquet));
        // the same rows in many small row groups over several files: ids still follow file and row order
        String small = dir.resolve("small-groups.parquet").toString();
        spark.session().read().parquet(out).orderBy("path").repartition(3, org.apache.spark.sql.functions.col("class"))
                .sortWithinPartitions("path").write().option("parquet.block.size", 4096).parquet(small);
        int groups = 0;
        try (var files = Files.list(Path.of(small))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                try (var r = org.apache.parquet.hadoop.ParquetFileReader.open(new org.apache.hadoop.conf.Configuration(),
                        new org.apache.hadoop.fs.Path(f.toString()))) {
                    groups += r.getRowGroups().size();
                }
            }
        }
        assertTrue(groups > 3, groups + " row groups");
        ImageSet many = ParquetImages.open(small);
        assertEquals(400, many.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < many.size(); i++) {
            int[] px = many.image(i).getRGB(0, 0, 28, 28, null, 0, 28);
            seen.add(java.util.Arrays.toString(px));
            assertTrue(many.label(i) >= 0);
        }
        assertEquals(400, seen.size(), "every row once");
    }

    @Test
    void featuresWrittenByWorkersEqualOneMachine(@TempDir Path dir) {
        ImageSet set = ImageSet.fashionMnistTest().first(1500);
        String out = dir.resolve("conv3.parquet").toString();
        ParquetWritten w = ParquetFeatures.write(spark, net, "conv3", set, true, out);
        assertEquals(1500, w.rows());
        assertFalse(w.interrupted());
        assertTrue(w.files().size() > 1, w.toString());
        FeatureMatrix here = Features.pooled(net, "conv3", set);
        FeatureMatrix there = ParquetFeatures.read(spark, out);
        assertEquals(here.rows(), there.rows());
        assertEquals(here.dims(), there.dims());
        for (int i = 0; i < here.rows(); i++) {
            assertArrayEquals(here.row(i), there.row(i), "row " + i);
        }
        assertEquals(100, ParquetFeatures.read(spark, out, 100).rows());
        // the labels travel too, for Spark SQL
        long trousers = spark.session().read().parquet(out).filter("label = 1").count();
        assertEquals(java.util.stream.IntStream.range(0, 1500).filter(i -> set.label(i) == 1).count(), trousers);
    }

    @Test
    void attributionMapsWrittenByWorkersEqualOneMachine(@TempDir Path dir) {
        ImageSet set = ImageSet.fashionMnistTest().first(200);
        for (String method : new String[] {"gradient", "grad-cam"}) {
            String out = dir.resolve(method + ".parquet").toString();
            ParquetWritten w = ParquetAttributions.write(spark, net, method, set, out);
            assertEquals(200, w.rows(), w.toString());
            int[] ids = {0, 31, 32, 150, 199};
            Attribution there = ParquetAttributions.read(spark, out, net, set, ids);
            for (int k = 0; k < ids.length; k++) {
                int from = ids[k] / ParquetAttributions.BATCH * ParquetAttributions.BATCH;
                Attribution here = Attributions.method(method).attribute(net,
                        set.batch(from, Math.min(200, from + ParquetAttributions.BATCH), net.preprocessing()));
                float[][] a = here.map(ids[k] - from);
                float[][] b = there.map(k);
                for (int y = 0; y < a.length; y++) {
                    assertArrayEquals(a[y], b[y], method + " map of " + ids[k] + ", row " + y);
                }
                assertEquals(here.target(ids[k] - from), there.target(k));
            }
            assertEquals(here(method), there.method());
            assertTrue(there.grid().render().getWidth() > 5 * 28, "a grid of five overlays");
        }
    }

    private static String here(String method) {
        return Attributions.method(method).name();
    }

    @Test
    void unknownLayerAndInMemoryPicturesFailOnce(@TempDir Path dir) {
        String out = dir.resolve("x").toString();
        assertThrows(IllegalArgumentException.class, () -> ParquetFeatures.write(spark, net, "conv9",
                ImageSet.fashionMnistTest().first(10), true, out));
        ImageSet memory = ImageSet.of(java.util.List.of(ImageSet.fashionMnistTest().image(0)), null, null, "one");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParquetFeatures.write(spark, net, "conv3", memory, true, out));
        assertTrue(e.getMessage().contains("ParquetImages"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParquetImages.open(dir.resolve("none").toString()));
    }
}
