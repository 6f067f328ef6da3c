package dev.neurolens.spark;

import dev.neurolens.data.Pictures;
import dev.neurolens.features.ImageSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pictures stored encoded (PNG, JPEG) in Parquet, one row per picture: a binary column {@code content}, and
 * optionally {@code path} and {@code class} (the label's name). As an {@link ImageSet} its ids are the rows in file
 * order, and it travels to a cluster as the files' names and row-group sizes: each worker reads, through Hadoop's
 * file systems ({@code file:}, {@code hdfs:}, {@code s3a:} ...), only the row groups its ranges need.
 *
 * <pre>{@code
 * ParquetImages.fromFiles(spark, "/data/pictures", "/data/pictures.parquet");  // Spark's binary-file source
 * ImageSet set = ParquetImages.open("/data/pictures.parquet");
 * TopPatches.builder(net, "conv3").on(spark).run(set);
 * }</pre>
 */
public final class ParquetImages {
    /** Row-group size that {@link #fromFiles} writes: small groups keep a task's reads small. */
    static final int GROUP_BYTES = 8 << 20;
    private static final Map<String, List<Picture>> GROUPS = new LinkedHashMap<>(8, 0.75f, true);
    private static final Map<Object, long[]> STARTS = new java.util.concurrent.ConcurrentHashMap<>();

    private ParquetImages() {
    }

    /**
     * Reads the pictures under {@code folder} (a path or URI; subfolders' names become the classes, as in
     * {@code ImageSet.folder}) with Spark's binary-file source and writes them, sorted by path, as Parquet under
     * {@code out} (replaced if there). Returns how many pictures it wrote.
     */
    public static long fromFiles(SparkRunner spark, String folder, String out) {
        return SparkRunner.withSparkLoader(() -> {
            Dataset<Row> files = spark.session().read().format("binaryFile")
                    .option("pathGlobFilter", "*.{jpg,jpeg,png,bmp,gif,JPG,JPEG,PNG,BMP,GIF}")
                    .option("recursiveFileLookup", "true").load(folder);
            String prefix = qualified(folder);
            // the class is the first folder below the root, or none for pictures right in it
            Dataset<Row> rows = files.withColumn("rel", functions.expr("substring(path, "
                            + (prefix.length() + 2) + ")"))
                    .withColumn("class", functions.expr("CASE WHEN instr(rel, '/') > 0 THEN "
                            + "substring_index(rel, '/', 1) ELSE '' END"))
                    .select("path", "class", "content").orderBy("path");
            rows.write().mode("overwrite").option("parquet.block.size", GROUP_BYTES).parquet(out);
            return open(out).size() * 1L;
        });
    }

    /** The path as Spark's binary-file source writes it ({@code file:/abs/dir}), without a trailing slash. */
    private static String qualified(String dir) {
        try {
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(new Configuration());
            String q = fs.makeQualified(p).toString();
            return q.endsWith("/") ? q.substring(0, q.length() - 1) : q;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pictures of a Parquet file, or of a folder of them (its {@code *.parquet} files in name order, as Spark
     * writes them). Reads the footers here; the pictures are read when asked for.
     */
    public static ImageSet open(String path) {
        Configuration conf = new Configuration();
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("no Parquet file or folder at " + path);
            }
            List<String> files = new ArrayList<>();
            if (fs.getFileStatus(p).isDirectory()) {
                for (FileStatus f : fs.listStatus(p)) {
                    String name = f.getPath().getName();
                    if (f.isFile() && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
                        files.add(f.getPath().toString());
                    }
                }
                files.sort(null);
            } else {
                files.add(fs.makeQualified(p).toString());
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no .parquet files in " + path);
            }
            long[][] groups = new long[files.size()][];
            boolean hasPath = false;
            boolean hasClass = false;
            TreeSet<String> classes = new TreeSet<>();
            for (int f = 0; f < files.size(); f++) {
                try (ParquetFileReader r = ParquetFileReader.open(conf, new Path(files.get(f)))) {
                    MessageType schema = r.getFooter().getFileMetaData().getSchema();
                    if (!schema.containsField("content")) {
                        throw new IllegalArgumentException(files.get(f) + " has no 'content' column of encoded "
                                + "pictures; its columns: " + schema.getFields().stream().map(Type::getName).toList());
                    }
                    hasPath = schema.containsField("path");
                    hasClass = schema.containsField("class");
                    List<BlockMetaData> blocks = r.getRowGroups();
                    groups[f] = blocks.stream().mapToLong(BlockMetaData::getRowCount).toArray();
                }
                if (hasClass) {
                    for (int g = 0; g < groups[f].length; g++) {
                        for (Group row : readGroup(files.get(f), g, List.of("class"))) {
                            String c = row.getFieldRepetitionCount("class") == 0 ? "" : row.getString("class", 0);
                            if (!c.isEmpty()) {
                                classes.add(c);
                            }
                        }
                    }
                }
            }
            String name = new Path(path).getName();
            return new Layout(files.toArray(String[]::new), groups, hasPath, new ArrayList<>(classes), name).open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** One row of a row group: the encoded picture and its path and class. */
    private record Picture(byte[] content, String path, String label) {
    }

    /** The rows of row group {@code g} of {@code file}, only {@code columns}. */
    private static List<Group> readGroup(String file, int g, List<String> columns) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new Configuration(), new Path(file))) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            List<Type> fields = new ArrayList<>();
            for (String c : columns) {
                if (schema.containsField(c)) {
                    fields.add(schema.getType(c));
                }
            }
            MessageType projection = new MessageType(schema.getName(), fields);
            r.setRequestedSchema(projection);
            PageReadStore pages = r.readRowGroup(g);
            RecordReader<Group> rows = new ColumnIOFactory().getColumnIO(projection)
                    .getRecordReader(pages, new GroupRecordConverter(projection));
            List<Group> out = new ArrayList<>((int) pages.getRowCount());
            for (long i = 0; i < pages.getRowCount(); i++) {
                out.add(rows.read());
            }
            return out;
        }
    }

    /** What travels: the files and their row groups' sizes, so every JVM numbers the rows the same way. */
    private record Layout(String[] files, long[][] groups, boolean hasPath, List<String> classes, String name)
            implements ImageSet.Recipe {
        int size() {
            long n = 0;
            for (long[] g : groups) {
                n += Arrays.stream(g).sum();
            }
            return Math.toIntExact(n);
        }

        @Override
        public ImageSet open() {
            Layout layout = this;
            int size = size();
            return new ImageSet() {
                public int size() {
                    return size;
                }

                public BufferedImage image(int i) {
                    Picture p = layout.picture(i);
                    return Pictures.decode(p.content(), p.path() != null ? p.path()
                            : "row " + i + " of " + layout.name());
                }

                public int label(int i) {
                    return classes.isEmpty() ? -1 : classes.indexOf(layout.picture(i).label());
                }

                public List<String> labelNames() {
                    return classes;
                }

                public String name() {
                    return layout.name() + " (" + size + ")";
                }

                public ImageSet.Recipe recipe() {
                    return layout;
                }
            };
        }

        /** Row {@code i}, from a small cache of decoded row groups (a task's range reads each group once). */
        Picture picture(int i) {
            long[] at = starts();
            if (i < 0 || i >= at[at.length - 1]) {
                throw new IndexOutOfBoundsException("picture " + i + " of " + at[at.length - 1]);
            }
            int k = Arrays.binarySearch(at, i);
            k = k >= 0 ? k : -k - 2;
            while (at[k + 1] <= i) { // past empty row groups, to the one that holds row i
                k++;
            }
            int f = 0;
            int g = k;
            while (g >= groups[f].length) {
                g -= groups[f].length;
                f++;
            }
            return group(f, g).get((int) (i - at[k]));
        }

        /** The first row of every row group, over all files in order, then the total. */
        private long[] starts() {
            long[] s = STARTS.get(this);
            if (s == null) {
                int n = 0;
                for (long[] g : groups) {
                    n += g.length;
                }
                s = new long[n + 1];
                int k = 0;
                for (long[] file : groups) {
                    for (long rows : file) {
                        s[k + 1] = s[k] + rows;
                        k++;
                    }
                }
                STARTS.put(this, s);
            }
            return s;
        }

        private List<Picture> group(int f, int g) {
            String key = files[f] + "#" + g;
            synchronized (GROUPS) {
                List<Picture> hit = GROUPS.get(key);
                if (hit != null) {
                    return hit;
                }
            }
            List<Picture> rows = new ArrayList<>();
            try {
                for (Group row : readGroup(files[f], g, List.of("content", "path", "class"))) {
                    rows.add(new Picture(row.getBinary("content", 0).getBytes(),
                            hasPath && row.getFieldRepetitionCount("path") > 0 ? row.getString("path", 0) : null,
                            !classes.isEmpty() && row.getFieldRepetitionCount("class") > 0
                                    ? row.getString("class", 0) : ""));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read row group " + g + " of " + files[f] + " ("
                        + e.getMessage() + "); every worker must reach the Parquet files", e);
            }
            if (rows.size() != groups[f][g]) {
                throw new IllegalStateException(files[f] + " changed since it was opened: row group " + g + " has "
                        + rows.size() + " rows, not " + groups[f][g]);
            }
            synchronized (GROUPS) {
                GROUPS.put(key, rows);
                while (GROUPS.size() > 8) { // a few tasks' groups per JVM, not the data set
                    GROUPS.remove(GROUPS.keySet().iterator().next());
                }
            }
            return rows;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && Arrays.equals(files, l.files) && Arrays.deepEquals(groups, l.groups);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(files) * 31 + Arrays.deepHashCode(groups);
        }
    }
}
