package dev.neurolens.attribution;

import dev.neurolens.display.Colormap;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.HeatmapOverlay;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Normalization;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every attribution method returns: one map per image at input resolution, the per-channel attribution
 * it came from (when there is one), the images explained and what was explained. Immutable; shows itself as
 * the picture with its map laid over it (a grid for a batch). Maps are plain {@code float[][]} copies.
 */
public final class Attribution implements Displayable {
    private final String method;
    private final String model;
    private final Tensor input;
    private final Preprocessing preprocessing;
    private final float[][][] maps;
    private final Tensor perChannel;
    private final List<String> targets;
    private final boolean signed;
    private final Map<String, Object> details;
    private final String colormap;
    private final double alpha;

    Attribution(String method, String model, Tensor input, Preprocessing preprocessing, float[][][] maps,
                Tensor perChannel, List<String> targets, boolean signed, Map<String, Object> details) {
        this(method, model, input, preprocessing, maps, perChannel, targets, signed, details, null, 0.5);
    }

    private Attribution(String method, String model, Tensor input, Preprocessing preprocessing, float[][][] maps,
                        Tensor perChannel, List<String> targets, boolean signed, Map<String, Object> details,
                        String colormap, double alpha) {
        this.method = method;
        this.model = model;
        this.input = input;
        this.preprocessing = preprocessing;
        this.maps = maps;
        this.perChannel = perChannel;
        this.targets = List.copyOf(targets);
        this.signed = signed;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        this.colormap = colormap;
        this.alpha = alpha;
    }

    public String method() {
        return method;
    }

    public String modelName() {
        return model;
    }

    /** Number of images explained. */
    public int size() {
        return maps.length;
    }

    /** The map of image {@code i}, {@code [H][W]} at input resolution (a copy). */
    public float[][] map(int i) {
        float[][] m = maps[i];
        float[][] copy = new float[m.length][];
        for (int y = 0; y < m.length; y++) {
            copy[y] = m[y].clone();
        }
        return copy;
    }

    public float[][] map() {
        return map(0);
    }

    /** All maps as a tensor {@code [N, H, W]}. */
    public Tensor maps() {
        int h = maps[0].length;
        int w = maps[0][0].length;
        float[] v = new float[maps.length * h * w];
        for (int i = 0; i < maps.length; i++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(maps[i][y], 0, v, (i * h + y) * w, w);
            }
        }
        return Tensor.of(v, maps.length, h, w);
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

    /** Method-specific numbers: "completeness error", "layer", "layer map", "forward passes", ... */
    public Map<String, Object> details() {
        return details;
    }

    public Object detail(String key) {
        return details.get(key);
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
        HeatmapOverlay o = HeatmapOverlay.of(image(i), maps[i]).alpha(alpha).title(caption(i));
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
        for (int i = 0; i < maps.length; i++) {
            cells.add(overlay(i).colorbar(false).title(null).renderOverlay());
            captions.add(targets.get(i));
        }
        return ImageGrid.of(cells).captions(captions).title(method + " (" + model + ")");
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = maps.length == 1 ? overlay(0).toPng() : grid().toPng();
        return MimeBundle.png(png, toString());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Attribution[%s of %s, %d map%s %dx%d, %s",
                method, model, maps.length, maps.length == 1 ? "" : "s", maps[0].length, maps[0][0].length,
                targets.size() == 1 ? targets.get(0) : targets.get(0) + " …"));
        for (var e : details.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Number || v instanceof String) {
                sb.append(", ").append(e.getKey()).append(' ')
                        .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3g", d) : v);
            }
        }
        return sb.append(']').toString();
    }
}
