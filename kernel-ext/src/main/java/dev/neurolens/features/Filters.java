package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The learned weights of a convolution, drawn as pictures. A first layer over RGB gives one colour tile per
 * filter; over gray, one gray tile. Deeper layers have one slice per input channel, so each filter is a row
 * of gray tiles. Each filter is scaled symmetrically about zero (gray = 0, white = its largest positive
 * weight, black = its most negative), so signs and relative strengths within a filter read directly.
 * Immutable; the weights are copied out at creation.
 *
 * <pre>{@code Filters.of(net, "conv1").count(32)}</pre>
 */
public final class Filters implements Displayable {
    private final String model;
    private final String layer;
    private final Tensor weights;
    private final int count;
    private final int channels;
    private final String note;

    private Filters(String model, String layer, Tensor weights, int count, int channels, String note) {
        this.model = model;
        this.layer = layer;
        this.weights = weights;
        this.count = count;
        this.channels = channels;
        this.note = note;
    }

    /** The filters of a convolution layer (name or alias). */
    public static Filters of(Network net, String layerName) {
        Layer l = net.layer(layerName);
        if (l.kind() != LayerKind.CONV2D) {
            List<String> convs = new ArrayList<>();
            for (String n : net.layerNames()) {
                if (net.layer(n).kind() == LayerKind.CONV2D) {
                    convs.add(n);
                }
            }
            throw new IllegalArgumentException("layer '" + layerName + "' is " + l.describe()
                    + ", not a convolution; convolutions of " + net.name() + ": " + String.join(", ", convs));
        }
        NDArray w = net.parameters().get(l.name() + ".weight");
        return new Filters(net.name(), layerName, Tensor.from(w), 64, 8, net.source());
    }

    /** Show at most {@code n} filters (default 64). */
    public Filters count(int n) {
        return new Filters(model, layer, weights, Math.max(1, n), channels, note);
    }

    /** For deeper layers, at most {@code n} input-channel slices per filter (default 8). */
    public Filters channels(int n) {
        return new Filters(model, layer, weights, count, Math.max(1, n), note);
    }

    /** A caption line, e.g. "random init" (default: where the weights came from). */
    public Filters note(String text) {
        return new Filters(model, layer, weights, count, channels, text);
    }

    public int filters() {
        return (int) weights.dim(0);
    }

    public int inputChannels() {
        return (int) weights.dim(1);
    }

    public int kernelSize() {
        return (int) weights.dim(2);
    }

    /** The weights {@code [out, in, kh, kw]}. */
    public Tensor weights() {
        return weights;
    }

    /** Filter {@code f} as a picture: RGB when the layer reads 3 channels, else the mean over input channels. */
    public BufferedImage tile(int f) {
        int in = inputChannels();
        int k = kernelSize();
        float scale = maxAbs(f);
        if (in == 3) {
            // built by hand: a 3x3x3 kernel is ambiguous between CHW and HWC for the generic converter
            BufferedImage img = new BufferedImage(k, k, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < k; y++) {
                for (int x = 0; x < k; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        float v = 0.5f + 0.5f * weights.getFlat(((f * 3 + c) * k + y) * k + x) / scale;
                        rgb = rgb << 8 | Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            return img;
        }
        float[][] mean = new float[k][k];
        for (int c = 0; c < in; c++) {
            float[][] s = slice(f, c, 1f);
            for (int y = 0; y < k; y++) {
                for (int x = 0; x < k; x++) {
                    mean[y][x] += s[y][x] / in;
                }
            }
        }
        float m = 0;
        for (float[] row : mean) {
            for (float v : row) {
                m = Math.max(m, Math.abs(v));
            }
        }
        for (float[] row : mean) {
            for (int x = 0; x < k; x++) {
                row[x] = 0.5f + 0.5f * row[x] / (m == 0 ? 1 : m);
            }
        }
        return Images.fromFloats(mean, Images.PixelRange.UNIT);
    }

    /** Input-channel slice {@code c} of filter {@code f} in gray, scaled by the whole filter's largest weight. */
    public BufferedImage slice(int f, int c) {
        float[][] s = slice(f, c, maxAbs(f));
        for (float[] row : s) {
            for (int x = 0; x < row.length; x++) {
                row[x] = 0.5f + 0.5f * row[x];
            }
        }
        return Images.fromFloats(s, Images.PixelRange.UNIT);
    }

    private float[][] slice(int f, int c, float scale) {
        int in = inputChannels();
        int k = kernelSize();
        float[][] out = new float[k][k];
        int base = (f * in + c) * k * k;
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                out[y][x] = weights.getFlat(base + y * k + x) / (scale == 0 ? 1 : scale);
            }
        }
        return out;
    }

    private float maxAbs(int f) {
        int per = inputChannels() * kernelSize() * kernelSize();
        float m = 0;
        for (int i = 0; i < per; i++) {
            m = Math.max(m, Math.abs(weights.getFlat(f * per + i)));
        }
        return m == 0 ? 1 : m;
    }

    /** RGB or gray tiles for first layers; rows of per-channel slices for deeper ones. */
    public ImageGrid grid() {
        int n = Math.min(count, filters());
        int in = inputChannels();
        int k = kernelSize();
        int cell = Math.max(24, Math.min(72, k * (int) Math.ceil(48.0 / k)));
        String head = String.format(Locale.ROOT, "%s %s: %d filters %dx%dx%d", model, layer, filters(), in, k, k);
        List<BufferedImage> tiles = new ArrayList<>();
        if (in == 3 || in == 1) {
            for (int f = 0; f < n; f++) {
                tiles.add(Images.upscale(tile(f), Math.max(1, cell / k)));
            }
            return ImageGrid.of(tiles).columns(Math.min(16, n)).cellSize(cell).padding(2)
                    .title(head + (n < filters() ? ", first " + n : "") + " (" + note + ")");
        }
        int c = Math.min(channels, in);
        List<String> captions = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            for (int ch = 0; ch < c; ch++) {
                tiles.add(Images.upscale(slice(f, ch), Math.max(1, cell / k)));
                captions.add(ch == 0 ? "f" + f + " c0" : "c" + ch);
            }
        }
        return ImageGrid.of(tiles).columns(c).cellSize(cell).padding(2).captions(captions)
                .title(head + ", " + n + " filters x " + c + " input channels (" + note + ")");
    }

    @Override
    public MimeBundle mimeBundle() {
        return grid().mimeBundle().with(MimeBundle.TEXT, toString());
    }

    @Override
    public String toString() {
        return "Filters[" + model + " " + layer + ", " + filters() + " x " + inputChannels() + " x " + kernelSize()
                + " x " + kernelSize() + ", " + note + "]";
    }
}
