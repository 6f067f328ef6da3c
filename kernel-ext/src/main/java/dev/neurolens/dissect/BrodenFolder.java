package dev.neurolens.dissect;

import dev.neurolens.data.Pictures;
import dev.neurolens.display.Images;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A data set of pictures with concept masks in the layout of Broden (Bau et al. 2017), for when a user has one:
 * {@code index.csv} lists each picture ({@code image}, optional {@code split}, then one column per category such
 * as {@code color}, {@code object}, {@code part}, {@code material}, {@code scene}, {@code texture}) and
 * {@code label.csv} names the labels ({@code number,name[,category,...]}). Pixel categories hold
 * {@code ;}-separated mask files (PNG, label = red + 256 green, 0 for none, at any resolution); whole-picture
 * categories ({@code scene}, {@code texture}) hold label numbers. Paths are relative to {@code images/}.
 *
 * <pre>{@code
 * BrodenFolder broden = BrodenFolder.open(Path.of("broden1_224"));
 * NetworkDissection.builder(net, "features.12").images(broden.split("val").masks("object")).run()
 * }</pre>
 *
 * Masks follow their pictures through the network's resize and centre crop, by nearest neighbour.
 */
public final class BrodenFolder {
    private static final List<String> WHOLE = List.of("scene", "texture");
    private final Path root;
    private final List<String> columns;
    private final List<String[]> rows;
    private final Map<Integer, String> labelNames;
    private final Map<Integer, List<String>> labelCategories;
    private final String name;
    /** The split these rows are, or null for all. */
    private final String split;

    private BrodenFolder(Path root, List<String> columns, List<String[]> rows, Map<Integer, String> labelNames,
                         Map<Integer, List<String>> labelCategories, String name, String split) {
        this.root = root;
        this.split = split;
        this.columns = columns;
        this.rows = rows;
        this.labelNames = labelNames;
        this.labelCategories = labelCategories;
        this.name = name;
    }

