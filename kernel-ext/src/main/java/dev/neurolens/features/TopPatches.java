package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.ReceptiveField;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The maximally activating patches of a layer's units over a data set (Zeiler and Fergus 2014; Olah et al.'s
 * "dataset examples"). The set is streamed once in batches; for each unit and image the strongest spatial
 * position is kept if it beats the unit's current top-k, so memory is O(k x units) whatever the set size.
 * Each winner is cropped at the unit's receptive field from the picture as the model saw it. Streaming can
 * stop and resume from a checkpoint file. Ties go to the lower image id.
 *
 * <pre>{@code TopPatches.builder(net, "conv2").units(0, 16).k(9).live(true).build().run(ImageSet.fashionMnistTest())}</pre>
 */
public final class TopPatches implements Displayable {
    /** One winning position: image id, activation value, and the unit's grid cell. */
    public record Hit(int image, float value, int y, int x) {
    }

    private final String model;
    private final String layer;
    private final int[] units;
    private final int k;
    private final List<List<Hit>> hits;
    private final List<List<BufferedImage>> crops;
    private final ReceptiveField field;
    private final int imagesSeen;
    private final String dataName;
    private final float[][] maxima;

    private TopPatches(String model, String layer, int[] units, int k, List<List<Hit>> hits,
            List<List<BufferedImage>> crops, ReceptiveField field, int imagesSeen, String dataName, float[][] maxima) {
        this.model = model;
        this.layer = layer;
        this.units = units;
        this.k = k;
        this.hits = hits;
        this.crops = crops;
        this.field = field;
        this.imagesSeen = imagesSeen;
        this.dataName = dataName;
        this.maxima = maxima;
    }

    public static Builder builder(Network net, String layer) {
        return new Builder(net, layer);
    }

    /** Quick path: top-{@code k} for units {@code [0, units)} (or all when fewer), no live view. */
    public static TopPatches of(Network net, String layer, ImageSet data, int units, int k) {
        return builder(net, layer).units(0, units).k(k).build().run(data);
    }

    public String layer() {
        return layer;
    }

    public int[] units() {
        return units.clone();
    }

    public int k() {
        return k;
    }

    public int imagesSeen() {
        return imagesSeen;
    }

    public ReceptiveField receptiveField() {
        return field;
    }

    /** The winners of the {@code index}-th requested unit, best first. */
    public List<Hit> hits(int index) {
        return hits.get(index);
    }

    /** The winners of unit number {@code unit} (a channel index of the layer). */
    public List<Hit> hitsOfUnit(int unit) {
        return hits.get(indexOf(unit));
    }

    public List<BufferedImage> crops(int index) {
        return crops.get(index);
    }

    public List<BufferedImage> cropsOfUnit(int unit) {
        return crops.get(indexOf(unit));
    }

    /** Each image's strongest activation for the unit, when the run recorded maxima (else null). */
    public float[] maxima(int unit) {
        return maxima == null ? null : maxima[indexOf(unit)].clone();
    }

    private int indexOf(int unit) {
        for (int i = 0; i < units.length; i++) {
            if (units[i] == unit) {
                return i;
            }
        }
        throw new IllegalArgumentException("unit " + unit + " was not tracked; tracked: " + Arrays.toString(units));
    }

    /**
     * The input pixels seen by the unit at grid cell {@code (y, x)}: the receptive field, which may reach
     * beyond the picture (into the padding); global fields are the whole picture.
     */
    public static Rectangle fieldBox(ReceptiveField rf, int y, int x, int height, int width) {
        if (rf.global()) {
            return new Rectangle(0, 0, width, height);
        }
        return new Rectangle(rf.start(x), rf.start(y), rf.size(), rf.size());
    }

