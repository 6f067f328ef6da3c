package dev.neurolens.generate;

import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Rendered;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rewritten generator with the same samples before and after the edit, and the edit itself (the context
 * key k*, the target value v*, the update direction d = C^-1 k*). Shows itself as a before row over an after
 * row. The edited generator is new and the caller's to close; the original is untouched (undo: keep using it).
 */
public final class RewriteResult implements Rendered {
    private final Generator original;
    private final Generator edited;
    private final String layer;
    private final Tensor z;
    private final Tensor before;
    private final Tensor after;
    private final float[] kStar;
    private final float[] vStar;
    private final float[] d;

    RewriteResult(Generator original, Generator edited, String layer, Tensor z, Tensor before, Tensor after,
                  float[] kStar, float[] vStar, float[] d) {
        this.original = original;
        this.edited = edited;
        this.layer = layer;
        this.z = z;
        this.before = before;
        this.after = after;
        this.kStar = kStar.clone();
        this.vStar = vStar.clone();
        this.d = d.clone();
    }

    public Generator original() {
        return original;
    }

    /** The generator with the rewritten layer (a new one: close it when done). */
    public Generator edited() {
        return edited;
    }

    public String layer() {
        return layer;
    }

    /** The preview codes. */
    public Tensor z() {
        return z;
    }

    /** The preview images from the original generator, {@code N x C x H x W} in [0, 1]. */
    public Tensor before() {
        return before;
    }

    /** The same codes through the edited generator. */
    public Tensor after() {
        return after;
    }

    /** The context key k* ({@code C_in} values). */
    public float[] contextKey() {
        return kStar.clone();
    }

    /** The value v* the edited layer now writes for k* ({@code C_out*kH*kW} values). */
    public float[] targetValue() {
        return vStar.clone();
    }

    /** The update direction d = C^-1 k*: keys orthogonal to it are written exactly as before. */
    public float[] direction() {
        return d.clone();
    }

    /** Mean absolute pixel change between before and after, in [0, 1] units. */
    public double meanChange() {
        float[] a = before.toFloatArray();
        float[] b = after.toFloatArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }

    public BufferedImage render() {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int n = (int) before.dim(0);
        for (Tensor t : List.of(before, after)) {
            cells.addAll(Generator.pictures(t));
            for (int i = 0; i < n; i++) {
                captions.add(i == 0 ? (t == before ? "before" : "after") : "");
            }
        }
        return ImageGrid.of(cells).captions(captions).columns(n).cellSize(128).title(toString()).render();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Rewrite of %s at %s: mean pixel change %.4f over %d samples",
                original.name(), layer, meanChange(), before.dim(0));
    }
}