    /** Reads {@code index.csv} and {@code label.csv} of a Broden-style folder (pictures are read when used). */
    public static BrodenFolder open(Path dir) {
        Path index = dir.resolve("index.csv");
        Path labels = dir.resolve("label.csv");
        if (!Files.isRegularFile(index) || !Files.isRegularFile(labels)) {
            throw new IllegalArgumentException(dir.toAbsolutePath() + " is not a Broden-style folder: it needs "
                    + "index.csv (image,split,<category>...) and label.csv (number,name,category), pictures and "
                    + "masks under images/");
        }
        try {
            List<String> lines = Files.readAllLines(index);
            if (lines.isEmpty()) {
                throw new IllegalArgumentException(index + " is empty");
            }
            List<String> columns = List.of(lines.get(0).trim().split(",", -1));
            if (!columns.contains("image")) {
                throw new IllegalArgumentException(index + " has no 'image' column; columns: " + columns);
            }
            List<String[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    String[] cells = Arrays.copyOf(line.split(",", -1), columns.size());
                    rows.add(cells);
                }
            }
            Map<Integer, String> names = new LinkedHashMap<>();
            Map<Integer, List<String>> categories = new LinkedHashMap<>();
            List<String> labelLines = Files.readAllLines(labels);
            List<String> header = List.of(labelLines.get(0).trim().split(",", -1));
            int num = header.indexOf("number");
            int nm = header.indexOf("name");
            int cat = header.indexOf("category");
            if (num < 0 || nm < 0) {
                throw new IllegalArgumentException(labels + " needs 'number' and 'name' columns; it has " + header);
            }
            for (String line : labelLines.subList(1, labelLines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                int n = Integer.parseInt(c[num].trim());
                names.put(n, c[nm].trim());
                List<String> cs = new ArrayList<>();
                if (cat >= 0 && cat < c.length && !c[cat].isBlank()) {
                    for (String part : c[cat].split(";")) {
                        cs.add(part.replaceAll("\\(.*", "").trim());
                    }
                }
                categories.put(n, cs);
            }
            return new BrodenFolder(dir.toAbsolutePath(), columns, rows, names, categories,
                    dir.toAbsolutePath().getFileName().toString(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes pictures and their concept labels as a Broden-style folder at {@code dir}: PNG pictures and object masks
     * (label = concept + 1, red + 256 green), every other picture in "val", the rest in "train". For trying a Broden
     * workflow on rendered scenes ({@link SceneClassifier#scenes}) or sharing them with other tools.
     *
     * @param images01 {@code N x 3 x H x W} in [0, 1]
     * @param labels concept index per pixel of each picture, {@code [y * W + x]}
     */
    public static BrodenFolder write(Path dir, Tensor images01, int[][] labels, List<String> concepts) {
        int n = (int) images01.dim(0);
        int h = (int) images01.dim(2);
        int w = (int) images01.dim(3);
        if (labels.length != n) {
            throw new IllegalArgumentException(n + " pictures but " + labels.length + " label maps");
        }
        try {
            Files.createDirectories(dir.resolve("images"));
            StringBuilder index = new StringBuilder("image,split,ih,iw,sh,sw,object,scene\n");
            for (int i = 0; i < n; i++) {
                Tensor one = images01.slice(i);
                ImageIO.write(Images.fromFloats(one.toFloatArray(), Images.PixelRange.UNIT, one.shape()), "png",
                        dir.resolve("images/s" + i + ".png").toFile());
                BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < w * h; p++) {
                    int number = labels[i][p] + 1;
                    mask.setRGB(p % w, p / w, ((number & 255) << 16) | ((number >> 8) << 8));
                }
                ImageIO.write(mask, "png", dir.resolve("images/s" + i + "_object.png").toFile());
                index.append('s').append(i).append(".png,").append(i % 2 == 0 ? "train" : "val").append(',')
                        .append(h).append(',').append(w).append(',').append(h).append(',').append(w)
                        .append(",s").append(i).append("_object.png,\n");
            }
            Files.writeString(dir.resolve("index.csv"), index);
            StringBuilder label = new StringBuilder("number,name,category,frequency\n0,-,,0\n");
            for (int c = 0; c < concepts.size(); c++) {
                label.append(c + 1).append(',').append(concepts.get(c)).append(",object(1),1\n");
            }
            Files.writeString(dir.resolve("label.csv"), label);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        return open(dir);
    }

    public int size() {
        return rows.size();
    }

    /** The rows whose {@code split} is {@code split} (e.g. "train", "val"). */
    public BrodenFolder split(String split) {
        int col = columns.indexOf("split");
        if (col < 0) {
            throw new IllegalArgumentException("index.csv has no split column; columns: " + columns);
        }
        List<String[]> kept = rows.stream().filter(r -> split.equals(r[col])).toList();
        if (kept.isEmpty()) {
            List<String> splits = rows.stream().map(r -> r[col]).distinct().toList();
            throw new IllegalArgumentException("no pictures in split '" + split + "'; splits: " + splits);
        }
        return new BrodenFolder(root, columns, kept, labelNames, labelCategories, name + " " + split, split);
    }

    /** The categories of concepts this index has columns for. */
    public List<String> categories() {
        List<String> out = new ArrayList<>();
        for (String c : columns) {
            if (!c.equals("image") && !c.equals("split") && !c.matches("[is][hw]")) {
                out.add(c);
            }
        }
        return out;
    }

    /** The pictures, unlabelled. */
    public ImageSet images() {
        return new ImageSet() {
            public int size() {
                return rows.size();
            }

            public BufferedImage image(int i) {
                return read(rows.get(i)[columns.indexOf("image")]);
            }

            public int label(int i) {
                return -1;
            }

            public List<String> labelNames() {
                return List.of();
            }

            public String name() {
                return name + " (" + rows.size() + ")";
            }

            public ImageSet.Recipe recipe() {
                return new FolderPictures(where());
            }
        };
    }

    /**
     * How another JVM opens this folder again: its absolute path, split and picture count. A worker that sees
     * another folder there (missing, or with other rows) would number the pictures differently, so it stops with
     * the reason.
     */
    private Where where() {
        return new Where(root.toString(), split, rows.size());
    }

    private static final Map<Where, BrodenFolder> OPEN = new java.util.concurrent.ConcurrentHashMap<>();

    private record Where(String root, String split, int size) implements java.io.Serializable {
        BrodenFolder open() {
            BrodenFolder f = OPEN.get(this);
            if (f == null) {
                try {
                    BrodenFolder all = BrodenFolder.open(Path.of(root));
                    f = split == null ? all : all.split(split);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("this worker cannot read the Broden folder " + root + " ("
                            + e.getMessage() + "); every worker must see it at the same path", e);
                }
                OPEN.put(this, f);
            }
            if (f.size() != size) {
                throw new IllegalStateException("this worker finds " + f.size() + " pictures in " + f.name
                        + ", the driver found " + size + "; every worker must see the same folder");
            }
            return f;
        }
    }

    private record FolderPictures(Where folder) implements ImageSet.Recipe {
        public ImageSet open() {
            return folder.open().images();
        }
    }

    /** What one category's masks travel as: the folder's recipe and the category. */
    private record MasksRecipe(Where folder, String category) implements java.io.Serializable {
        private Object readResolve() {
            return folder.open().masks(category);
        }
    }

    /** The masks of one category, a {@link Segmenter} that answers for this folder's pictures by position. */
    public Masks masks(String category) {
        int col = columns.indexOf(category);
        if (col < 0) {
            throw new IllegalArgumentException("no category '" + category + "'; this index has: "
                    + String.join(", ", categories()));
        }
        List<Integer> numbers = new ArrayList<>();
        for (var e : labelCategories.entrySet()) {
            if (e.getKey() != 0 && (e.getValue().isEmpty() || e.getValue().contains(category))) {
                numbers.add(e.getKey());
            }
        }
        return new Masks(category, col, numbers);
    }

    private BufferedImage read(String relative) {
        Path f = root.resolve("images").resolve(relative);
        return Pictures.read(f);
    }

    @Override
    public String toString() {
        return "BrodenFolder[" + name + ", " + rows.size() + " pictures, categories " + categories() + "]";
    }

    /**
     * One category's concept masks. Used through {@code NetworkDissection.builder(...).images(masks)}, which asks
     * for the masks of picture {@code i} in the network's frame; as a plain {@link Segmenter} it cannot tell which
     * picture a tensor is and says so.
     */
    public final class Masks implements Segmenter, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String category;
        private final int column;
        private final List<String> concepts = new ArrayList<>();
        private final Map<Integer, Integer> byNumber = new LinkedHashMap<>();

        private Masks(String category, int column, List<Integer> numbers) {
            this.category = category;
            this.column = column;
            for (int n : numbers) {
                byNumber.put(n, concepts.size());
                concepts.add(labelNames.get(n));
            }
        }

        public String category() {
            return category;
        }

        /** The folder's pictures these masks belong to. */
        public ImageSet images() {
            return BrodenFolder.this.images();
        }

        @Override
        public List<String> concepts() {
            return concepts;
        }

        @Override
        public int[][] segment(Tensor images) {
            throw new UnsupportedOperationException("Broden masks belong to the folder's pictures, not to any image: "
                    + "pass them as NetworkDissection.builder(net, layer).images(folder.masks(\"" + category + "\"))");
        }

        /**
         * Concept labels of picture {@code i} in the frame the network sees (resized so the shorter side is
         * {@code p.resize()}, centre-cropped to {@code p.crop()}), {@code [y * crop + x]}, {@link #NONE} where
         * unlabelled. Later mask files of the same picture win where they label a pixel.
         */
        public int[] labels(int i, Preprocessing p) {
            String[] row = rows.get(i);
            String cell = row[column] == null ? "" : row[column].trim();
            int crop = p.crop();
            int[] out = new int[crop * crop];
            Arrays.fill(out, NONE);
            if (cell.isEmpty()) {
                return out;
            }
            BufferedImage picture = read(row[columns.indexOf("image")]);
            int iw = picture.getWidth();
            int ih = picture.getHeight();
            int size = p.resize();
            int nw = iw <= ih ? size : (int) Math.round((double) iw * size / ih);
            int nh = ih < iw ? size : (int) Math.round((double) ih * size / iw);
            if (Math.min(iw, ih) == size) {
                nw = iw;
                nh = ih;
            }
            int x0 = (int) Math.round((nw - crop) / 2.0);
            int y0 = (int) Math.round((nh - crop) / 2.0);
            for (String part : cell.split(";")) {
                part = part.trim();
                if (part.isEmpty()) {
                    continue;
                }
                if (WHOLE.contains(category) || part.matches("\\d+")) {
                    Integer c = byNumber.get(Integer.parseInt(part));
                    if (c != null) {
                        Arrays.fill(out, c);
                    }
                    continue;
                }
                BufferedImage mask = read(part);
                int sw = mask.getWidth();
                int sh = mask.getHeight();
                for (int y = 0; y < crop; y++) {
                    int my = (int) Math.min(sh - 1, Math.floor((y + y0 + 0.5) * ih / (double) nh * sh / ih));
                    for (int x = 0; x < crop; x++) {
                        int mx = (int) Math.min(sw - 1, Math.floor((x + x0 + 0.5) * iw / (double) nw * sw / iw));
                        int rgb = mask.getRGB(mx, my);
                        int number = ((rgb >> 16) & 255) + 256 * ((rgb >> 8) & 255);
                        Integer c = byNumber.get(number);
                        if (number != 0 && c != null) {
                            out[y * crop + x] = c;
                        }
                    }
                }
            }
            return out;
        }

        /** Masks travel as their folder's path and category, and open that folder again on arrival. */
        private Object writeReplace() {
            return new MasksRecipe(where(), category);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Broden %s masks of %s (%d concepts)", category, name, concepts.size());
        }
    }
}
