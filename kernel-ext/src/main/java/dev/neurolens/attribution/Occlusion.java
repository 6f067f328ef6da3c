package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.neurolens.attribution.internal.IncrementalForward;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Occlusion (Zeiler and Fergus 2014): slide a {@code patch x patch} square of {@code fill} over the image
 * with {@code stride}, and record how much the target score drops. A pixel's value is the mean drop over the
 * patches that cover it, so the map is at input resolution. Occluded copies run {@code batchSize} per forward
 * pass; {@code batchSize(1)} with {@code incremental(false)} is the one-pass-per-patch baseline.
 *
 * <p>On a {@link Network} occlusion is incremental by default (Krypton, Nakandala et al. 2019): a patch changes
 * only a window of each early layer's output, so those layers are computed only on the changed windows pasted
 * into the activations of the unoccluded image. The scores are those of the plain passes (up to float rounding);
 * layers that cannot be windowed run on whole maps as usual. Patches are batched by the sizes of their windows
 * (at most {@code batchSize} per pass). The result's details say which path ran. Computing less pays because a
 * patch reaches only a small share of each early map; the measured speed-ups are in docs/benchmarks.md
 * ({@code ./neurolens bench attribution}, which prints the multiply-add bound too).
 * {@link Builder#projectiveFieldThreshold} trades exactness for speed, opt-in.
 *
 * <pre>{@code Occlusion.builder().patch(8).stride(4).fill(0).build().attribute(model, x, Target.predicted())}</pre>
 */
public final class Occlusion implements AttributionMethod {
    private final int patch;
    private final int stride;
    private final float fill;
    private final int batchSize;
    private final boolean incremental;
    private final double tau;

    private Occlusion(int patch, int stride, float fill, int batchSize, boolean incremental, double tau) {
        this.patch = patch;
        this.stride = stride;
        this.fill = fill;
        this.batchSize = batchSize;
        this.incremental = incremental;
        this.tau = tau;
    }

    public static Occlusion create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "occlusion";
    }

    /** Top-left corners along one axis: every stride, plus one flush with the far edge so nothing is missed. */
    static int[] positions(int size, int patch, int stride) {
        List<Integer> p = new ArrayList<>();
        int last = Math.max(0, size - patch);
        for (int v = 0; v <= last; v += stride) {
            p.add(v);
        }
        if (p.get(p.size() - 1) != last) {
            p.add(last);
        }
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Copies per pass when none is set: up to 64, fewer for big inputs, since on a CPU a huge batch of 224 px
     * activations costs more in memory traffic than it saves in per-pass overhead.
     */
    static int autoBatch(int valuesPerImage) {
        return Math.max(1, Math.min(64, 2_400_000 / valuesPerImage));
    }

    /** Patches per incremental batch when none is set: up to 64, with the largest activation under 32M values. */
    static int autoIncrementalBatch(long peakValuesPerPatch) {
        return (int) Math.max(1, Math.min(64, 32_000_000L / Math.max(1, peakValuesPerPatch)));
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Tensor x = Support.prepare(model, input);
        int n = (int) x.dim(0);
        int c = (int) x.dim(1);
        int h = (int) x.dim(2);
        int w = (int) x.dim(3);
        Grid g = grid(h, w);
        int size = g.size();
        int[] ys = g.ys();
        int[] xs = g.xs();
        int[] allY = g.allY();
        int[] allX = g.allX();
        int patches = allY.length;
        Target.Resolved t = target.resolve(model, x);
        IncrementalForward plan = null;
        String mode;
        if (!incremental) {
            mode = "plain batched passes (incremental off)";
        } else if (t.isCustom()) {
            mode = "plain batched passes (the target is a function of " + t.layer() + ", not one channel)";
        } else if (model instanceof Network net) {
            plan = IncrementalForward.plan(net, t.layer(), tau);
            mode = plan.description();
            if (plan.fallback() != null) {
                plan = null;
            }
        } else {
            mode = "plain batched passes (" + model.info().name() + " is not a Network whose layers can be windowed)";
        }
        int batchSize = batchSize(plan, c, h, w, allY, allX, size);
        float[] base = t.scores(model, x);
        float[][][] sum = new float[n][h][w];
        int[][] count = new int[h][w];
        for (int py : ys) {
            for (int px : xs) {
                for (int yy = py; yy < py + size; yy++) {
                    for (int xx = px; xx < px + size; xx++) {
                        count[yy][xx]++;
                    }
                }
            }
        }
        int passes = 0;
        try (NDManager scope = Support.scope(model)) {
            NDArray xa = plan == null ? x.toNDArray(scope) : null;
            for (int img = 0; img < n; img++) {
                Target.Resolved ti = t.rows(img, 1).repeatEach(Math.min(batchSize, patches));
                if (plan != null) {
                    passes += incrementalDrops((Network) model, plan, Support.rows(x, img, 1), t.rows(img, 1),
                            base[img], allY, allX, size, batchSize, sum[img]);
                    continue;
                }
                NDArray one = xa.get(img + ":" + (img + 1));
                for (int from = 0; from < patches; from += batchSize) {
                    int k = Math.min(batchSize, patches - from);
                    NDArray batch = one.repeat(0, k);
                    for (int r = 0; r < k; r++) {
                        int py = allY[from + r];
                        int px = allX[from + r];
                        batch.set(new NDIndex("{}, :, {}:{}, {}:{}", r, py, py + size, px, px + size), fill);
                    }
                    Target.Resolved tk = ti.rows(0, k);
                    passes++;
                    addDrops(sum[img], base[img], tk.scoresOf(output(model, batch, t.layer())), allY, allX, from,
                            size);
                }
            }
        }
        for (int img = 0; img < n; img++) {
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    sum[img][yy][xx] /= Math.max(1, count[yy][xx]);
                }
            }
        }
        return Attribution.builder(name(), model, x).maps(sum).targets(t.descriptions()).signed(true)
                .details(new Details(size, stride, patches, passes + 1, mode)).build();
    }

    /**
     * What occlusion reports besides its maps: the patch side and stride used, the patches per image, the forward
     * passes made (the unoccluded one included) and which path ran (incremental or plain, and why).
     */
    public record Details(int patch, int stride, int patches, int forwardPasses, String mode)
            implements Attribution.Details {
        @Override
        public String summary() {
            return Attribution.Details.format("patch", patch, "stride", stride, "patches", patches,
                    "forward passes", forwardPasses, "mode", mode);
        }
    }

    /** The target layer's output for an occluded batch: within the scope for a Network, else through the heap. */
    private static Tensor output(Model model, NDArray batch, String layer) {
        if (model instanceof Network net) {
            return Tensor.from(Network.OUTPUT.equals(layer) ? net.logits(batch)
                    : net.forward(batch, Forward.capture(layer)).get(layer));
        }
        Tensor b = Tensor.from(batch);
        return Network.OUTPUT.equals(layer) ? model.logits(b) : model.run(b, layer).get(layer);
    }

    private int batchSize(IncrementalForward plan, int c, int h, int w, int[] allY, int[] allX, int size) {
        return batchSize > 0 ? batchSize
                : plan != null ? autoIncrementalBatch(plan.peakValuesPerPatch(c, h, w, allY, allX, size))
                : autoBatch(c * h * w);
    }

    /**
     * Multiply-adds per occluded copy, layer by layer, of a plain pass and of the incremental passes this
     * occlusion makes on {@code net} for a class score (same patches, batch size and batches), for benchmarks:
     * their ratio bounds what incremental inference can gain from computing less. Null when it cannot run
     * incrementally.
     */
    List<IncrementalForward.LayerCost> incrementalCosts(Network net, Tensor input) {
        Tensor x = Support.prepare(net, input);
        IncrementalForward plan = IncrementalForward.plan(net, Network.OUTPUT, tau);
        if (plan.fallback() != null) {
            return null;
        }
        int c = (int) x.dim(1);
        int h = (int) x.dim(2);
        int w = (int) x.dim(3);
        Grid g = grid(h, w);
        int size = g.size();
        int[] allY = g.allY();
        int[] allX = g.allX();
        int[][] batches = plan.batches(h, w, allY, allX, size, batchSize(plan, c, h, w, allY, allX, size));
        return plan.costs(Support.rows(x, 0, 1), allY, allX, size, batches);
    }

    /** The patch side (at most the image's), the patch corners along each axis, and every patch's corner. */
    private record Grid(int size, int[] ys, int[] xs, int[] allY, int[] allX) {
    }

    private Grid grid(int h, int w) {
        int size = Math.min(patch, Math.min(h, w));
        int[] ys = positions(h, size, stride);
        int[] xs = positions(w, size, stride);
        int patches = ys.length * xs.length;
        int[] allY = new int[patches];
        int[] allX = new int[patches];
        for (int i = 0; i < patches; i++) {
            allY[i] = ys[i / xs.length];
            allX[i] = xs[i % xs.length];
        }
        return new Grid(size, ys, xs, allY, allX);
    }

    /** Adds each patch's score drop to the pixels it covers. */
    private static void addDrops(float[][] sum, float base, float[] scores, int[] ys, int[] xs, int from, int size) {
        for (int r = 0; r < scores.length; r++) {
            float drop = base - scores[r];
            int py = ys[from + r];
            int px = xs[from + r];
            for (int yy = py; yy < py + size; yy++) {
                for (int xx = px; xx < px + size; xx++) {
                    sum[yy][xx] += drop;
                }
            }
        }
    }

    /**
     * One image's drops by incremental passes over the plan's batches (patches of similar window sizes together);
     * returns the number of passes. When layers run after the windows (VGG's classifier), the windows' maps of
     * several batches are kept, up to {@link #PENDING_VALUES}, and those layers run once for all of them.
     */
    private int incrementalDrops(Network net, IncrementalForward plan, Tensor image, Target.Resolved one, float base,
                                 int[] ys, int[] xs, int size, int batchSize, float[][] sum) {
        int channel = one.channels()[0];
        int[][] batches = plan.batches((int) image.dim(2), (int) image.dim(3), ys, xs, size, batchSize);
        boolean rest = !plan.readsOneChannel();
        try (NDManager scope = net.newScope()) {
            NDArray x = image.toNDArray(scope);
            Map<String, NDArray> cached = plan.baseActivations(x);
            NDManager pending = scope.newSubManager();
            List<NDArray> maps = new ArrayList<>();
            List<int[]> where = new ArrayList<>();
            long values = 0;
            for (int[] b : batches) {
                int k = b.length;
                int[] byx = new int[2 * k];
                for (int r = 0; r < k; r++) {
                    byx[r] = ys[b[r]];
                    byx[k + r] = xs[b[r]];
                }
                int[] by = Arrays.copyOfRange(byx, 0, k);
                int[] bx = Arrays.copyOfRange(byx, k, 2 * k);
                try (NDManager batch = scope.newSubManager()) {
                    NDArray out = plan.runWindows(batch, x, cached, by, bx, size, fill, channel);
                    if (!rest) {
                        Target.Resolved tk = new Target.Resolved(one.layer(), new int[k], one.y(), one.x(),
                                one.repeatEach(k).descriptions());
                        addDrops(sum, base, tk.scoresOf(Tensor.from(out)), by, bx, 0, size);
                        continue;
                    }
                    if (values > 0 && values + out.size() > PENDING_VALUES) {
                        restDrops(plan, pending, x, maps, where, one, base, size, sum);
                        pending.close();
                        pending = scope.newSubManager();
                        values = 0;
                    }
                    out.attach(pending);
                    maps.add(out);
                    where.add(byx);
                    values += out.size();
                }
            }
            if (!maps.isEmpty()) {
                restDrops(plan, pending, x, maps, where, one, base, size, sum);
            }
            pending.close();
        }
        return batches.length;
    }

    /** Values of windowed maps kept for one run of the layers after the windows (128 MB of floats). */
    static final long PENDING_VALUES = 32_000_000L;

    /** Runs the layers after the windows on the kept maps, adds their patches' drops and forgets them. */
    private static void restDrops(IncrementalForward plan, NDManager pending, NDArray x, List<NDArray> maps,
                                  List<int[]> where, Target.Resolved one, float base, int size, float[][] sum) {
        NDArray all = maps.size() == 1 ? maps.get(0) : NDArrays.concat(new NDList(maps), 0);
        int n = (int) all.getShape().get(0);
        float[] scores = one.repeatEach(n).scoresOf(Tensor.from(plan.runRest(pending, x, all)));
        int from = 0;
        for (int[] byx : where) {
            int k = byx.length / 2;
            addDrops(sum, base, Arrays.copyOfRange(scores, from, from + k), Arrays.copyOfRange(byx, 0, k),
                    Arrays.copyOfRange(byx, k, 2 * k), 0, size);
            from += k;
        }
        maps.clear();
        where.clear();
    }

    public static final class Builder {
        private int patch = 8;
        private int stride = 4;
        private float fill;
        private int batchSize;
        private boolean incremental = true;
        private double tau = 1;

        /** Side of the square patch in input pixels (8 by default). */
        public Builder patch(int px) {
            patch = Check.atLeastOne("patch", px);
            return this;
        }

        /** Step between patches (4 by default). */
        public Builder stride(int px) {
            stride = Check.atLeastOne("stride", px);
            return this;
        }

        /** Value written into the patch, in model input space (0 by default: the mean colour when normalized). */
        public Builder fill(float value) {
            fill = value;
            return this;
        }

        /** Occluded copies per forward pass (by default 64, fewer for large inputs; 1 is one pass per patch). */
        public Builder batchSize(int n) {
            batchSize = Check.atLeastOne("batchSize", n);
            return this;
        }

        /**
         * Compute each layer only on the windows a patch changes (true by default; exact, and several times
         * faster on a CPU). False runs every occluded copy through the whole network.
         */
        public Builder incremental(boolean on) {
            incremental = on;
            return this;
        }

        /**
         * APPROXIMATE, off by default (1): Krypton's projective-field threshold. With {@code tau < 1} the region
         * an incremental pass recomputes in each layer is capped at {@code tau} of the map per side, around its
         * centre, and changes outside it are dropped, so deep layers cost less but the scores are no longer those
         * of plain passes (the benchmark prints the error against exact maps). Ignored by plain passes.
         */
        public Builder projectiveFieldThreshold(double tau) {
            if (!(tau > 0 && tau <= 1)) {
                throw new IllegalArgumentException("tau must be in (0, 1] (1 = exact), got " + tau);
            }
            this.tau = tau;
            return this;
        }

        public Occlusion build() {
            return new Occlusion(patch, stride, fill, batchSize, incremental, tau);
        }
    }
}
