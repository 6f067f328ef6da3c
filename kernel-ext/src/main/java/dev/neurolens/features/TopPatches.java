package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.neurolens.display.LiveDisplay;
import dev.neurolens.display.Progress;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.PortableNetwork;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import dev.neurolens.run.DataParallel;
import dev.neurolens.run.Frame;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The maximally activating patches of a layer's units over a data set (Zeiler and Fergus 2014; Olah et al.'s
 * "dataset examples"). The set is streamed once in batches; for each unit and image the strongest spatial
 * position is kept if it beats the unit's current top-k, so memory is O(k x units) whatever the set size.
 * Each winner is cropped at the unit's receptive field from the picture as the model saw it. Ties go to the
 * lower image id. The layer must have a spatial extent (a conv, relu or pool layer): a patch is a place in
 * the picture.
 *
 * <p>Interrupting ends the stream
 * between batches and keeps the top-k of the images seen so far, marked partial; the kernel discards an
 * interrupted cell's value, so {@link #lastResult()} hands it back in the next cell and {@link #resume} goes
 * on from the next image. A checkpoint file does the same across kernel restarts.
 *
 * <pre>{@code TopPatches.builder(net, "conv2").units(0, 16).k(9).live(true).run(ImageSet.fashionMnistTest())}</pre>
 */
public final class TopPatches {
    private TopPatches() {
    }

    public static Builder builder(Network net, String layer) {
        return new Builder(net, layer);
    }

    /** Quick path: top-{@code k} for units {@code [0, units)} (or all when fewer), no live view. */
    public static TopPatchesResult of(Network net, String layer, ImageSet data, int units, int k) {
        return builder(net, layer).units(0, units).k(k).live(false).run(data);
    }

    /** The result of the most recent run in this JVM, also when it was interrupted (then partial); null before any. */
    public static TopPatchesResult lastResult() {
        return LastResults.of(TopPatchesResult.class);
    }

