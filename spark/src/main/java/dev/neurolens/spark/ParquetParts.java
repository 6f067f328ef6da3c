package dev.neurolens.spark;

import dev.neurolens.features.ImageSet;
import dev.neurolens.model.PortableNetwork;
import dev.neurolens.run.DataParallel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the jobs that write one Parquet file per range share. */
final class ParquetParts {
    private ParquetParts() {
    }

    /** What every worker gets once: the network and the pictures' recipe. */
    record Shipment(PortableNetwork net, ImageSet.Recipe set) implements Serializable {
    }

    /** The rows written and the files they are in; merges in place. */
    record Part(long rows, ArrayList<String> files) implements Serializable {
        Part merge(Part o) {
            files.addAll(o.files);
            return new Part(rows + o.rows, files);
        }
    }

    /** The recipe of {@code set}, or the one error that says which sets can travel. */
    static ImageSet.Recipe recipe(ImageSet set) {
        ImageSet.Recipe recipe = set.recipe();
        if (recipe == null) {
            throw new IllegalArgumentException("the pictures of " + set.name() + " live only in this JVM; use a "
                    + "folder, Fashion-MNIST or ParquetImages, which every worker can open");
        }
        return recipe;
    }

    /**
     * A writer of range {@code from}'s file under {@code out}: named by the range, so a retried or speculative task
     * writes the same file again.
     */
    static ParquetWriter<Group> writer(String out, int from, MessageType schema) throws IOException {
        return ExampleParquetWriter.builder(file(out, from)).withConf(new Configuration()).withType(schema)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).withCompressionCodec(CompressionCodecName.SNAPPY)
                .build();
    }

    static Part part(long rows, String out, int from) {
        ArrayList<String> files = new ArrayList<>();
        files.add(file(out, from).toString());
        return new Part(rows, files);
    }

    private static Path file(String out, int from) {
        return new Path(out, String.format(Locale.ROOT, "part-%010d.parquet", from));
    }

    static ParquetWritten written(DataParallel.Outcome<Part> o, String description) {
        Part p = o.merged() == null ? new Part(0, new ArrayList<>()) : o.merged();
        p.files().sort(null);
        return new ParquetWritten(p.rows(), List.copyOf(p.files()), o.interrupted(), description);
    }
}
