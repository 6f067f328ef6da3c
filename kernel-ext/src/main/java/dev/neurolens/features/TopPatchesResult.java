package dev.neurolens.features;

import dev.neurolens.attribution.GuidedBackprop;
import dev.neurolens.attribution.Target;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.ReceptiveField;
import dev.neurolens.model.Tensor;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@link TopPatches} found: for each tracked unit its top-k hits (image, value, grid cell), best first, and
 * their receptive-field crops; partial when the stream was interrupted or limited ({@link #resume} goes on).
 * Immutable; renders itself as a grid of units by top-k.
 */
public final class TopPatchesResult implements Displayable {
    public record Hit(int image, float value, int y, int x) {
    }

    private final TopPatches.Builder runner;
    final String model;
    final String layer;
    private final int[] units;
    private final int k;
    private final List<List<Hit>> hits;
    private final ReceptiveField field;
    private final int imagesSeen;
    final int total;
    private final boolean interrupted;
    final ImageSet data;
    final TopPatchesState state;
    private volatile List<List<BufferedImage>> crops;
    private final java.util.Map<Integer, List<BufferedImage>> guided = new java.util.concurrent.ConcurrentHashMap<>();

    TopPatchesResult(TopPatches.Builder runner, TopPatchesState state, ImageSet data, ReceptiveField field,
            boolean interrupted) {
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


    /**
     * Streams the rest of {@code data} from where this partial result stopped, with the options it was made with,
     * and returns the top-k over everything seen; {@code data} must be the set this was run on.
     */
    public TopPatchesResult resume(ImageSet data) {
        return runner.resume(this, data);
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

    /**
     * True when only part of the data set was seen (interrupted or limited): a prefix, which {@link #resume} goes
     * on from, or, after a cluster run, the ranges merged before the interrupt.
     */
    public boolean partial() {
        return imagesSeen < total;
    }

    /** Pictures that could not be read, by id, with the reason: skipped and reported, not fatal. */
    public SortedMap<Integer, String> unreadable() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(state.unreadable));
    }

    /** "; 1 unreadable picture skipped (id 17)", or nothing. */
    private String unreadableNote() {
        int n = state.unreadable.size();
        if (n == 0) {
            return "";
        }
        String ids = state.unreadable.keySet().stream().limit(5).map(String::valueOf)
                .collect(Collectors.joining(", "));
        return "; " + n + " unreadable picture" + (n == 1 ? "" : "s") + " skipped (id" + (n == 1 ? " " : "s ") + ids
                + (n > 5 ? ", ..." : "") + ")";
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

    /**
     * Guided backprop (Springenberg et al. 2015) of each top hit of {@code unit}: the gradient of the unit's
     * activation at the hit's grid cell with respect to the picture, every ReLU passing back only positive gradient,
     * cut to the same receptive field as {@link #cropsOfUnit}. Grey is zero; brighter and darker are the signed
     * gradient, scaled per patch by its 99th percentile of magnitude. One backward pass per hit, on first use.
     */
    public List<BufferedImage> guidedBackpropOfUnit(int unit) {
        int index = indexOf(unit);
        return guided.computeIfAbsent(unit, u -> {
            Preprocessing p = runner.net.preprocessing();
            GuidedBackprop method = GuidedBackprop.create();
            List<BufferedImage> row = new ArrayList<>();
            for (Hit hit : hits.get(index)) {
                BufferedImage picture = data.inputImage(hit.image(), p);
                Target target = field.global() ? Target.channel(layer, unit) : Target.unit(layer, unit, hit.y(),
                        hit.x());
                Tensor g = method.attribute(runner.net, p.toTensor(picture), target).perChannel();
                Rectangle box = TopPatches.fieldBox(field, hit.y(), hit.x(), picture.getHeight(), picture.getWidth());
                row.add(gradientPatch(g, box));
            }
            return List.copyOf(row);
        });
    }

    /** The signed gradient inside {@code box} as a picture: grey 128 is zero, outside the image stays grey. */
    static BufferedImage gradientPatch(Tensor gradient, Rectangle box) {
        long[] s = gradient.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v = gradient.toFloatArray();
        float[] inside = new float[box.width * box.height * c];
        int n = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int y = Math.max(0, box.y); y < Math.min(h, box.y + box.height); y++) {
                for (int x = Math.max(0, box.x); x < Math.min(w, box.x + box.width); x++) {
                    inside[n++] = Math.abs(v[(ch * h + y) * w + x]);
                }
            }
        }
        float[] sorted = Arrays.copyOf(inside, n);
        Arrays.sort(sorted);
        float scale = n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.floor(0.99 * (n - 1)))];
        if (scale <= 0 && n > 0) {
            scale = sorted[n - 1];
        }
        BufferedImage out = new BufferedImage(box.width, box.height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < box.height; y++) {
            for (int x = 0; x < box.width; x++) {
                int iy = box.y + y;
                int ix = box.x + x;
                int[] rgb = {128, 128, 128};
                if (iy >= 0 && iy < h && ix >= 0 && ix < w && scale > 0) {
                    for (int k = 0; k < 3; k++) {
                        float g = v[(Math.min(k, c - 1) * h + iy) * w + ix];
                        rgb[k] = Math.round(Math.max(0, Math.min(255, 127.5f + 127.5f * g / scale)));
                    }
                }
                out.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return out;
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
                    row.add(TopPatches.crop(data.inputImage(hit.image(), p), field, hit.y(), hit.x()));
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
        title += unreadableNote().replace(";", " ·");
        if (partial()) {
            title += " · PARTIAL" + (interrupted ? " (interrupted)" : "") + (state.fromRanges
                    ? ": the ranges merged before it; run the job again for all"
                    : ": TopPatches.lastResult().resume(data) goes on");
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
                        + total : imagesSeen) + " images of " + data.name() + unreadableNote() + "]";
    }
}
