package dev.neurolens.dissect;

import dev.neurolens.display.Images;
import dev.neurolens.display.PaintState;
import dev.neurolens.display.Painter;
import dev.neurolens.generate.Generator;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerHook;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GANPaint (Bau et al. 2019) on a dissected generator layer: painting a concept on a cell of the layer's grid
 * switches that concept's top units on there (to {@code strength} times their mean activation where they fire),
 * removing it switches them off. Every render starts from the same latent code, so strokes never accumulate
 * drift, and an empty state gives the unedited picture.
 *
 * <pre>{@code
 * Dissection d = Dissection.of(g, "main.6", SceneSegmenter.builtin());
 * Painter p = Painter.builder(GanPaint.of(g, d, g.sampleZ(1, 3)).build()).name("scene").build();
 * }</pre>
 */
public final class GanPaint implements Painter.Backend {
    private final Generator generator;
    private final String layer;
    private final Tensor z;
    private final Map<String, int[]> units;
    private final Map<String, float[]> values;
    private final int gridH;
    private final int gridW;
    private final int size;

    private GanPaint(Builder b) {
        this.generator = b.generator;
        this.layer = b.dissection.layer();
        this.z = b.z;
        this.size = b.size;
        Map<String, int[]> u = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        List<String> concepts = b.concepts != null ? b.concepts : paintable(b.dissection);
        if (concepts.isEmpty()) {
            throw new IllegalArgumentException("no unit of " + layer + " matches a concept (IoU >= "
                    + Dissection.MIN_IOU + "); dissect another layer or with more samples");
        }
        for (String c : concepts) {
            int[] top = b.dissection.unitsFor(c, b.unitsPerConcept, b.minIoU);
            if (top.length == 0) {
                throw new IllegalArgumentException("no unit of " + layer + " reaches IoU " + b.minIoU + " for '" + c
                        + "', so there is nothing to paint it with; paintable here: "
                        + String.join(", ", paintable(b.dissection)) + " (or lower minIoU(...))");
            }
            float[] val = b.dissection.activeMeans(top);
            for (int i = 0; i < val.length; i++) {
                val[i] *= (float) b.strength;
            }
            u.put(c, top);
            v.put(c, val);
        }
        this.units = u;
        this.values = v;
        long[] shape = generator.generate(z, Forward.capture(layer)).get(layer).shape();
        this.gridH = (int) shape[2];
        this.gridW = (int) shape[3];
    }

    /** A painter backend for one picture, the generator's output for {@code z} (1 code). */
    public static Builder builder(Generator generator, Dissection dissection, Tensor z) {
        return new Builder(generator, dissection, z);
    }

    /**
     * {@link #builder} with the defaults: every concept some unit matches (IoU >= 0.04), up to 4 of its units that
     * reach that IoU, strength 1.
     */
    public static GanPaint of(Generator generator, Dissection dissection, Tensor z) {
        return builder(generator, dissection, z).build();
    }

    /**
     * Concepts that some unit of the layer matches with IoU at least {@link Dissection#MIN_IOU}, even when the
     * unit matches another concept better (a unit drawing roofs and trees still paints trees).
     */
    static List<String> paintable(Dissection d) {
        List<String> out = new ArrayList<>();
        for (String c : d.concepts()) {
            if (d.unitsFor(c, 1).length > 0) {
                out.add(c);
            }
        }
        return out;
    }

    public static final class Builder {
        private final Generator generator;
        private final Dissection dissection;
        private final Tensor z;
        private List<String> concepts;
        private int unitsPerConcept = 4;
        private double minIoU = Dissection.MIN_IOU;
        private double strength = 1.0;
        private int size = 256;

        private Builder(Generator generator, Dissection dissection, Tensor z) {
            long[] s = z.shape();
            if (s.length != 4 || s[0] != 1) {
                throw new IllegalArgumentException("GanPaint edits one picture: give one code (1 x " + generator.zDim()
                        + " x 1 x 1), e.g. g.sampleZ(1, seed)");
            }
            this.generator = generator;
            this.dissection = dissection;
            this.z = z;
        }

