package dev.neurolens.dissect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.Progress;
import dev.neurolens.display.TableHtml;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.LastResults;
import dev.neurolens.run.RunBuilder;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Network Dissection (Bau et al., CVPR 2017) of one convolutional layer of a classifier: which units detect which
 * concept. Images go through the network's own preprocessing; each unit's map is upsampled (bilinear) to the
 * input frame and thresholded at the unit's top quantile over all images and positions (by default the value
 * exceeded by 0.5% of them, as in the paper); the IoU of that mask with each concept's pixels, summed over the
 * data set, scores the unit against the concept. A unit whose best IoU reaches {@link #MIN_IOU} is labelled with
 * that concept. The arithmetic is the same as GAN dissection's ({@link Dissection}).
 *
 * <pre>{@code
 * SceneClassifier.LabelledScenes test = SceneClassifier.scenes(SceneClassifier.HELD_OUT, 500);
 * NetworkDissection d = NetworkDissection.builder(net, "conv4").images(test.images()).segmenter(test.masks()).run();
 * d.labelledUnits();      // units whose best IoU >= 0.04
 * d.strip(d.unitsFor("tree", 1)[0]);
 * }</pre>
 * Immutable; shows a summary chart, the units as a table and strips of the best units.
 */
public final class NetworkDissection implements Displayable {
    /** A unit is labelled with its best concept when the IoU reaches this (the paper's 0.04). */
    public static final double MIN_IOU = Dissection.MIN_IOU;
    /** Fraction of a unit's values above its threshold (the paper's top 0.5%). */
    public static final double DEFAULT_TOP = 0.005;

    private final UnitConcepts core;
    private final String network;
    private final String data;
    private final int samples;
    private final double quantile;
    private final double seconds;

    private NetworkDissection(UnitConcepts core, String network, String data, int samples, double quantile,
                              double seconds) {
        this.core = core;
        this.network = network;
        this.data = data;
        this.samples = samples;
        this.quantile = quantile;
        this.seconds = seconds;
    }

    public static Builder builder(Network network, String layer) {
        return new Builder(network, layer);
    }

    /** Dissects {@code layer} on images in [0, 1] labelled by {@code segmenter}, with the default settings. */
    public static NetworkDissection of(Network network, String layer, Tensor images, Segmenter segmenter) {
        return builder(network, layer).images(images).segmenter(segmenter).run();
    }

    public static final class Builder extends RunBuilder<Builder> {
        private final Network network;
        private final String layer;
        private Tensor images;
        private ImageSet imageSet;
        private Segmenter segmenter;
        private int batch = 32;
        private double quantile = 1 - DEFAULT_TOP;
        private int topImages = 6;
        private int reservoir = 1 << 16;

        /** Its steps are the images given; seed and live (the progress bar) are the shared settings. */
        private Builder(Network network, String layer) {
            super(0);
            seed(1);
            live(false);
            this.network = network;
            this.layer = network.resolve(layer); // unknown layers fail here, listing the closest names
        }

        /**
         * The data set as RGB pictures {@code N x 3 x H x W} in [0, 1] at the network's input size; they are
         * normalized with the network's mean and std, and the segmenter sees them as they are.
         */
        public Builder images(Tensor images01) {
            long[] s = images01.shape();
            if (s.length != 4 || s[1] != 3) {
                throw new IllegalArgumentException("images must be N x 3 x H x W in [0, 1], got "
                        + Arrays.toString(s));
            }
            if (s[0] == 0) {
                throw new IllegalArgumentException("the image set is empty; dissection needs images with concepts");
            }
            Preprocessing p = network.preprocessing();
            if (s[2] != p.crop() || s[3] != p.crop() || p.channels() != 3) {
                throw new IllegalArgumentException("images are " + s[2] + "x" + s[3] + " but " + network.name()
                        + " takes " + p.channels() + " x " + p.crop() + "x" + p.crop() + "; render them at that size, "
                        + "or pass an ImageSet, which is resized and cropped as the network's preprocessing says");
            }
            this.images = images01;
            this.imageSet = null;
            return this;
        }

        /** The data set as pictures of any size, resized and center-cropped by the network's preprocessing. */
        public Builder images(ImageSet set) {
            if (set.size() == 0) {
                throw new IllegalArgumentException("the image set is empty; dissection needs images with concepts");
            }
            if (network.preprocessing().channels() != 3) {
                throw new IllegalArgumentException(network.name() + " takes gray images; segmenters label RGB ones");
            }
            this.imageSet = set;
            this.images = null;
            return this;
        }

        /**
         * A Broden-style data set: its pictures (resized and centre-cropped as the network's preprocessing says)
         * and one category's masks, which follow the pictures into that frame. Replaces any segmenter.
         */
        public Builder images(BrodenFolder.Masks masks) {
            images(masks.images());
            this.segmenter = masks;
            return this;
        }

        /** Labels concepts in the images (required): {@link ExactSceneMasks}, {@link SceneSegmenter}, {@link ColorSegmenter}, ... */
        public Builder segmenter(Segmenter s) {
            this.segmenter = s;
            return this;
        }

        public Builder batch(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("batch must be positive, got " + n);
            }
            this.batch = n;
            return this;
        }

        /** Fraction of each unit's values that lie above its threshold (0.005, the paper's top 0.5%). */
        public Builder top(double fraction) {
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("top must be in (0, 1), e.g. 0.005 for the top 0.5%; got "
                        + fraction);
            }
            this.quantile = 1 - fraction;
            return this;
        }

        /** Top-activating images kept per unit for {@link #strip}. */
        public Builder topImages(int k) {
            this.topImages = Math.max(1, k);
            return this;
        }

        /** Values kept per unit for its quantile (65536); beyond it a uniform sample (thresholds then approximate). */
        public Builder reservoir(int values) {
            if (values < 100) {
                throw new IllegalArgumentException("keep at least 100 values per unit, got " + values);
            }
            this.reservoir = values;
            return this;
        }

        /** Show a progress bar while the two passes run: the same as {@code live(on)}. */
        public Builder progress(boolean on) {
            return live(on);
        }

        public NetworkDissection run() {
            if (images == null && imageSet == null) {
                throw new IllegalStateException("no images: call .images(tensorIn01) or .images(imageSet)");
            }
            if (segmenter == null) {
                throw new IllegalStateException("no segmenter: call .segmenter(masks) with the ExactSceneMasks that "
                        + "rendered the scenes, SceneSegmenter.builtin(), or new ColorSegmenter() for any picture");
            }
            return LastResults.keep(NetworkDissection.run(this));
        }
    }

    private static NetworkDissection run(Builder b) {
        long start = System.nanoTime();
        Network net = b.network;
        Preprocessing p = net.preprocessing();
        int samples;
        UnitConcepts.Source src;
        String dataName;
        if (b.images != null) {
            samples = (int) b.images.dim(0);
            Tensor images = b.images;
            src = (from, n) -> {
                Tensor img = Dissection.slice(images, from, n);
                return new UnitConcepts.Batch(activations(net, b.layer, normalize(img, p), Forward.capture(b.layer)),
                        img);
            };
            dataName = samples + " images";
        } else {
            ImageSet set = b.imageSet;
            samples = set.size();
            Preprocessing unit = new Preprocessing(3, p.resize(), p.crop(), new float[3], new float[] {1, 1, 1});
            src = (from, n) -> {
                List<BufferedImage> pics = new ArrayList<>(n);
                for (int i = from; i < from + n; i++) {
                    pics.add(set.image(i));
                }
                int[][] labels = null;
                if (b.segmenter instanceof BrodenFolder.Masks masks) {
                    labels = new int[n][];
                    for (int i = 0; i < n; i++) {
                        labels[i] = masks.labels(from + i, p);
                    }
                }
                return new UnitConcepts.Batch(activations(net, b.layer, set.batch(from, from + n, p),
                        Forward.capture(b.layer)), unit.toTensor(pics), labels);
            };
            dataName = set.name();
        }
        try (Progress bar = b.live() ? Progress.builder().total(2L * samples)
                .label("dissecting " + b.layer).start() : null) {
            UnitConcepts core = UnitConcepts.run(src, samples, b.batch, b.layer, () -> net.layerNames().toString(),
                    b.segmenter, b.quantile, b.reservoir, b.seed(), b.topImages, bar);
            return new NetworkDissection(core, net.name(), dataName, samples, b.quantile,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Images in [0, 1] normalized with the network's mean and std (already at its input size). */
    static Tensor normalize(Tensor images01, Preprocessing p) {
        float[] v = images01.toFloatArray();
        long[] s = images01.shape();
        int plane = (int) (s[2] * s[3]);
        float[] mean = p.mean();
        float[] std = p.std();
        for (int i = 0; i < v.length; i++) {
            int c = (i / plane) % (int) s[1];
            v[i] = (v[i] - mean[c]) / std[c];
        }
        return Tensor.of(v, s);
    }

    /** The output of {@code layer} for a preprocessed batch, copied out of one native scope. */
    static Tensor activations(Network net, String layer, Tensor input, Forward spec) {
        try (NDManager scope = net.newScope()) {
            NDArray a = net.forward(input.toNDArray(scope), spec).get(layer);
            return Tensor.from(a);
        }
    }

    public String layer() {
        return core.layer;
    }

    public List<String> concepts() {
        return core.concepts;
    }

    public int units() {
        return core.units();
    }

    public int samples() {
        return samples;
    }

    /** The threshold quantile, {@code 1 - top}. */
    public double quantile() {
        return quantile;
    }

    /** Whether the thresholds are exact quantiles (every value fit in the reservoir). */
    public boolean exactThresholds() {
        return core.exact;
    }

    /** Per-unit activation thresholds (copy). */
    public float[] thresholds() {
        return core.thresholds.clone();
    }

    public double seconds() {
        return seconds;
    }

    /** IoU of a unit's mask with a concept's pixels, summed over the data set. */
    public double iou(int unit, String concept) {
        return core.iou[unit][core.conceptIndex(concept)];
    }

    /** The full {@code [unit][concept]} IoU matrix (copy). */
    public double[][] iou() {
        return core.iouCopy();
    }

    /** Pixels of a concept over the data set. */
    public long conceptPixels(String concept) {
        return core.conceptPixels[core.conceptIndex(concept)];
    }

    public String bestConcept(int unit) {
        return core.bestConcept(unit);
    }

    public double bestIoU(int unit) {
        return core.bestIoU(unit);
    }

    /** The units whose best IoU reaches {@link #MIN_IOU}, best first. */
    public int[] labelledUnits() {
        return Arrays.stream(core.byBestIoU()).mapToInt(Integer::intValue).filter(u -> core.bestIoU(u) >= MIN_IOU)
                .toArray();
    }

    /**
     * The best units for {@code concept}: up to {@code k} units whose IoU for it reaches {@link #MIN_IOU} (the
     * labelling threshold), highest first; fewer, or none, when fewer reach it. A unit counts even when another
     * concept suits it better.
     */
    public int[] unitsFor(String concept, int k) {
        return core.unitsFor(concept, k, MIN_IOU);
    }

    /**
     * Up to {@code k} units whose IoU for {@code concept} is at least {@code minIoU}, highest first; {@code
     * unitsFor(concept, k, 0)} ranks every unit, labelled or not (for controls and dose-response curves).
     */
    public int[] unitsFor(String concept, int k, double minIoU) {
        return core.unitsFor(concept, k, minIoU);
    }

    /** Labelled units per concept (best concept, IoU >= {@link #MIN_IOU}). */
    public Map<String, Integer> unitsPerConcept() {
        return core.unitsPerConcept(MIN_IOU);
    }

    /** One row per unit (unit, best concept, IoU, threshold), highest IoU first. */
    public Table table() {
        Table t = core.table();
        Integer[] order = core.byBestIoU(); // the table's row order; the IoU column is rounded, so not from it
        t.addColumns(tech.tablesaw.api.BooleanColumn.create("labelled",
                Arrays.stream(order).map(u -> core.bestIoU(u) >= MIN_IOU).toArray(Boolean[]::new)));
        return t.setName(network + " " + core.layer + " units by IoU");
    }

    /** Labelled units per concept as bars. */
    public ChartImage summaryChart() {
        return ChartImage.of(core.unitsChart(MIN_IOU)).size(560, 300);
    }

    /** Units per concept and the IoU of the best units, side by side. */
    public BufferedImage renderSummary() {
        return core.renderSummary(MIN_IOU);
    }

    /** The unit's top images with its mask outlined, titled with its concept and IoU. */
    public ImageGrid strip(int unit) {
        return core.strip(unit, "image");
    }

    /**
     * Strips of the best units for {@code concept} ({@link #unitsFor(String, int)}), one row each; the title says
     * when fewer than {@code k} reach the labelling threshold.
     */
    public ImageGrid strips(String concept, int k) {
        return core.strips(concept, k, MIN_IOU);
    }

    /** Strips of {@link #unitsFor(String, int, double)}: {@code minIoU} 0 shows the top {@code k}, labelled or not. */
    public ImageGrid strips(String concept, int k, double minIoU) {
        return core.strips(concept, k, minIoU);
    }

    /**
     * The unit mask of {@code unit} on one activation map {@code h x w}: upsampled to {@code imgH x imgW} and
     * thresholded at the unit's threshold.
     */
    public boolean[] unitMask(int unit, float[] map, int imgH, int imgW) {
        return core.mask(map, core.thresholds[unit], imgH, imgW);
    }

    @Override
    public MimeBundle mimeBundle() {
        byte[] png = Images.toPng(renderSummary());
        StringBuilder html = new StringBuilder("<div><p>").append(Html.escape(toString())).append("</p>");
        html.append("<img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                .append("\" style=\"max-width:100%\"/>");
        html.append(TableHtml.of(table()).maxRows(15).html());
        Integer[] best = core.byBestIoU();
        for (int u : Arrays.copyOf(best, Math.min(3, best.length))) {
            html.append("<img src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(strip(u).toPng())).append("\"/>");
        }
        html.append("</div>");
        return MimeBundle.png(png, toString()).with(MimeBundle.HTML, html.toString());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "NetworkDissection[%s %s: %d units, %s, top %.1f%% threshold%s, %.1f s; %d labelled:", network,
                core.layer, units(), data, (1 - quantile) * 100, core.exact ? "" : " (sampled)", seconds,
                labelledUnits().length));
        unitsPerConcept().forEach((c, n) -> {
            if (n > 0) {
                s.append(' ').append(c).append(' ').append(n);
            }
        });
        return s.append(']').toString();
    }
}
