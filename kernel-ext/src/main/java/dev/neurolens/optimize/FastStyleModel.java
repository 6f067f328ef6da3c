package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Devices;
import dev.neurolens.model.RawTensor;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsException;
import dev.neurolens.model.WeightsFiles;
import dev.neurolens.run.Check;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fast-style network's weights (pytorch/examples' TransformerNet, optionally with conditional instance norm
 * for several styles) and what it does: {@code model.stylize(photo)} in one forward pass, or
 * {@code model.stylize(photo, 0.3, 0.7)} to blend two styles. Immutable; weights live on the heap and go to
 * the device for each call.
 */
public final class FastStyleModel implements Displayable {
    /** The safetensors metadata key holding the style names, a JSON array. */
    private static final String STYLE_NAMES = "neurolens.style_names";
    /** The metadata key marking a residual model (its output is the photo plus what the network adds). */
    private static final String RESIDUAL = "neurolens.residual";
    /** The metadata key naming the activation ("leaky_relu" for networks trained here; absent: ReLU). */
    private static final String ACTIVATION = "neurolens.activation";
    private final Map<String, Tensor> weights;
    private final int styles;
    private final List<String> styleNames;
    private final String source;
    private final List<BufferedImage> stylePictures;
    private final boolean residual;
    private final boolean leaky;

    FastStyleModel(Map<String, Tensor> weights, int styles, List<String> styleNames, String source,
                   List<BufferedImage> stylePictures) {
        this(weights, styles, styleNames, source, stylePictures, false, false);
    }

    FastStyleModel(Map<String, Tensor> weights, int styles, List<String> styleNames, String source,
                   List<BufferedImage> stylePictures, boolean residual, boolean leaky) {
        this.residual = residual;
        this.leaky = leaky;
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.styles = styles;
        this.styleNames = List.copyOf(styleNames);
        this.source = source;
        this.stylePictures = List.copyOf(stylePictures);
    }

    /** Untrained weights (torch's default init) for {@code styles} styles. */
    public static FastStyleModel random(int styles, long seed) {
        return random(styles, TransformerNet.WIDTH, seed);
    }

    /**
     * Untrained weights with {@code width} channels in the first layer (pytorch/examples: 32; then 2x and 4x): 16
     * has a quarter of the parameters and trains faster.
     */
    public static FastStyleModel random(int styles, int width, long seed) {
        Check.atLeastOne("width", width);
        Map<String, long[]> shapes = TransformerNet.shapes(styles, width);
        Map<String, Tensor> w = new LinkedHashMap<>();
        TransformerNet.init(styles, width, seed).forEach((k, v) -> w.put(k, Tensor.of(v, shapes.get(k))));
        return new FastStyleModel(w, styles, defaultNames(styles), "random init (seed " + seed
                + (width == TransformerNet.WIDTH ? "" : ", width " + width) + ")", List.of());
    }

    /**
     * Loads a state_dict (.pth from pytorch/examples' fast_neural_style, or .safetensors written by
     * {@link #save}, whose style names come back with it). Instance-norm running statistics in old files are
     * ignored, as the example does.
     */
    public static FastStyleModel load(Path file) {
        return withMetadata(of(WeightsFiles.read(file), file.toString()), WeightsFiles.metadata(file), file.toString());
    }

    /** A safetensors file held in memory (a resource), {@code source} naming it in messages and titles. */
    static FastStyleModel load(byte[] safetensors, String source) {
        try {
            Map<String, RawTensor> raw = WeightsFiles.readSafetensors(new ByteArrayInputStream(safetensors), source);
            return withMetadata(of(raw, source), WeightsFiles.metadata(new ByteArrayInputStream(safetensors), source),
                    source);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** Residual flag, activation and style names from the file's metadata. */
    private static FastStyleModel withMetadata(FastStyleModel plain, Map<String, String> meta, String file) {
        FastStyleModel m = plain.withResidual("true".equals(meta.get(RESIDUAL)))
                .withLeakyRelu("leaky_relu".equals(meta.get(ACTIVATION)));
        String names = meta.get(STYLE_NAMES);
        if (names == null) {
            return m;
        }
        List<String> n = new ArrayList<>();
        new com.google.gson.JsonParser().parse(names).getAsJsonArray().forEach(e -> n.add(e.getAsString()));
        if (n.size() != m.styles) {
            throw new WeightsException(file + " names " + n.size() + " styles " + n + " for weights of " + m.styles
                    + "; the file is damaged: save the model again");
        }
        return m.withStyleNames(n.toArray(String[]::new));
    }

    /** The same model showing these style pictures (one per style). */
    FastStyleModel withStylePictures(List<BufferedImage> pictures) {
        if (pictures.size() != styles) {
            throw new IllegalArgumentException(pictures.size() + " style pictures for " + styles + " styles");
        }
        return new FastStyleModel(weights, styles, styleNames, source, pictures, residual, leaky);
    }

    private static FastStyleModel of(Map<String, RawTensor> raw, String file) {
        RawTensor in1 = raw.get("in1.weight");
        if (in1 == null) {
            throw new WeightsException(file + " is not a fast-style TransformerNet: no in1.weight; keys: "
                    + String.join(", ", new ArrayList<>(raw.keySet()).subList(0, Math.min(8, raw.size()))));
        }
        int styles = in1.shape().length == 1 ? 1 : (int) in1.shape()[0];
        int width = (int) in1.shape()[in1.shape().length - 1];
        Map<String, long[]> shapes = TransformerNet.shapes(styles, width);
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (var e : shapes.entrySet()) {
            RawTensor t = raw.get(e.getKey());
            if (t == null) {
                problems.add("missing " + e.getKey());
            } else if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                problems.add(e.getKey() + " has shape " + t.shapeString() + ", expected "
                        + java.util.Arrays.toString(e.getValue()));
            } else {
                w.put(e.getKey(), Tensor.of(t.toFloatArray(), t.shape()));
            }
        }
        for (String k : raw.keySet()) {
            if (!shapes.containsKey(k) && !k.matches("in\\d+\\.running_(mean|var)|.*num_batches_tracked")) {
                problems.add("unexpected " + k);
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsException(file + " does not fit the fast-style TransformerNet: "
                    + String.join("; ", problems.subList(0, Math.min(6, problems.size()))));
        }
        return new FastStyleModel(w, styles, defaultNames(styles), file, List.of());
    }

    private static List<String> defaultNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("style " + (i + 1));
        }
        return names;
    }