    /**
     * Streams the rest of {@code data} from where {@code partial} stopped, with the options it was made with,
     * and returns the top-k over everything seen; {@code data} must be the set {@code partial} was run on.
     */
    public static TopPatchesResult resume(TopPatchesResult partial, ImageSet data) {
        return partial.resume(data);
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

    public static final class Builder extends RunBuilder<Builder> {
        final Network net;
        final String layer;
        private int[] units;
        private int k = 9;
        private int batch = 128;
        private Path checkpoint;
        private boolean recordMaxima;
        private int limit = Integer.MAX_VALUE;
        private DataParallel parallel;

        private Builder(Network net, String layer) {
            super(0);
            live(false);
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
            this.k = Check.atLeastOne("k", n);
            return this;
        }

        public Builder batch(int n) {
            this.batch = Math.max(1, n);
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

        /** For a stream, a step is a picture: the same as {@link #limit}. */
        @Override
        public Builder steps(int images) {
            return limit(images);
        }

        /** Stop after this many images of the set have been seen in total (resume later). */
        public Builder limit(int images) {
            this.limit = images;
            return this;
        }

        /**
         * Run on a cluster (e.g. {@code SparkRunner.local(2)} from the {@code neurolens-spark} module) instead of in
         * this JVM: the set is cut into ranges of whole batches, each range's top-k is found on a worker, and the
         * parts merge to exactly this JVM's answer (same ids and values). The set must have a {@link
         * ImageSet#recipe()} (a folder every worker sees, or Fashion-MNIST), and the network a registered
         * architecture. Checkpoints and per-image maxima stay single-machine features.
         */
        public Builder on(DataParallel where) {
            this.parallel = where;
            return this;
        }

        /** The builder itself: {@code build().run(data)} reads as it did when a separate runner ran the stream. */
        @Deprecated
        public Builder build() {
            return this;
        }

        private Builder copy() {
            Builder c = new Builder(net, layer);
            c.units = units == null ? null : units.clone();
            c.k = k;
            c.batch = batch;
            c.checkpoint = checkpoint;
            c.recordMaxima = recordMaxima;
            c.limit = limit;
            c.parallel = parallel;
            return c.options(options());
        }


    /** Streams a data set through the network, keeping the top-k. */
        /** Streams {@code data} from the start, or from the checkpoint file when there is one. */
        public TopPatchesResult run(ImageSet data) {
            return parallel != null ? copy().distributed(data) : copy().start(data);
        }

        /** The settings a worker needs to find the top-k of a range; the network and data travel as shared. */
        private record RangeJob(String layer, int[] units, int k, int batch)
                implements DataParallel.RangeTask<Shipment, TopPatchesState> {
            public TopPatchesState run(Shipment shipped, int from, int to) {
                Builder b = new Builder(shipped.net().open(), layer);
                b.units = units;
                b.k = k;
                ImageSet data = shipped.data().open();
                Preprocessing p = b.net.preprocessing();
                TopPatchesState state = null;
                SortedMap<Integer, String> pending = new TreeMap<>();
                for (int at = from; at < to; at += batch) {
                    state = b.scan(data, p, at, Math.min(to, at + batch), state, 0, pending);
                }
                if (state == null) { // not one readable picture in the range
                    state = new TopPatchesState(resolveUnits(units, 0), k, 0);
                }
                state.unreadable.putAll(pending);
                state.next = to - from;
                return state;
            }
        }

        /** What every worker gets once: the weights and how to open the set. */
        private record Shipment(PortableNetwork net, ImageSet.Recipe data) implements java.io.Serializable {
        }

        private TopPatchesResult distributed(ImageSet data) {
            if (checkpoint != null || recordMaxima) {
                throw new IllegalArgumentException("checkpoint and recordMaxima work in this JVM only; drop them, "
                        + "or drop .on(...) to run here");
            }
            ImageSet.Recipe recipe = data.recipe();
            if (recipe == null) {
                throw new IllegalArgumentException("the image set " + data.name() + " lives in this JVM only, so "
                        + "workers cannot open it; on a cluster use ImageSet.folder(dir) with a folder every worker "
                        + "sees, or ImageSet.fashionMnistTest()");
            }
            int n = Math.min(data.size(), limit);
            if (n == 0) {
                throw new IllegalArgumentException("the image set " + data.name() + " is empty: nothing to stream");
            }
            ReceptiveField rf = net.receptiveField(layer);
            LiveDisplay view = live() ? LiveDisplay.create() : null;
            try {
                DataParallel.Outcome<TopPatchesState> out = parallel.run("top-" + k + " patches of " + layer, n,
                        batch, new Shipment(PortableNetwork.of(net), recipe), new RangeJob(layer, units, k, batch),
                        TopPatchesState::merge, view == null ? null : part -> {
                            TopPatchesState s = withCount(part.merged(), part.items());
                            view.update(() -> new TopPatchesResult(this, s, data, rf, false).grid());
                        });
                TopPatchesState state = withCount(out.merged(), out.items());
                TopPatchesResult result = LastResults.keep(new TopPatchesResult(this, state, data, rf,
                        out.interrupted()));
                if (view != null) {
                    view.finish(result.mimeBundle());
                }
                return result;
            } finally {
                if (view != null) {
                    view.close();
                }
            }
        }

        /**
         * A merged part with {@code next} set to the pictures it covers; while ranges are missing those are a
         * count, not a prefix, so such a state cannot be resumed.
         */
        private TopPatchesState withCount(TopPatchesState merged, long items) {
            TopPatchesState s = merged != null ? merged.copy() : new TopPatchesState(resolveUnitsWithoutWidth(), k, 0);
            s.next = (int) items;
            s.fromRanges = true;
            return s;
        }

        private TopPatchesResult start(ImageSet data) {
            TopPatchesState state = null;
            if (checkpoint != null && Files.isRegularFile(checkpoint)) {
                try {
                    state = TopPatchesState.load(checkpoint);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the checkpoint " + checkpoint + ": " + e.getMessage()
                            + "; delete it to start over", e);
                }
            }
            return stream(state, data);
        }

        /** Streams {@code data} on from where {@code partial} stopped (its next image) with this runner's options. */
        TopPatchesResult resume(TopPatchesResult partial, ImageSet data) {
            if (!net.resolve(layer).equals(net.resolve(partial.layer)) || !net.name().equals(partial.model)) {
                throw new IllegalArgumentException("cannot resume: the partial result is of " + partial.model + " "
                        + partial.layer + ", this run is of " + net.name() + " " + layer);
            }
            if (!data.name().equals(partial.data.name()) || data.size() != partial.total) {
                throw new IllegalArgumentException("cannot resume: the partial result was streamed over "
                        + partial.data.name() + ", not " + data.name() + "; resume with the same data set");
            }
            if (partial.state.fromRanges) {
                throw new IllegalArgumentException("cannot resume: this partial result came from a cluster run, "
                        + "whose finished ranges need not be a prefix of the set; run the job again (what Spark "
                        + "merged before the interrupt is in this result)");
            }
            return stream(partial.state.copy(), data);
        }

        private TopPatchesResult stream(TopPatchesState initial, ImageSet data) {
            int n = data.size();
            if (n == 0) {
                throw new IllegalArgumentException("the image set " + data.name() + " is empty: nothing to stream;"
                        + " give a set with pictures (e.g. ImageSet.fashionMnistTest() or ImageSet.folder(dir))");
            }
            Preprocessing p = net.preprocessing();
            ReceptiveField rf = net.receptiveField(layer);
            int end = Math.min(n, limit);
            // a state that saw nothing (stopped before its first batch) may not know its units yet: start afresh
            TopPatchesState state = initial == null || initial.next == 0 ? null : initial;
            if (state != null) {
                checkCompatible(state, state.units, false);
                if (state.maxima != null && state.maxima.length > 0 && state.maxima[0].length != n) {
                    throw new IllegalStateException("the saved state was made on a set of " + state.maxima[0].length
                            + " images, this one has " + n + "; resume with the same data set");
                }
            }
            TopPatchesState committed = state == null ? null : state.copy();
            SortedMap<Integer, String> pending = new TreeMap<>();
            boolean stopped = false;
            int batches = 0;
            Progress bar = live() ? Progress.builder().total(end).label("top-" + k + " patches of " + layer)
                    .start() : null;
            LiveDisplay view = live() ? LiveDisplay.create() : null;
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
                        state = scan(data, p, from, to, state, recordMaxima ? n : 0, pending);
                        if (state == null) { // no readable picture yet: nothing to commit
                            from = to;
                            continue;
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
                            TopPatchesState s = committed;
                            view.update(() -> new TopPatchesResult(this, s, data, rf, false).grid());
                        }
                        if (options().listener() != null && (++batches % options().listenEvery() == 0 || to == end)) {
                            TopPatchesState s = committed;
                            new Frame("top patches", to, end, Map.of("images", (double) to),
                                    () -> new TopPatchesResult(this, s, data, rf, false).grid().render())
                                    .deliverTo(options().listener());
                        }
                        from = to;
                    }
                } catch (ThreadDeath death) {
                    // a stock kernel's hard stop (IJava on Java 17 calls Thread.stop): keep the last complete batch
                    stopped = true;
                }
                if (committed == null) {
                    // stopped before the first batch finished: nothing seen yet
                    committed = new TopPatchesState(resolveUnitsWithoutWidth(), k, recordMaxima ? n : 0);
                    committed.unreadable.putAll(pending);
                }
                TopPatchesResult out = LastResults.keep(new TopPatchesResult(this, committed, data, rf, stopped));
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

        /** One batch {@code [from, to)} into {@code state} (made here on the first batch, when null). */
        private TopPatchesState scan(ImageSet data, Preprocessing p, int from, int to, TopPatchesState state,
                                     int recordN, SortedMap<Integer, String> pending) {
            float[] maps;
            long[] shape;
            Readable in = readable(data, p, from, to, pending);
            int[] ids = in.ids();
            if (ids.length == 0) {
                return adopt(state, pending);
            }
            try (NDManager scope = net.newScope()) {
                NDArray x = in.pictures().toNDArray(scope);
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
            float[] vals = new float[ids.length * channels];
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
                state = new TopPatchesState(wanted, k, recordN);
            } else {
                checkCompatible(state, wanted, true);
            }
            for (int c : state.units) {
                if (c < 0 || c >= channels) {
                    throw new IllegalArgumentException("unit " + c + " out of range: " + layer + " has "
                            + channels + " channels (0.." + (channels - 1) + ")");
                }
            }
            for (int i = 0; i < ids.length; i++) {
                for (int u = 0; u < state.units.length; u++) {
                    int c = state.units[u];
                    float v = vals[i * channels + c];
                    int pos = args[i * channels + c];
                    state.offer(u, ids[i], v, pos / width, pos % width);
                    if (state.maxima != null) {
                        state.maxima[u][ids[i]] = v;
                    }
                }
            }
            return adopt(state, pending);
        }

        /** Moves the unreadable pictures found so far into the state, once there is one. */
        private static TopPatchesState adopt(TopPatchesState state, SortedMap<Integer, String> pending) {
            if (state != null && !pending.isEmpty()) {
                state.unreadable.putAll(pending);
                pending.clear();
            }
            return state;
        }

        /** The readable pictures of a batch and their ids. */
        private record Readable(int[] ids, Tensor pictures) {
        }

        /**
         * The pictures of {@code [from, to)} that can be read: the batch as it is when it reads, else each picture
         * tried alone, so a corrupt file costs its batch's pictures read twice and is reported, not fatal.
         */
        private static Readable readable(ImageSet data, Preprocessing p, int from, int to,
                                         SortedMap<Integer, String> pending) {
            try {
                return new Readable(IntStream.range(from, to).toArray(), data.batch(from, to, p));
            } catch (RuntimeException whole) {
                List<Integer> ok = new ArrayList<>();
                List<float[]> parts = new ArrayList<>();
                long[] shape = null;
                for (int i = from; i < to; i++) {
                    try {
                        Tensor one = data.batch(i, i + 1, p);
                        parts.add(one.toFloatArray());
                        shape = one.shape();
                        ok.add(i);
                    } catch (RuntimeException bad) {
                        pending.put(i, String.valueOf(bad.getMessage()));
                    }
                }
                if (ok.isEmpty()) {
                    return new Readable(new int[0], null);
                }
                int size = parts.get(0).length;
                float[] all = new float[parts.size() * size];
                for (int i = 0; i < parts.size(); i++) {
                    System.arraycopy(parts.get(i), 0, all, i * size, size);
                }
                shape[0] = ok.size();
                return new Readable(ok.stream().mapToInt(Integer::intValue).toArray(),
                        Tensor.of(all, shape));
            }
        }

        private int[] resolveUnitsWithoutWidth() {
            if (units == null) {
                return new int[0];
            }
            return units.length == 2 && units[0] < 0 ? new int[0] : units.clone();
        }

        private void checkCompatible(TopPatchesState state, int[] wanted, boolean widthKnown) {
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

        private static void save(TopPatchesState s, Path file) {
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

}