    /**
     * The receptive field cut from {@code image}; the part beyond the picture is filled with mid gray so
     * every patch of a layer has the same size and the picture stays where the unit saw it.
     */
    public static BufferedImage crop(BufferedImage image, ReceptiveField rf, int y, int x) {
        Rectangle box = fieldBox(rf, y, x, image.getHeight(), image.getWidth());
        BufferedImage out = new BufferedImage(box.width, box.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(new Color(128, 128, 128));
            g.fillRect(0, 0, box.width, box.height);
            g.drawImage(image, -box.x, -box.y, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Grid of units (rows) by top-k (columns), each caption "unit · value" or "#image · value". */
    public ImageGrid grid() {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int cols = Math.max(1, k);
        for (int u = 0; u < units.length; u++) {
            for (int j = 0; j < cols; j++) {
                List<Hit> h = hits.get(u);
                if (j < h.size()) {
                    cells.add(crops.get(u).get(j));
                    captions.add(j == 0 ? String.format(Locale.ROOT, "u%d  %.2f", units[u], h.get(j).value())
                            : String.format(Locale.ROOT, "%.2f", h.get(j).value()));
                } else {
                    cells.add(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
                    captions.add("");
                }
            }
        }
        int side = 1;
        for (List<BufferedImage> c : crops) {
            for (BufferedImage b : c) {
                side = Math.max(side, Math.max(b.getWidth(), b.getHeight()));
            }
        }
        int cell = side >= 64 ? Math.min(side, 112) : side * (int) Math.ceil(64.0 / side);
        return ImageGrid.of(cells).columns(cols).cellSize(cell).padding(3).captions(captions)
                .title(String.format(Locale.ROOT, "top-%d patches of %s %s, %d units, %d images (rf %s)", k, model,
                        layer, units.length, imagesSeen, field.global() ? "global" : field.size() + " px"));
    }

    @Override
    public MimeBundle mimeBundle() {
        return grid().mimeBundle().with(MimeBundle.TEXT, toString());
    }

    @Override
    public String toString() {
        return "TopPatches[" + model + " " + layer + ", " + units.length + " units, top-" + k + ", " + imagesSeen
                + " images of " + dataName + "]";
    }

    /** Options for a run. */
    public static final class Builder {
        private final Network net;
        private final String layer;
        private int[] units;
        private int k = 9;
        private int batch = 128;
        private boolean live;
        private Path checkpoint;
        private boolean recordMaxima;
        private int limit = Integer.MAX_VALUE;

        private Builder(Network net, String layer) {
            this.net = net;
            this.layer = layer;
            net.resolve(layer);
        }

        /** Units (channel indices) to track; all by default. */
        public Builder units(int... channelIndices) {
            this.units = channelIndices.clone();
            return this;
        }

        /** Units {@code [from, from + count)}, cut to the layer's width. */
        public Builder units(int from, int count) {
            this.units = new int[] {-from - 1, count}; // resolved once the width is known
            return this;
        }

        public Builder k(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + n);
            }
            this.k = n;
            return this;
        }

        public Builder batch(int n) {
            this.batch = Math.max(1, n);
            return this;
        }

        /** Show a progress bar (images/s, ETA) and the grid, redrawn as the top-k improve. */
        public Builder live(boolean on) {
            this.live = on;
            return this;
        }

        /** Keep the state in this file: a run resumes from it and saves to it after every batch. */
        public Builder checkpoint(Path file) {
            this.checkpoint = file;
            return this;
        }

        /** Also keep every image's maximum for the tracked units (O(n x units); for unit pages). */
        public Builder recordMaxima(boolean on) {
            this.recordMaxima = on;
            return this;
        }

        /** Stop after this many images of the set have been seen in total (resume later with the checkpoint). */
        public Builder limit(int images) {
            this.limit = images;
            return this;
        }

        public Runner build() {
            return new Runner(this);
        }
    }

    /** Streams a data set through the network, keeping the top-k. */
    public static final class Runner {
        private final Builder b;

        private Runner(Builder b) {
            this.b = b;
        }

        public TopPatches run(ImageSet data) {
            Network net = b.net;
            Preprocessing p = net.preprocessing();
            int n = data.size();
            ReceptiveField rf = net.receptiveField(b.layer);
            State state = null;
            if (b.checkpoint != null && Files.isRegularFile(b.checkpoint)) {
                try {
                    state = State.load(b.checkpoint);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the checkpoint " + b.checkpoint + ": " + e.getMessage()
                            + "; delete it to start over", e);
                }
            }
            int end = Math.min(n, b.limit);
            Progress bar = b.live ? Progress.builder().total(end).label("top-" + b.k + " patches of " + b.layer)
                    .start() : null;
            LiveDisplay view = b.live ? LiveDisplay.create() : null;
            try {
                if (state != null && bar != null) {
                    bar.step(state.next);
                }
                int from = state == null ? 0 : state.next;
                while (from < end) {
                    int to = Math.min(end, from + b.batch);
                    float[] vals;
                    long[] args;
                    long[] shape;
                    try (NDManager scope = net.newScope()) {
                        NDArray x = data.batch(from, to, p).toNDArray(scope);
                        NDArray y = net.forward(x, Forward.capture(b.layer)).get(b.layer);
                        shape = y.getShape().getShape();
                        NDArray flat = y.reshape(to - from, shape[1], -1);
                        vals = flat.max(new int[] {2}).toType(DataType.FLOAT32, false).toFloatArray();
                        args = flat.argMax(2).toType(DataType.INT64, false).toLongArray();
                    }
                    int channels = (int) shape[1];
                    int width = shape.length == 4 ? (int) shape[3] : 1;
                    int[] wanted = resolveUnits(b.units, channels);
                    if (state == null) {
                        state = new State(wanted, b.k, b.recordMaxima ? n : 0);
                    } else if (!Arrays.equals(state.units, wanted) || state.k != b.k
                            || (state.maxima != null) != b.recordMaxima) {
                        throw new IllegalStateException("the checkpoint " + b.checkpoint + " was made for units "
                                + Arrays.toString(state.units) + " with k=" + state.k + "; this run asks for "
                                + Arrays.toString(wanted) + " with k=" + b.k + ". Delete it or use another file");
                    }
                    for (int i = 0; i < to - from; i++) {
                        for (int u = 0; u < state.units.length; u++) {
                            int c = state.units[u];
                            if (c >= channels) {
                                throw new IllegalArgumentException("unit " + c + " out of range: " + b.layer + " has "
                                        + channels + " channels");
                            }
                            float v = vals[i * channels + c];
                            int pos = (int) args[i * channels + c];
                            state.offer(u, from + i, v, pos / width, pos % width);
                            if (state.maxima != null) {
                                state.maxima[u][from + i] = v;
                            }
                        }
                    }
                    state.next = to;
                    if (b.checkpoint != null) {
                        save(state, b.checkpoint);
                    }
                    if (bar != null) {
                        bar.step(to - from);
                    }
                    if (view != null) {
                        State s = state;
                        view.update(() -> result(s, data, p, rf).grid());
                    }
                    from = to;
                }
                if (state == null) {
                    throw new IllegalArgumentException("the image set is empty");
                }
                TopPatches out = result(state, data, p, rf);
                if (view != null) {
                    view.finish(out.grid());
                }
                return out;
            } finally {
                if (bar != null) {
                    bar.close();
                }
                if (view != null) {
                    view.close();
                }
            }
        }

        private TopPatches result(State s, ImageSet data, Preprocessing p, ReceptiveField rf) {
            List<List<Hit>> hits = new ArrayList<>();
            List<List<BufferedImage>> crops = new ArrayList<>();
            for (int u = 0; u < s.units.length; u++) {
                List<Hit> h = s.sorted(u);
                List<BufferedImage> c = new ArrayList<>();
                for (Hit hit : h) {
                    c.add(crop(data.inputImage(hit.image(), p), rf, hit.y(), hit.x()));
                }
                hits.add(List.copyOf(h));
                crops.add(List.copyOf(c));
            }
            float[][] maxima = s.maxima == null ? null : Arrays.stream(s.maxima).map(float[]::clone)
                    .toArray(float[][]::new);
            return new TopPatches(b.net.name(), b.layer, s.units.clone(), s.k, List.copyOf(hits), List.copyOf(crops),
                    rf, s.next, data.name(), maxima);
        }

        private static void save(State s, Path file) {
            try {
                s.save(file);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the checkpoint " + file + ": " + e.getMessage(), e);
            }
        }

        private static int[] resolveUnits(int[] requested, int channels) {
            if (requested == null) {
                int[] all = new int[channels];
                for (int i = 0; i < channels; i++) {
                    all[i] = i;
                }
                return all;
            }
            if (requested.length == 2 && requested[0] < 0) {
                int from = -requested[0] - 1;
                int count = Math.max(0, Math.min(requested[1], channels - from));
                int[] r = new int[count];
                for (int i = 0; i < count; i++) {
                    r[i] = from + i;
                }
                return r;
            }
            return requested.clone();
        }
    }

    /** Per unit a bounded min-heap of the best k (worst at the root); the streaming state, resumable. */
    static final class State {
        final int[] units;
        final int k;
        final int[] size;
        final int[][] image;
        final float[][] value;
        final int[][] cellY;
        final int[][] cellX;
        final float[][] maxima;
        int next;

        State(int[] units, int k, int recordN) {
            this.units = units;
            this.k = k;
            int u = units.length;
            size = new int[u];
            image = new int[u][k];
            value = new float[u][k];
            cellY = new int[u][k];
            cellX = new int[u][k];
            maxima = recordN > 0 ? new float[u][recordN] : null;
        }

        /** a ranks below b: smaller value, or equal value and larger image id. */
        private boolean worse(int u, int a, int bIdx) {
            float va = value[u][a];
            float vb = value[u][bIdx];
            return va < vb || (va == vb && image[u][a] > image[u][bIdx]);
        }

        void offer(int u, int img, float v, int y, int x) {
            if (Float.isNaN(v)) {
                return;
            }
            int s = size[u];
            if (s < k) {
                set(u, s, img, v, y, x);
                size[u] = s + 1;
                siftUp(u, s);
            } else if (v > value[u][0] || (v == value[u][0] && img < image[u][0])) {
                set(u, 0, img, v, y, x);
                siftDown(u, 0);
            }
        }

        private void set(int u, int i, int img, float v, int y, int x) {
            image[u][i] = img;
            value[u][i] = v;
            cellY[u][i] = y;
            cellX[u][i] = x;
        }

        private void swap(int u, int i, int j) {
            int ti = image[u][i];
            image[u][i] = image[u][j];
            image[u][j] = ti;
            float tv = value[u][i];
            value[u][i] = value[u][j];
            value[u][j] = tv;
            int ty = cellY[u][i];
            cellY[u][i] = cellY[u][j];
            cellY[u][j] = ty;
            int tx = cellX[u][i];
            cellX[u][i] = cellX[u][j];
            cellX[u][j] = tx;
        }

        private void siftUp(int u, int i) {
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (worse(u, i, parent)) {
                    swap(u, i, parent);
                    i = parent;
                } else {
                    return;
                }
            }
        }

        private void siftDown(int u, int i) {
            int s = size[u];
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int worst = i;
                if (l < s && worse(u, l, worst)) {
                    worst = l;
                }
                if (r < s && worse(u, r, worst)) {
                    worst = r;
                }
                if (worst == i) {
                    return;
                }
                swap(u, i, worst);
                i = worst;
            }
        }

