package dev.neurolens.spark;

import dev.neurolens.features.FeatureMatrix;
import dev.neurolens.features.Features;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Network;
import dev.neurolens.model.PortableNetwork;
import dev.neurolens.run.DataParallel;
import dev.neurolens.spark.ParquetParts.Part;
import dev.neurolens.spark.ParquetParts.Shipment;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.util.List;

/**
 * A layer's features for a whole {@link ImageSet}, written to Parquet by the workers that compute them, so a data
 * set's features never have to fit in one JVM: one row per picture ({@code id}, {@code label}, {@code features} as
 * an array of floats), one file per task's range ({@code part-<first id>.parquet}). Read them back, all or the first
 * rows, as a {@link FeatureMatrix} for PCA, t-SNE and nearest neighbours, or with Spark SQL.
 *
 * <pre>{@code
 * ParquetWritten w = ParquetFeatures.write(spark, net, "conv3", set, true, "/data/conv3.parquet");
 * FeatureMatrix f = ParquetFeatures.read(spark, "/data/conv3.parquet", 5000);
 * Tsne.builder().run(f)
 * }</pre>
 * The rows are the rows {@code Features.extract} gives in one JVM, to the bit.
 */
public final class ParquetFeatures {
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message features { required int32 id; "
            + "required int32 label; required group features (LIST) { repeated group list { required float "
            + "element; } } }");

    private ParquetFeatures() {
    }

    /**
     * Features of {@code layer} for every picture of {@code set} (which must travel: a folder, Fashion-MNIST,
     * Parquet pictures), spatially averaged per channel when {@code pool}, written under {@code out} (a folder every
     * worker reaches; its old part files are replaced). Batch {@link Features#DEFAULT_BATCH}.
     */
    public static ParquetWritten write(DataParallel where, Network net, String layer, ImageSet set, boolean pool,
                                String out) {
        net.resolve(layer); // an unknown layer fails here, not on every worker
        ImageSet.Recipe recipe = ParquetParts.recipe(set);
        int batch = Features.DEFAULT_BATCH;
        DataParallel.Outcome<Part> o = where.run("features of " + layer + " to Parquet", set.size(), batch,
                new Shipment(PortableNetwork.of(net), recipe), new Job(layer, pool, batch, out), Part::merge, null);
        return ParquetParts.written(o, net.name() + " " + layer + (pool ? " (spatial mean)" : "") + " on "
                + set.name());
    }

    private record Job(String layer, boolean pool, int batch, String out)
            implements DataParallel.RangeTask<Shipment, Part> {
        public Part run(Shipment s, int from, int to) throws IOException {
            ImageSet set = s.set().open();
            FeatureMatrix f = Features.extract(s.net().open(), layer, set, pool, batch, from, to, null);
            SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
            try (ParquetWriter<Group> w = ParquetParts.writer(out, from, SCHEMA)) {
                for (int i = 0; i < f.rows(); i++) {
                    Group g = rows.newGroup().append("id", from + i).append("label", set.label(from + i));
                    Group list = g.addGroup("features");
                    for (float v : f.row(i)) {
                        list.addGroup("list").append("element", v);
                    }
                    w.write(g);
                }
            }
            return ParquetParts.part(f.rows(), out, from);
        }
    }

    /** Every row under {@code out}, by id. */
    public static FeatureMatrix read(SparkRunner spark, String out) {
        return read(spark, out, Integer.MAX_VALUE);
    }

    /** The {@code limit} rows of lowest id under {@code out} (a sample for t-SNE, say), by id. */
    public static FeatureMatrix read(SparkRunner spark, String out, int limit) {
        return SparkRunner.withSparkLoader(() -> {
            List<Row> rows = spark.session().read().parquet(out).orderBy("id").limit(limit)
                    .select("id", "features").collectAsList();
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("no feature rows under " + out);
            }
            int d = rows.get(0).getList(1).size();
            float[] all = new float[Math.multiplyExact(rows.size(), d)];
            for (int i = 0; i < rows.size(); i++) {
                List<Object> v = rows.get(i).getList(1);
                for (int j = 0; j < d; j++) {
                    all[i * d + j] = (Float) v.get(j);
                }
            }
            return FeatureMatrix.of(all, rows.size(), d, "features from " + out);
        });
    }
}
