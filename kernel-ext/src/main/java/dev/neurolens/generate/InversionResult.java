package dev.neurolens.generate;

import dev.neurolens.display.Heatmap;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.Rendered;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Inversion} found: the code z, G(z), its error, and when fine-tuning ran the tuned generator and
 * its reconstruction. Shows itself as target | reconstruction | error map (| tuned reconstruction | its error).
 * The tuned generator is the caller's to close.
 */
public final class InversionResult implements Rendered {
    private final String generatorName;
    private final Tensor target;
    private final Tensor z;
    private final Tensor reconstruction;
    private final Generator tuned;
    private final Tensor tunedReconstruction;
    private final List<Float> losses;
    private final int zSteps;

    InversionResult(String generatorName, Tensor target, Tensor z, Tensor reconstruction, Generator tuned,
                    Tensor tunedReconstruction, List<Float> losses, int zSteps) {
        this.generatorName = generatorName;
        this.target = target;
        this.z = z;
        this.reconstruction = reconstruction;
        this.tuned = tuned;
        this.tunedReconstruction = tunedReconstruction;
        this.losses = List.copyOf(losses);
        this.zSteps = zSteps;
    }

    /** The code, {@code 1 x zDim x 1 x 1}. */
    public Tensor z() {
        return z;
    }

    public Tensor target() {
        return target;
    }

    /** G(z), {@code 1 x C x H x W} in [0, 1]. */
    public Tensor reconstruction() {
        return reconstruction;
    }

    /** Mean squared error of G(z) against the target, pixels in [0, 1]. */
    public double error() {
        return mse(reconstruction, target);
    }

    /** The fine-tuned generator (a new one; the original is untouched), or null when fine-tuning was off. */
    public Generator tuned() {
        return tuned;
    }

    /** G'(z) of the tuned generator, or null. */
    public Tensor tunedReconstruction() {
        return tunedReconstruction;
    }

    /** Mean squared error of the tuned generator's G'(z), or NaN without fine-tuning. */
    public double tunedError() {
        return tunedReconstruction == null ? Double.NaN : mse(tunedReconstruction, target);
    }

    /** The loss after each step: z steps first (best start), then fine-tuning steps. */
    public List<Float> losses() {
        return losses;
    }

    static double mse(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - y[i]) * (double) (x[i] - y[i]);
        }
        return s / x.length;
    }

    private static BufferedImage picture(Tensor t) {
        Tensor one = t.slice(0);
        return Images.fromFloats(one.toFloatArray(), Images.PixelRange.UNIT, one.shape());
    }

    /** |a - b| averaged over channels, on a fixed scale (0 to 0.5) so maps are comparable. */
    private static BufferedImage errorMap(Tensor a, Tensor b) {
        long[] s = a.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        float[][] map = new float[h][w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int k = (ch * h + i) * w + j;
                    map[i][j] += Math.abs(x[k] - y[k]) / c;
                }
            }
        }
        return Heatmap.of(map).colormap("inferno").range(0, 0.5).renderMap();
    }

    public BufferedImage render() {
        List<BufferedImage> cells = new ArrayList<>(List.of(picture(target), picture(reconstruction),
                errorMap(reconstruction, target)));
        List<String> captions = new ArrayList<>(List.of("target", "G(z)",
                String.format(Locale.ROOT, "error (MSE %.4f)", error())));
        if (tunedReconstruction != null) {
            cells.add(picture(tunedReconstruction));
            cells.add(errorMap(tunedReconstruction, target));
            captions.add("tuned G'(z)");
            captions.add(String.format(Locale.ROOT, "error (MSE %.4f)", tunedError()));
        }
        return ImageGrid.of(cells).captions(captions).cellSize(160).title(toString()).render();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Inversion into %s: MSE %.4f after %d steps on z", generatorName, error(),
                zSteps) + (tuned == null ? "" : String.format(Locale.ROOT, ", %.4f after fine-tuning", tunedError()));
    }
}
