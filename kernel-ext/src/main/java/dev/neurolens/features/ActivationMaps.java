package dev.neurolens.features;

import dev.neurolens.display.Colormap;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.HeatmapOverlay;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * A layer's response to one picture: every channel's map as a grid (each channel scaled to its own range,
 * viridis), or one channel upsampled over the picture. Immutable; the activations are copied out.
 *
 * <pre>{@code ActivationMaps.of(net, "conv2", image).overlay(12)}</pre>
 */
public final class ActivationMaps implements Displayable {
    private final String model;
    private final String layer;
    private final BufferedImage input;
    private final Tensor maps; // [C, H, W]
    private final int limit;

    private ActivationMaps(String model, String layer, BufferedImage input, Tensor maps, int limit) {
        this.model = model;
        this.layer = layer;
        this.input = input;
        this.maps = maps;
        this.limit = limit;
    }

    /** Runs the picture (preprocessed the model's way) and keeps {@code layer}'s maps. */
    public static ActivationMaps of(Network net, String layer, BufferedImage image) {
        Preprocessing p = net.preprocessing();
        Tensor out = net.run(p.toTensor(image), layer).get(layer);
        if (out.rank() != 4) {
            throw new IllegalArgumentException("layer '" + layer + "' outputs " + Arrays.toString(out.shape())
                    + ", not spatial maps; pick a convolution, ReLU or pooling layer");
        }
        BufferedImage seen = Preprocessing.centerCrop(Preprocessing.resizeShorter(image, p.resize()), p.crop());
        return new ActivationMaps(net.name(), layer, seen, out.slice(0), 64);
    }

    /** Show at most {@code n} channels in the grid (default 64). */
    public ActivationMaps limit(int n) {
        return new ActivationMaps(model, layer, input, maps, Math.max(1, n));
    }

    public int channels() {
        return (int) maps.dim(0);
    }

    /** Map of channel {@code c}, {@code [H][W]}. */
    public float[][] channel(int c) {
        int h = (int) maps.dim(1);
        int w = (int) maps.dim(2);
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = maps.get(c, y, x);
            }
        }
        return out;
    }

    /** Channels ordered by their mean activation on this picture, strongest first. */
    public int[] strongest(int n) {
        int h = (int) maps.dim(1);
        int w = (int) maps.dim(2);
        double[] mean = new double[channels()];
        for (int c = 0; c < channels(); c++) {
            for (int i = 0; i < h * w; i++) {
                mean[c] += maps.getFlat(c * h * w + i) / (h * w);
            }
        }
        return IntStream.range(0, channels()).boxed().sorted(Comparator.comparingDouble(c -> -mean[c]))
                .limit(n).mapToInt(Integer::intValue).toArray();
    }

    /** The picture as the model saw it. */
    public BufferedImage input() {
        return input;
    }

    /** All channels (up to the limit), each coloured over its own range; captions give channel and maximum. */
    public ImageGrid grid() {
        int n = Math.min(limit, channels());
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int h = (int) maps.dim(1);
        int cell = Math.max(48, Math.min(96, h * (int) Math.ceil(64.0 / h)));
        for (int c = 0; c < n; c++) {
            float[][] m = channel(c);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float[] row : m) {
                for (float v : row) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            tiles.add(Images.upscale(colour(m, lo, hi), Math.max(1, cell / h)));
            captions.add(String.format(Locale.ROOT, "%d  %.2f", c, hi));
        }
        return ImageGrid.of(tiles).columns(Math.min(16, (int) Math.ceil(Math.sqrt(n * 2.0)))).cellSize(cell)
                .padding(3).captions(captions).title(String.format(Locale.ROOT, "%s %s: %d channels of %dx%d%s",
                        model, layer, channels(), h, (int) maps.dim(2), n < channels() ? ", first " + n : ""));
    }

    private static BufferedImage colour(float[][] m, float lo, float hi) {
        int h = m.length;
        int w = m[0].length;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float span = hi - lo;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, Colormap.VIRIDIS.rgb(span <= 0 ? 0 : (m[y][x] - lo) / span));
            }
        }
        return img;
    }

    /** Channel {@code c} upsampled (bilinear) over the picture. */
    public HeatmapOverlay overlay(int c) {
        return HeatmapOverlay.of(input, channel(c)).alpha(0.55).colormap("inferno")
                .title(model + " " + layer + " channel " + c);
    }

    @Override
    public MimeBundle mimeBundle() {
        return grid().mimeBundle().with(MimeBundle.TEXT, toString());
    }

    @Override
    public String toString() {
        return "ActivationMaps[" + model + " " + layer + ", " + Arrays.toString(maps.shape()) + "]";
    }
}