    /** The same weights under other style names. */
    public FastStyleModel withStyleNames(String... names) {
        if (names.length != styles) {
            throw new IllegalArgumentException(names.length + " names for " + styles + " styles");
        }
        return new FastStyleModel(weights, styles, List.of(names), source, stylePictures, residual, leaky);
    }

    /**
     * The same weights read as a residual network (output = input + what the network computes), or not. The
     * pretrained pytorch/examples models are not residual; those trained here are by default.
     */
    public FastStyleModel withResidual(boolean on) {
        return new FastStyleModel(weights, styles, styleNames, source, stylePictures, on, leaky);
    }

    /** The same weights with leaky ReLUs (as networks trained here have) or ReLUs (as pytorch/examples'). */
    public FastStyleModel withLeakyRelu(boolean on) {
        return new FastStyleModel(weights, styles, styleNames, source, stylePictures, residual, on);
    }

    public boolean leakyRelu() {
        return leaky;
    }

    public boolean residual() {
        return residual;
    }

    public int styles() {
        return styles;
    }

    public List<String> styleNames() {
        return styleNames;
    }

    public String source() {
        return source;
    }

    /** The style pictures it was trained on (empty for loaded models). */
    public List<BufferedImage> stylePictures() {
        return stylePictures;
    }

    public Map<String, Tensor> weights() {
        return weights;
    }

    /** Writes the weights and the style names as safetensors (loadable with {@link #load}). */
    public Path save(Path file) {
        Map<String, float[]> v = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        weights.forEach((k, t) -> {
            v.put(k, t.toFloatArray());
            s.put(k, t.shape());
        });
        try (OutputStream out = Files.newOutputStream(file)) {
            com.google.gson.JsonArray names = new com.google.gson.JsonArray();
            styleNames.forEach(names::add);
            WeightsFiles.writeSafetensors(v, s, Map.of(STYLE_NAMES, names.toString(), RESIDUAL,
                    Boolean.toString(residual), ACTIVATION, leaky ? "leaky_relu" : "relu"), out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The first style (or the only one). */
    public BufferedImage stylize(BufferedImage image) {
        return stylize(image, 0, oneHot(0));
    }

    /** A blend of the styles by weight (one weight per style). */
    public BufferedImage stylize(BufferedImage image, double... blend) {
        return stylize(image, 0, blend);
    }

    /** At a size: the longer side scaled to {@code longSide} first ({@code <= 0}: as is). */
    public BufferedImage stylize(BufferedImage image, int longSide, double... blend) {
        BufferedImage in = longSide > 0 ? Inputs.resizeLong(image, longSide) : image;
        // two stride-2 layers and two 2x upsamplings: sides must be multiples of 4 to come back the same size
        int w = in.getWidth();
        int h = in.getHeight();
        Tensor x = Pixels.toTensor255(Pixels.padEdges(in, (4 - w % 4) % 4, (4 - h % 4) % 4));
        BufferedImage out = Pixels.toImage255(stylize(x, blend.length == 0 ? oneHot(0) : blend));
        return out.getWidth() == w && out.getHeight() == h ? out : out.getSubimage(0, 0, w, h);
    }

    /** Raw: pixels [N, 3, H, W] in [0, 255] in, the same out (not clamped). */
    public Tensor stylize(Tensor pixels255, double... blend) {
        Inputs.checkFinite(pixels255, "the image to stylize");
        double[] b = blend.length == 0 ? oneHot(0) : blend;
        if (b.length != styles) {
            throw new IllegalArgumentException(b.length + " blend weights for a model with " + styles + " styles");
        }
        try (NDManager m = NDManager.newBaseManager(Devices.current(), "PyTorch")) {
            Map<String, NDArray> p = toNative(m);
            NDArray out = TransformerNet.forward(p, pixels255.toNDArray(m), TransformerNet.blend(m, b), true,
                    residual, leaky);
            return Tensor.from(out);
        }
    }

    Map<String, NDArray> toNative(NDManager m) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        weights.forEach((k, t) -> p.put(k, t.toNDArray(m)));
        return p;
    }

    double[] oneHot(int i) {
        double[] b = new double[styles];
        b[i] = 1;
        return b;
    }

    @Override
    public MimeBundle mimeBundle() {
        if (stylePictures.isEmpty()) {
            return MimeBundle.text(toString());
        }
        return ImageGrid.of(stylePictures).captions(styleNames).cellSize(160).title(toString()).mimeBundle();
    }

    @Override
    public String toString() {
        long n = 0;
        for (Tensor t : weights.values()) {
            n += t.size();
        }
        return "FastStyleModel[" + styles + (styles == 1 ? " style" : " styles") + " " + styleNames + ", "
                + String.format("%.2fM", n / 1e6) + " parameters, " + (residual ? "residual, " : "")
                + (leaky ? "leaky ReLU, " : "") + source + "]";
    }

    static Shape shape(Tensor t) {
        return new Shape(t.shape());
    }
}