        /** The concepts offered (default: those some unit of the layer matches). */
        public Builder concepts(String... names) {
            for (String c : names) {
                dissection.unitsFor(c, 1); // unknown names fail here, listing the known ones
            }
            this.concepts = List.of(names);
            return this;
        }

        /** How many of a concept's best units a stroke switches at most (default 4; only units with IoU >= 0.04). */
        public Builder unitsPerConcept(int k) {
            if (k < 1 || k > dissection.units()) {
                throw new IllegalArgumentException("units per concept must be in 1.." + dissection.units() + ", got " + k);
            }
            this.unitsPerConcept = k;
            return this;
        }

        /**
         * The IoU a unit needs with a concept to paint it (default {@link Dissection#MIN_IOU}, the labelling
         * threshold); 0 paints with the concept's best units whatever their IoU.
         */
        public Builder minIoU(double iou) {
            if (!(iou >= 0)) {
                throw new IllegalArgumentException("minIoU must be >= 0, got " + iou);
            }
            this.minIoU = iou;
            return this;
        }

        /** Painted units are set to this multiple of their mean activation where they fire (default 1; concepts that need context, such as windows, may need 2 or more). */
        public Builder strength(double s) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("strength must be positive, got " + s);
            }
            this.strength = s;
            return this;
        }

        /** Side of the rendered picture in pixels (default 256; the generator's pixels are scaled up). */
        public Builder size(int px) {
            if (px < 16 || px > 2048) {
                throw new IllegalArgumentException("size must be in 16..2048, got " + px);
            }
            this.size = px;
            return this;
        }

        public GanPaint build() {
            return new GanPaint(this);
        }
    }

    @Override
    public List<String> concepts() {
        return List.copyOf(units.keySet());
    }

    @Override
    public int gridWidth() {
        return gridW;
    }

    @Override
    public int gridHeight() {
        return gridH;
    }

    public String layer() {
        return layer;
    }

    /** The units a stroke of {@code concept} switches. */
    public int[] units(String concept) {
        int[] u = units.get(concept);
        if (u == null) {
            throw new IllegalArgumentException("cannot paint '" + concept + "'; concepts: " + String.join(", ", concepts()));
        }
        return u.clone();
    }

    /** The edited picture in [0, 1], {@code 1 x C x H x W}, at the generator's resolution. */
    public Tensor generate(PaintState state) {
        return generator.generate(z, state.isEmpty() ? Forward.plain() : Forward.plain().hook(layer, hook(state)))
                .get(Generator.OUTPUT);
    }

    @Override
    public BufferedImage render(PaintState state) {
        Tensor img = generate(state).slice(0);
        BufferedImage small = Images.fromFloats(img.toFloatArray(), Images.PixelRange.UNIT, img.shape());
        return Images.resize(small, size, size, true);
    }

    /**
     * One hook for all strokes: removals first, then paintings, so a cell both removed (one concept) and painted
     * (another) ends painted. Later strokes of the same concept and cell override earlier ones in the state.
     */
    LayerHook hook(PaintState state) {
        if (state.gridWidth() != gridW || state.gridHeight() != gridH) {
            throw new IllegalArgumentException("the strokes are on a " + state.gridWidth() + "x" + state.gridHeight()
                    + " grid but " + layer + " is " + gridW + "x" + gridH);
        }
        LayerHook all = out -> out;
        for (PaintState.Mode mode : new PaintState.Mode[] {PaintState.Mode.REMOVE, PaintState.Mode.PAINT}) {
            for (String c : state.concepts()) {
                boolean[][] m = state.mask(c, mode);
                if (!any(m)) {
                    continue;
                }
                int[] u = units(c);
                all = all.andThen(mode == PaintState.Mode.PAINT ? Intervention.set(u, values.get(c), m)
                        : Intervention.zero(u, m));
            }
        }
        return all;
    }

    private static boolean any(boolean[][] m) {
        for (boolean[] row : m) {
            for (boolean b : row) {
                if (b) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "GanPaint on " + layer + " (" + gridW + "x" + gridH + "), concepts " + String.join(", ", concepts());
    }
}
