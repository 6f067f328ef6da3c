package dev.neurolens.dissect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.display.Images;
import dev.neurolens.features.ImageSet;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.PortableNetwork;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.LastResults;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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
public final class NetworkDissection extends UnitDissection {
    /** Fraction of a unit's values above its threshold (the paper's top 0.5%). */
    public static final double DEFAULT_TOP = 0.005;

    private final String network;
    private final String data;

    private NetworkDissection(UnitConcepts core, String network, String data, int samples, double quantile,
                              double seconds) {
        super(core, samples, quantile, seconds, "image");
        this.network = network;
        this.data = data;
    }

    public static Builder builder(Network network, String layer) {
        return new Builder(network, layer);
    }

    /** Dissects {@code layer} on images in [0, 1] labelled by {@code segmenter}, with the default settings. */
    public static NetworkDissection of(Network network, String layer, Tensor images, Segmenter segmenter) {
        return builder(network, layer).images(images).segmenter(segmenter).run();
    }

    /** Its steps are the images given; top 0.5%, batch 32, 65536 values per unit's reservoir. */
    public static final class Builder extends UnitDissection.Settings<Builder> {
        private final Network network;
        private Tensor images;
        private ImageSet imageSet;

        private Builder(Network network, String layer) {
            super(0, network.resolve(layer), 32, 1 - DEFAULT_TOP, 1 << 16); // unknown layers fail in resolve
            this.network = network;
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

        /** Fraction of each unit's values that lie above its threshold (0.005, the paper's top 0.5%). */
        public Builder top(double fraction) {
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("top must be in (0, 1), e.g. 0.005 for the top 0.5%; got "
                        + fraction);
            }
            this.quantile = 1 - fraction;
            return this;
        }

        /**
         * Runs both passes, here or on the cluster given to {@code on}. There the network must have an architecture
         * recipe (registered ones, {@link SceneClassifier}, or {@code Architecture.rebuiltBy}); images given as a
         * tensor travel whole (a few thousand at most), larger sets as a folder or {@link BrodenFolder} that every
         * worker sees at the same path; the segmenter must travel too.
         */
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
        int samples = b.images != null ? (int) b.images.dim(0) : b.imageSet.size();
        String dataName = b.images != null ? samples + " images" : b.imageSet.name();
        UnitConcepts core;
        if (b.parallel != null) {
            ImageSet.Recipe recipe = null;
            if (b.imageSet != null) {
                recipe = b.imageSet.recipe();
                if (recipe == null) {
                    throw new IllegalArgumentException("the pictures of " + b.imageSet.name() + " live only in this "
                            + "JVM; on a cluster use a folder (ImageSet.folder), Fashion-MNIST or a BrodenFolder, "
                            + "which every worker can open");
                }
            }
            Shipment shipped = new Shipment(PortableNetwork.of(net), b.images, recipe, b.segmenter);
            core = b.dissectOn(shipped, new Pictures(b.layer), samples, net.layerNames().toString());
        } else {
            core = b.dissect(source(net, b.layer, b.images, b.imageSet, b.segmenter), samples,
                    () -> net.layerNames().toString());
        }
        return new NetworkDissection(core, net.name(), dataName, samples, b.quantile,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * What every worker gets once: the network, the pictures (a tensor, which travels whole, or a set's recipe)
     * and the segmenter.
     */
    private record Shipment(PortableNetwork net, Tensor images, ImageSet.Recipe set, Segmenter segmenter)
            implements Shipped {
    }

    private record Pictures(String layer) implements Sources<Shipment> {
        public UnitConcepts.Source open(Shipment s) {
            return source(s.net().open(), layer, s.images(), s.set() == null ? null : s.set().open(), s.segmenter());
        }
    }

    /** The layer's maps and the pictures in [0, 1] (with their Broden labels) of a range of samples. */
    private static UnitConcepts.Source source(Network net, String layer, Tensor images, ImageSet set,
                                              Segmenter segmenter) {
        Preprocessing p = net.preprocessing();
        if (images != null) {
            return (from, n) -> {
                Tensor img = images.rows(from, n);
                return new UnitConcepts.Batch(activations(net, layer, normalize(img, p), Forward.capture(layer)),
                        img);
            };
        }
        Preprocessing unit = new Preprocessing(3, p.resize(), p.crop(), new float[3], new float[] {1, 1, 1});
        return (from, n) -> {
            List<BufferedImage> pics = new ArrayList<>(n);
            for (int i = from; i < from + n; i++) {
                pics.add(set.image(i));
            }
            int[][] labels = null;
            if (segmenter instanceof BrodenFolder.Masks masks) {
                labels = new int[n][];
                for (int i = 0; i < n; i++) {
                    labels[i] = masks.labels(from + i, p);
                }
            }
            return new UnitConcepts.Batch(activations(net, layer, set.batch(from, from + n, p),
                    Forward.capture(layer)), unit.toTensor(pics), labels);
        };
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

    /** One row per unit (unit, best concept, IoU, threshold, labelled), highest IoU first. */
    @Override
    public Table table() {
        Table t = core.table();
        Integer[] order = core.byBestIoU(); // the table's row order; the IoU column is rounded, so not from it
        t.addColumns(tech.tablesaw.api.BooleanColumn.create("labelled",
                Arrays.stream(order).map(u -> core.bestIoU(u) >= MIN_IOU).toArray(Boolean[]::new)));
        return t.setName(network + " " + core.layer + " units by IoU");
    }

    /**
     * The unit mask of {@code unit} on one activation map {@code h x w}: upsampled to {@code imgH x imgW} and
     * thresholded at the unit's threshold.
     */
    public boolean[] unitMask(int unit, float[] map, int imgH, int imgW) {
        return core.mask(map, core.thresholds[unit], imgH, imgW);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "NetworkDissection[%s %s: %d units, %s, %s; %d labelled:", network,
                layer(), units(), data, thresholdAndTime(), labelledUnits().length) + perConcept(unitsPerConcept());
    }
}
