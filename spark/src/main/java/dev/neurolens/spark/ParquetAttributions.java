package dev.neurolens.spark;

import dev.neurolens.attribution.Attribution;
import dev.neurolens.attribution.AttributionMethod;
import dev.neurolens.attribution.Attributions;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Network;
import dev.neurolens.model.PortableNetwork;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.DataParallel;
import dev.neurolens.spark.ParquetParts.Part;
import dev.neurolens.spark.ParquetParts.Shipment;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Attribution maps (saliency, Grad-CAM, integrated gradients ...) of the predicted class for every picture of an
 * {@link ImageSet}, computed and written to Parquet by the workers: one row per picture ({@code id}, {@code label},
 * {@code method}, {@code target} (the class explained), {@code signed}, {@code h}, {@code w}, {@code map} as floats, row-major), one
 * file per task's range. Read any pictures' maps back as an {@link Attribution} to show them.
 *
 * <pre>{@code
 * ParquetAttributions.write(spark, net, "grad-cam", ImageSet.folder(dir), "/data/gradcam.parquet");
 * ParquetAttributions.read(spark, "/data/gradcam.parquet", net, set, 0, 1, 2, 3).grid()
 * }</pre>
 * The maps are the ones the method gives in one JVM for the same batches ({@link #BATCH}), to the bit.
 */
public final class ParquetAttributions {
    /** Pictures per forward and backward pass. */
    public static final int BATCH = 32;
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message attributions { required int32 id; "
            + "required int32 label; required binary method (STRING); required binary target (STRING); required boolean signed; required int32 h; "
            + "required int32 w; required group map (LIST) { repeated group list { required float element; } } }");

    private ParquetAttributions() {
    }

    /**
     * Maps of {@code method} ({@link Attributions#names()}) for the predicted class of every picture of {@code set}
     * (which must travel: a folder, Fashion-MNIST, Parquet pictures), written under {@code out}, a folder every
     * worker reaches (its old part files are replaced).
     */
    public static ParquetWritten write(DataParallel where, Network net, String method, ImageSet set,
                                                String out) {
        String name = Attributions.method(method).name(); // an unknown method fails here, once
        ImageSet.Recipe recipe = ParquetParts.recipe(set);
        DataParallel.Outcome<Part> o = where.run(name + " maps to Parquet", set.size(), BATCH,
                new Shipment(PortableNetwork.of(net), recipe), new Job(method, out), Part::merge, null);
        return ParquetParts.written(o, name + " maps of " + net.name() + " on " + set.name());
    }

    /**
     * DJL lets one gradient collector record at a time in a process, so an executor's tasks take turns for the
     * backward passes (each batch still uses every core through libtorch's own threads).
     */
    private static final Object GRADIENTS = new Object();

    /** The maps of one batch of pictures {@code [from, to)}, as one JVM computes them. */
    static Attribution batch(Network net, AttributionMethod m, ImageSet set, int from, int to) {
        Tensor input = set.batch(from, to, net.preprocessing());
        synchronized (GRADIENTS) {
            return m.attribute(net, input);
        }
    }

    private record Job(String method, String out) implements DataParallel.RangeTask<Shipment, Part> {
        public Part run(Shipment s, int from, int to) throws IOException {
            Network net = s.net().open();
            ImageSet set = s.set().open();
            AttributionMethod m = Attributions.method(method);
            SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
            try (ParquetWriter<Group> w = ParquetParts.writer(out, from, SCHEMA)) {
                for (int at = from; at < to; at += BATCH) {
                    int end = Math.min(to, at + BATCH);
                    Attribution a = batch(net, m, set, at, end);
                    for (int i = 0; i < end - at; i++) {
                        float[][] map = a.map(i);
                        Group g = rows.newGroup().append("id", at + i).append("label", set.label(at + i))
                                .append("method", a.method()).append("target", a.target(i)).append("signed", a.signed())
                                .append("h", map.length).append("w", map[0].length);
                        Group list = g.addGroup("map");
                        for (float[] row : map) {
                            for (float v : row) {
                                list.addGroup("list").append("element", v);
                            }
                        }
                        w.write(g);
                    }
                }
            }
            return ParquetParts.part(to - from, out, from);
        }
    }

    /**
     * The maps of pictures {@code ids} from {@code out}, with the pictures from {@code set} preprocessed for
     * {@code net} (the network that made them), as an {@link Attribution} that shows them as overlays.
     */
    public static Attribution read(SparkRunner spark, String out, Network net, ImageSet set, int... ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("name the pictures to read, e.g. read(spark, out, net, set, 0, 1, 2)");
        }
        return SparkRunner.withSparkLoader(() -> {
            Object[] wanted = Arrays.stream(ids).boxed().toArray();
            List<Row> rows = spark.session().read().parquet(out).filter(functions.col("id").isin(wanted))
                    .select("id", "target", "signed", "h", "w", "map", "method").collectAsList();
            Row[] byId = new Row[ids.length];
            for (Row r : rows) {
                for (int k = 0; k < ids.length; k++) {
                    if (ids[k] == r.getInt(0)) {
                        byId[k] = r;
                    }
                }
            }
            float[][][] maps = new float[ids.length][][];
            List<String> targets = new ArrayList<>();
            boolean signed = false;
            List<java.awt.image.BufferedImage> pictures = new ArrayList<>();
            for (int k = 0; k < ids.length; k++) {
                Row r = byId[k];
                if (r == null) {
                    throw new IllegalArgumentException("no map of picture " + ids[k] + " under " + out
                            + " (interrupted before it, or not in the set)");
                }
                int h = r.getInt(3);
                int w = r.getInt(4);
                List<Object> v = r.getList(5);
                maps[k] = new float[h][w];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        maps[k][y][x] = (Float) v.get(y * w + x);
                    }
                }
                targets.add(r.getString(1));
                signed = r.getBoolean(2);
                pictures.add(set.image(ids[k]));
            }
            Tensor input = net.preprocessing().toTensor(pictures);
            return Attribution.builder(byId[0].getString(6), net, input).maps(maps).targets(targets).signed(signed).build();
        });
    }
}
