package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import dev.neurolens.display.Colormap;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.HeatmapOverlay;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Normalization;
import dev.neurolens.model.Model;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What every attribution method returns: one map per image at input resolution, the per-channel attribution
 * it came from (when there is one), the images explained and what was explained. Immutable; shows itself as
 * the picture with its map laid over it (a grid for a batch). Maps are plain {@code float[][]} copies.
 *
 * <p>Any method, a user's own included, builds one with {@link #builder}, so it can take part in
 * {@link Attributions#compare} and {@link SanityChecks}:
 *
 * <pre>{@code
 * Attribution.builder("edges", model, x).maps(edgeMaps).targets(t.descriptions()).build()
 * }</pre>
 */
public final class Attribution implements Displayable {
    private final String method;
    private final String model;
    private final Tensor input;
    private final Preprocessing preprocessing;
    /** {@code [N, H, W]}. */
    private final Tensor maps;
    private final Tensor perChannel;
    private final List<String> targets;
    private final boolean signed;
    private final Details details;
    private final String colormap;
    private final double alpha;

    private Attribution(String method, String model, Tensor input, Preprocessing preprocessing, Tensor maps,
                        Tensor perChannel, List<String> targets, boolean signed, Details details,
                        String colormap, double alpha) {
        this.method = method;
        this.model = model;
        this.input = input;
        this.preprocessing = preprocessing;
        this.maps = maps;
        this.perChannel = perChannel;
        this.targets = List.copyOf(targets);
        this.signed = signed;
        this.details = details;
        this.colormap = colormap;
        this.alpha = alpha;
    }

    /**
     * A result of method {@code method} for {@code input} (the batch {@code [N, C, H, W]} as given to
     * {@code model}); set its maps and what each image explains, then {@link Builder#build}.
     */
    public static Builder builder(String method, Model model, Tensor input) {
        return new Builder(method, model.info().name(), model.preprocessing(), input);
    }

    public String method() {
        return method;
    }

    public String modelName() {
        return model;
    }

    /** Number of images explained. */
    public int size() {
        return (int) maps.dim(0);
    }

    /** The map of image {@code i}, {@code [H][W]} at input resolution (a copy). */
    public float[][] map(int i) {
        int h = (int) maps.dim(1);
        int w = (int) maps.dim(2);
        float[] v = maps.toFloatArray();
        float[][] copy = new float[h][];
        for (int y = 0; y < h; y++) {
            int from = (i * h + y) * w;
            copy[y] = Arrays.copyOfRange(v, from, from + w);
        }
        return copy;
    }

    public float[][] map() {
        return map(0);
    }

    /** All maps as a tensor {@code [N, H, W]}. */
    public Tensor maps() {
        return maps;
    }

    /** The attribution per input channel {@code [N, C, H, W]} (gradients, IG), or null for map-only methods. */
    public Tensor perChannel() {
        return perChannel;
    }

    /** The batch that was explained, as given to the model. */
    public Tensor input() {
        return input;
    }

    /** What was explained for image {@code i}, e.g. "Ankle boot (9)" or "fire8:12". */
    public String target(int i) {
        return targets.get(i);
    }

    public List<String> targets() {
        return targets;
    }

    /** True when the map has meaningful sign (integrated gradients): shown on a diverging scale around 0. */
    public boolean signed() {
        return signed;
    }

    /** What the method reports besides the maps (its own record: layer, completeness error, forward passes, ...). */
    public Details details() {
        return details;
    }

    /**
     * The details as the method's own record, e.g. {@code a.details(IntegratedGradients.Details.class)
     * .completenessError()}; an error naming the record it has when it is another method's.
     */
    public <D extends Details> D details(Class<D> type) {
        if (!type.isInstance(details)) {
            throw new IllegalArgumentException(method + " reports " + details.getClass().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        return type.cast(details);
    }

    /** The picture of image {@code i}, normalization undone. */
    public BufferedImage image(int i) {
        return preprocessing.toImage(input.slice(i));
    }

    /** A copy that renders with another colormap ("jet", "viridis", "inferno", ...). */
    public Attribution colormap(String name) {
        Colormap.named(name);
        return new Attribution(method, model, input, preprocessing, maps, perChannel, targets, signed, details, name,
                alpha);
    }

    /** A copy that renders the map with this opacity over the picture (0 picture only, 1 map only). */
    public Attribution alpha(double a) {
        if (!(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + a);
        }
        return new Attribution(method, model, input, preprocessing, maps, perChannel, targets, signed, details,
                colormap, a);
    }

    /** Image {@code i} with its map laid over it, ready for further styling. */
    public HeatmapOverlay overlay(int i) {
        HeatmapOverlay o = HeatmapOverlay.of(image(i), map(i)).alpha(alpha).title(caption(i));
        if (signed) {
            // weak values leave the picture visible instead of a grey wash of the diverging map's middle
            o = o.normalization(Normalization.symmetric()).alphaByValue(true).alpha(Math.min(1, alpha + 0.3));
        }
        return colormap == null ? o : o.colormap(colormap);
    }

    public HeatmapOverlay overlay() {
        return overlay(0);
    }

    String caption(int i) {
        return method + ": " + targets.get(i);
    }

    /** One overlay per image. */
    public ImageGrid grid() {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            cells.add(overlay(i).colorbar(false).title(null).renderOverlay());
            captions.add(targets.get(i));
        }
        return ImageGrid.of(cells).captions(captions).title(method + " (" + model + ")");
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = size() == 1 ? overlay(0).toPng() : grid().toPng();
        return MimeBundle.png(png, toString());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Attribution[%s of %s, %d map%s %dx%d, %s",
                method, model, size(), size() == 1 ? "" : "s", maps.dim(1), maps.dim(2),
                targets.size() == 1 ? targets.get(0) : targets.get(0) + " …"));
        String shown = details.summary();
        if (!shown.isEmpty()) {
            sb.append(", ").append(shown);
        }
        return sb.append(']').toString();
    }

    /**
     * What a method reports besides its maps: each method has its own record (e.g. {@link GradCam.Details});
     * {@link #summary} is the part shown in the result's text.
     */
    public interface Details {
        /** Shown after the maps, e.g. "layer features.12, steps 64"; empty for nothing. */
        String summary();

        /** None: a method that reports nothing besides its maps. */
        Details NONE = () -> "";

        /** "key value" pairs joined by ", " (doubles to 3 significant digits), the way results show details. */
        static String format(Object... keysAndValues) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
                Object v = keysAndValues[i + 1];
                if (!(v instanceof Number || v instanceof String)) {
                    continue;
                }
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(keysAndValues[i]).append(' ')
                        .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3g", d) : v);
            }
            return sb.toString();
        }
    }

    /** The details of methods that report only the layer their target was read from ("output" for classes). */
    public record TargetLayer(String layer) implements Details {
        @Override
        public String summary() {
            return Details.format("layer", layer);
        }
    }

    /** Collects a result; maps and targets are required, the rest optional. */
    public static final class Builder {
        private final String method;
        private final String model;
        private final Preprocessing preprocessing;
        private final Tensor input;
        private Tensor maps;
        private Tensor perChannel;
        private List<String> targets;
        private boolean signed;
        private Details details = Details.NONE;

        private Builder(String method, String model, Preprocessing preprocessing, Tensor input) {
            this.method = Objects.requireNonNull(method, "method");
            this.model = model;
            this.preprocessing = preprocessing;
            this.input = input.rank() == 3 ? input.reshape(Support.prepend(1, input.shape())) : input;
        }

        /** One map per image at input resolution, {@code [N, H, W]}. */
        public Builder maps(Tensor nhw) {
            maps = nhw;
            return this;
        }

        /** As {@link #maps(Tensor)}, copied from a native array before its scope closes. */
        public Builder maps(NDArray nhw) {
            return maps(Tensor.from(nhw));
        }

        public Builder maps(float[][][] perImage) {
            int h = perImage[0].length;
            int w = perImage[0][0].length;
            float[] v = new float[perImage.length * h * w];
            for (int i = 0; i < perImage.length; i++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(perImage[i][y], 0, v, (i * h + y) * w, w);
                }
            }
            return maps(Tensor.of(v, perImage.length, h, w));
        }

        /** The attribution per input channel {@code [N, C, H, W]} the maps were reduced from. */
        public Builder perChannel(Tensor nchw) {
            perChannel = nchw;
            return this;
        }

        /** What each image explains, e.g. a resolved target's {@link Target.Resolved#descriptions()}. */
        public Builder targets(List<String> perImage) {
            targets = perImage;
            return this;
        }

        /** Maps with meaningful sign, shown on a diverging scale around 0. */
        public Builder signed(boolean on) {
            signed = on;
            return this;
        }

        public Builder details(Details d) {
            details = Objects.requireNonNull(d, "details");
            return this;
        }

        public Attribution build() {
            if (maps == null || targets == null) {
                throw new IllegalStateException("an Attribution needs maps(...) and targets(...)");
            }
            long n = input.dim(0);
            if (maps.rank() != 3 || maps.dim(0) != n || maps.dim(1) != input.dim(2) || maps.dim(2) != input.dim(3)) {
                throw new IllegalArgumentException("maps must be [N, H, W] = [" + n + ", " + input.dim(2) + ", "
                        + input.dim(3) + "] for input " + Arrays.toString(input.shape()) + "; got "
                        + Arrays.toString(maps.shape()));
            }
            if (targets.size() != n) {
                throw new IllegalArgumentException(targets.size() + " targets for " + n + " images");
            }
            return new Attribution(method, model, input, preprocessing, maps, perChannel, targets, signed, details,
                    null, 0.5);
        }
    }
}