        List<Hit> sorted(int u) {
            List<Hit> out = new ArrayList<>();
            for (int i = 0; i < size[u]; i++) {
                out.add(new Hit(image[u][i], value[u][i], cellY[u][i], cellX[u][i]));
            }
            out.sort((a, b) -> a.value() != b.value() ? Float.compare(b.value(), a.value())
                    : Integer.compare(a.image(), b.image()));
            return out;
        }

        void save(Path file) throws IOException {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(units.length);
                out.writeInt(k);
                out.writeInt(maxima == null ? 0 : maxima[0].length);
                out.writeInt(next);
                for (int u = 0; u < units.length; u++) {
                    out.writeInt(units[u]);
                    out.writeInt(size[u]);
                    for (int i = 0; i < size[u]; i++) {
                        out.writeInt(image[u][i]);
                        out.writeFloat(value[u][i]);
                        out.writeInt(cellY[u][i]);
                        out.writeInt(cellX[u][i]);
                    }
                    if (maxima != null) {
                        for (float v : maxima[u]) {
                            out.writeFloat(v);
                        }
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }

        static State load(Path file) throws IOException {
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                int nu = in.readInt();
                int k = in.readInt();
                int recordN = in.readInt();
                int next = in.readInt();
                int[] units = new int[nu];
                // read into a temporary then build: the units must be known before the state
                List<Object[]> rows = new ArrayList<>();
                for (int u = 0; u < nu; u++) {
                    units[u] = in.readInt();
                    int size = in.readInt();
                    Object[] row = new Object[5];
                    int[] img = new int[size];
                    float[] val = new float[size];
                    int[] ys = new int[size];
                    int[] xs = new int[size];
                    for (int i = 0; i < size; i++) {
                        img[i] = in.readInt();
                        val[i] = in.readFloat();
                        ys[i] = in.readInt();
                        xs[i] = in.readInt();
                    }
                    float[] mx = null;
                    if (recordN > 0) {
                        mx = new float[recordN];
                        for (int i = 0; i < recordN; i++) {
                            mx[i] = in.readFloat();
                        }
                    }
                    rows.add(new Object[] {img, val, ys, xs, mx});
                }
                State s = new State(units, k, recordN);
                for (int u = 0; u < nu; u++) {
                    Object[] r = rows.get(u);
                    int[] img = (int[]) r[0];
                    s.size[u] = img.length;
                    System.arraycopy(img, 0, s.image[u], 0, img.length);
                    System.arraycopy((float[]) r[1], 0, s.value[u], 0, img.length);
                    System.arraycopy((int[]) r[2], 0, s.cellY[u], 0, img.length);
                    System.arraycopy((int[]) r[3], 0, s.cellX[u], 0, img.length);
                    if (recordN > 0) {
                        System.arraycopy((float[]) r[4], 0, s.maxima[u], 0, recordN);
                    }
                }
                s.next = next;
                return s;
            }
        }
    }
}
