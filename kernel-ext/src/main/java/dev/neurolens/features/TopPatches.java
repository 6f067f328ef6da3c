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
import dev.neurolens.model.LayerKind;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The maximally activating patches of a layer's units over a data set (Zeiler and Fergus 2014; Olah et al.'s
 * "dataset examples"). The set is streamed once in batches; for each unit and image the strongest spatial
 * position is kept if it beats the unit's current top-k, so memory is O(k x units) whatever the set size.
 * Each winner is cropped at the unit's receptive field from the picture as the model saw it. Ties go to the
 * lower image id. The layer must have a spatial extent (a conv, relu or pool layer): a patch is a place in
 * the picture.
 *
 * <p>Interrupting (the kernel's Thread.interrupt, or its Thread.stop after the grace period) ends the stream
 * between batches and keeps the top-k of the images seen so far, marked partial; the kernel discards an
 * interrupted cell's value, so {@link #lastResult()} hands it back in the next cell and {@link #resume} goes
 * on from the next image. A checkpoint file does the same across kernel restarts.
 *
 * <pre>{@code TopPatches.builder(net, "conv2").units(0, 16).k(9).live(true).build().run(ImageSet.fashionMnistTest())}</pre>
 */
public final class TopPatches implements Displayable {
    /** One winning position: image id, activation value, and the unit's grid cell. */
    public record Hit(int image, float value, int y, int x) {
    }

    private static volatile TopPatches last;

    private final Runner runner;
    private final String model;
    private final String layer;
    private final int[] units;
    private final int k;
    private final List<List<Hit>> hits;
    private final ReceptiveField field;
    private final int imagesSeen;
    private final int total;
    private final boolean interrupted;
    private final ImageSet data;
    private final State state;
    private volatile List<List<BufferedImage>> crops;

    private TopPatches(Runner runner, State state, ImageSet data, ReceptiveField field, boolean interrupted) {
        this.runner = runner;
        this.model = runner.net.name();
        this.layer = runner.layer;
        this.state = state;
        this.units = state.units.clone();
        this.k = state.k;
        List<List<Hit>> h = new ArrayList<>();
        for (int u = 0; u < state.units.length; u++) {
            h.add(List.copyOf(state.sorted(u)));
        }
        this.hits = List.copyOf(h);
        this.field = field;
        this.imagesSeen = state.next;
        this.total = data.size();
        this.interrupted = interrupted;
        this.data = data;
    }

    public static Builder builder(Network net, String layer) {
        return new Builder(net, layer);
    }

    /** Quick path: top-{@code k} for units {@code [0, units)} (or all when fewer), no live view. */
    public static TopPatches of(Network net, String layer, ImageSet data, int units, int k) {
        return builder(net, layer).units(0, units).k(k).build().run(data);
    }

    /** The result of the most recent run in this JVM, also when it was interrupted (then partial); null before any. */
    public static TopPatches lastResult() {
        return last;
    }

    /**
     * Streams the rest of {@code data} from where {@code partial} stopped, with the options it was made with,
     * and returns the top-k over everything seen; {@code data} must be the set {@code partial} was run on.
     */
    public static TopPatches resume(TopPatches partial, ImageSet data) {
        return partial.runner.resume(partial, data);
    }

    /** {@code resume(this, data)}. */
    public TopPatches resume(ImageSet data) {
        return resume(this, data);
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

    /** Images streamed so far: ids {@code 0 .. imagesSeen()-1}. */
    public int imagesSeen() {
        return imagesSeen;
    }

    /** Size of the data set the run was asked to stream. */
    public int totalImages() {
        return total;
    }

    /** True when only a prefix of the data set was streamed (interrupted or limited): {@link #resume} goes on. */
    public boolean partial() {
        return imagesSeen < total;
    }

    /** True when an interrupt ended the stream early. */
    public boolean interrupted() {
        return interrupted;
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
        return crops().get(index);
    }

    public List<BufferedImage> cropsOfUnit(int unit) {
        return crops().get(indexOf(unit));
    }

    // Cut on first use, so that stopping (interrupt) returns at once even when pictures are read from disk.
    private List<List<BufferedImage>> crops() {
        List<List<BufferedImage>> c = crops;
        if (c == null) {
            Preprocessing p = runner.net.preprocessing();
            List<List<BufferedImage>> all = new ArrayList<>();
            for (List<Hit> h : hits) {
                List<BufferedImage> row = new ArrayList<>();
                for (Hit hit : h) {
                    row.add(crop(data.inputImage(hit.image(), p), field, hit.y(), hit.x()));
                }
                all.add(List.copyOf(row));
            }
            c = List.copyOf(all);
            crops = c;
        }
        return c;
    }

    /** Each seen image's strongest activation for the unit, when the run recorded maxima (else null). */
    public float[] maxima(int unit) {
        return state.maxima == null ? null : Arrays.copyOf(state.maxima[indexOf(unit)], imagesSeen);
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
        List<List<BufferedImage>> crops = crops();
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
        String seen = partial() ? imagesSeen + " of " + total + " images" : imagesSeen + " images";
        String title = String.format(Locale.ROOT, "top-%d patches of %s %s, %d units, %s (rf %s)", k, model, layer,
                units.length, seen, field.global() ? "global" : field.size() + " px");
        if (partial()) {
            title += " · PARTIAL" + (interrupted ? " (interrupted)" : "")
                    + ": TopPatches.lastResult().resume(data) goes on";
        }
        return ImageGrid.of(cells).columns(cols).cellSize(cell).padding(3).captions(captions).title(title);
    }

    @Override
    public MimeBundle mimeBundle() {
        if (imagesSeen == 0 || units.length == 0) {
            return MimeBundle.text(toString());
        }
        return grid().mimeBundle().with(MimeBundle.TEXT, toString());
    }

    @Override
    public String toString() {
        return "TopPatches[" + model + " " + layer + ", " + units.length + " units, top-" + k + ", "
                + (partial() ? "partial" + (interrupted ? " (interrupted)" : "") + ": " + imagesSeen + " of "
                        + total : imagesSeen) + " images of " + data.name() + "]";
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

        /** Stop after this many images of the set have been seen in total (resume later). */
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
        private final Network net;
        private final String layer;
        private final int[] units;
        private final int k;
        private final int batch;
        private final boolean live;
        private final Path checkpoint;
        private final boolean recordMaxima;
        private final int limit;

        private Runner(Builder b) {
            net = b.net;
            layer = b.layer;
            units = b.units == null ? null : b.units.clone();
            k = b.k;
            batch = b.batch;
            live = b.live;
            checkpoint = b.checkpoint;
            recordMaxima = b.recordMaxima;
            limit = b.limit;
        }

        /** Streams {@code data} from the start, or from the checkpoint file when there is one. */
        public TopPatches run(ImageSet data) {
            State state = null;
            if (checkpoint != null && Files.isRegularFile(checkpoint)) {
                try {
                    state = State.load(checkpoint);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the checkpoint " + checkpoint + ": " + e.getMessage()
                            + "; delete it to start over", e);
                }
            }
            return stream(state, data);
        }

        /** Streams {@code data} on from where {@code partial} stopped (its next image) with this runner's options. */
        public TopPatches resume(TopPatches partial, ImageSet data) {
            if (!net.resolve(layer).equals(net.resolve(partial.layer)) || !net.name().equals(partial.model)) {
                throw new IllegalArgumentException("cannot resume: the partial result is of " + partial.model + " "
                        + partial.layer + ", this run is of " + net.name() + " " + layer);
            }
            if (!data.name().equals(partial.data.name()) || data.size() != partial.total) {
                throw new IllegalArgumentException("cannot resume: the partial result was streamed over "
                        + partial.data.name() + ", not " + data.name() + "; resume with the same data set");
            }
            return stream(partial.state.copy(), data);
        }

        private TopPatches stream(State initial, ImageSet data) {
            int n = data.size();
            if (n == 0) {
                throw new IllegalArgumentException("the image set " + data.name() + " is empty: nothing to stream;"
                        + " give a set with pictures (e.g. ImageSet.fashionMnistTest() or ImageSet.folder(dir))");
            }
            Preprocessing p = net.preprocessing();
            ReceptiveField rf = net.receptiveField(layer);
            int end = Math.min(n, limit);
            // a state that saw nothing (stopped before its first batch) may not know its units yet: start afresh
            State state = initial == null || initial.next == 0 ? null : initial;
            if (state != null) {
                checkCompatible(state, state.units, false);
                if (state.maxima != null && state.maxima.length > 0 && state.maxima[0].length != n) {
                    throw new IllegalStateException("the saved state was made on a set of " + state.maxima[0].length
                            + " images, this one has " + n + "; resume with the same data set");
                }
            }
            State committed = state == null ? null : state.copy();
            boolean stopped = false;
            Progress bar = live ? Progress.builder().total(end).label("top-" + k + " patches of " + layer)
                    .start() : null;
            LiveDisplay view = live ? LiveDisplay.create() : null;
            try {
                if (state != null && bar != null) {
                    bar.step(state.next);
                }
                try {
                    int from = state == null ? 0 : state.next;
                    while (from < end) {
                        if (Thread.currentThread().isInterrupted()) {
                            stopped = true;
                            break;
                        }
                        int to = Math.min(end, from + batch);
                        float[] maps;
                        long[] shape;
                        try (NDManager scope = net.newScope()) {
                            NDArray x = data.batch(from, to, p).toNDArray(scope);
                            NDArray y = net.forward(x, Forward.capture(layer)).get(layer);
                            shape = y.getShape().getShape();
                            if (shape.length != 4 || shape[2] * shape[3] <= 1) {
                                throw noSpatialExtent(shape);
                            }
                            maps = y.toType(DataType.FLOAT32, false).toFloatArray();
                        }
                        int channels = (int) shape[1];
                        int width = (int) shape[3];
                        int plane = (int) (shape[2] * shape[3]);
                        // each map's maximum and its first position, in one pass here rather than two native
                        // reductions (max, argMax) and their copies
                        float[] vals = new float[(to - from) * channels];
                        int[] args = new int[vals.length];
                        for (int m = 0; m < vals.length; m++) {
                            int base = m * plane;
                            float best = maps[base];
                            int at = 0;
                            for (int s = 1; s < plane; s++) {
                                float v = maps[base + s];
                                if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                    best = v;
                                    at = s;
                                }
                            }
                            vals[m] = best;
                            args[m] = at;
                        }
                        int[] wanted = resolveUnits(units, channels);
                        if (state == null) {
                            state = new State(wanted, k, recordMaxima ? n : 0);
                        } else {
                            checkCompatible(state, wanted, true);
                        }
                        for (int c : state.units) {
                            if (c < 0 || c >= channels) {
                                throw new IllegalArgumentException("unit " + c + " out of range: " + layer + " has "
                                        + channels + " channels (0.." + (channels - 1) + ")");
                            }
                        }
                        for (int i = 0; i < to - from; i++) {
                            for (int u = 0; u < state.units.length; u++) {
                                int c = state.units[u];
                                float v = vals[i * channels + c];
                                int pos = args[i * channels + c];
                                state.offer(u, from + i, v, pos / width, pos % width);
                                if (state.maxima != null) {
                                    state.maxima[u][from + i] = v;
                                }
                            }
                        }
                        state.next = to;
                        // a consistent copy at each batch boundary: a hard stop may land anywhere in the next batch
                        committed = state.copy();
                        if (checkpoint != null) {
                            save(committed, checkpoint);
                        }
                        if (bar != null) {
                            bar.step(to - from);
                        }
                        if (view != null) {
                            State s = committed;
                            view.update(() -> new TopPatches(this, s, data, rf, false).grid());
                        }
                        from = to;
                    }
                } catch (ThreadDeath death) {
                    // the kernel's hard stop after an ignored interrupt: keep the last complete batch
                    stopped = true;
                }
                if (committed == null) {
                    // stopped before the first batch finished: nothing seen yet
                    committed = new State(resolveUnitsWithoutWidth(), k, recordMaxima ? n : 0);
                }
                TopPatches out = new TopPatches(this, committed, data, rf, stopped);
                last = out;
                if (view != null) {
                    view.finish(out.mimeBundle());
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

        private int[] resolveUnitsWithoutWidth() {
            if (units == null) {
                return new int[0];
            }
            return units.length == 2 && units[0] < 0 ? new int[0] : units.clone();
        }

        private void checkCompatible(State state, int[] wanted, boolean widthKnown) {
            boolean unitsOk = widthKnown || units == null || (units.length == 2 && units[0] < 0)
                    ? Arrays.equals(state.units, wanted) : Arrays.equals(state.units, units);
            if (!unitsOk || state.k != k || (state.maxima != null) != recordMaxima) {
                throw new IllegalStateException("the saved state (" + (checkpoint != null ? checkpoint : "partial result")
                        + ") was made for units " + Arrays.toString(state.units) + " with k=" + state.k
                        + (state.maxima != null ? " and maxima" : "") + "; this run asks for "
                        + (widthKnown ? Arrays.toString(wanted) : Arrays.toString(units)) + " with k=" + k
                        + (recordMaxima ? " and maxima" : "") + ". Use the same options, or start over");
            }
        }

        private IllegalArgumentException noSpatialExtent(long[] shape) {
            StringBuilder dims = new StringBuilder("N");
            for (int i = 1; i < shape.length; i++) {
                dims.append(" x ").append(shape[i]);
            }
            Map<String, String> aliasOf = new LinkedHashMap<>();
            net.aliases().forEach((a, name) -> aliasOf.putIfAbsent(name, a));
            List<String> spatial = new ArrayList<>();
            for (String name : net.layerNames()) {
                LayerKind kind = net.layer(name).kind();
                if ((kind == LayerKind.CONV2D || kind == LayerKind.FIRE || kind == LayerKind.BASIC_BLOCK)
                        && !net.receptiveField(name).global()) {
                    spatial.add(aliasOf.getOrDefault(name, name));
                }
            }
            List<String> few = spatial.subList(Math.max(0, spatial.size() - 4), spatial.size());
            return new IllegalArgumentException("layer '" + layer + "' has no spatial extent (output " + dims
                    + "); top patches need a conv layer such as " + String.join(", ", few)
                    + " (each unit's patch is where it fires in the picture)");
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
            this(units, k, recordN, null);
        }

        private State(int[] units, int k, int recordN, float[][] sharedMaxima) {
            this.units = units;
            this.k = k;
            int u = units.length;
            size = new int[u];
            image = new int[u][k];
            value = new float[u][k];
            cellY = new int[u][k];
            cellX = new int[u][k];
            maxima = sharedMaxima != null ? sharedMaxima : recordN > 0 ? new float[u][recordN] : null;
        }

        /** A copy of the heaps; the per-image maxima are shared (only entries below {@code next} count). */
        State copy() {
            State c = new State(units.clone(), k, 0, maxima);
            System.arraycopy(size, 0, c.size, 0, size.length);
            for (int u = 0; u < units.length; u++) {
                System.arraycopy(image[u], 0, c.image[u], 0, k);
                System.arraycopy(value[u], 0, c.value[u], 0, k);
                System.arraycopy(cellY[u], 0, c.cellY[u], 0, k);
                System.arraycopy(cellX[u], 0, c.cellX[u], 0, k);
            }
            c.next = next;
            return c;
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
                out.writeInt(maxima == null || maxima.length == 0 ? 0 : maxima[0].length);
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
