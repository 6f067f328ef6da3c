package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Model;
import dev.neurolens.model.Names;
import dev.neurolens.model.Network;
import dev.neurolens.model.Readout;
import dev.neurolens.model.Scalar;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an attribution explains: the predicted class (default), a class by index or name, or a unit of any
 * layer (a channel's spatial mean, or one position of one channel). Immutable.
 *
 * <pre>{@code Target.className("tabby")  Target.classIndex(281)  Target.channel("fire8", 12)  Target.parse("features.12:5@3,4")}</pre>
 */
public final class Target {
    private enum Kind { PREDICTED, CLASS_INDEX, CLASSES, CLASS_NAME, CHANNEL, UNIT, RESOLVED, CUSTOM }

    private final Kind kind;
    private final int index;
    private final String name;
    private final String layer;
    private final int y;
    private final int x;
    private final int[] perImage;
    private final Resolved resolved;
    private final Readout custom;

    private Target(Kind kind, int index, String name, String layer, int y, int x) {
        this(kind, index, name, layer, y, x, null);
    }

    private Target(Kind kind, int index, String name, String layer, int y, int x, int[] perImage) {
        this(kind, index, name, layer, y, x, perImage, null);
    }

    private Target(Kind kind, int index, String name, String layer, int y, int x, int[] perImage, Resolved resolved) {
        this(kind, index, name, layer, y, x, perImage, resolved, null);
    }

    private Target(Kind kind, int index, String name, String layer, int y, int x, int[] perImage, Resolved resolved,
                   Readout custom) {
        this.custom = custom;
        this.resolved = resolved;
        this.perImage = perImage;
        this.kind = kind;
        this.index = index;
        this.name = name;
        this.layer = layer;
        this.y = y;
        this.x = x;
    }

    /** The class each image is predicted to be. */
    public static Target predicted() {
        return new Target(Kind.PREDICTED, -1, null, Network.OUTPUT, -1, -1);
    }

    public static Target classIndex(int index) {
        return new Target(Kind.CLASS_INDEX, index, null, Network.OUTPUT, -1, -1);
    }

    /** One class per image of the batch, in order. */
    public static Target classIndices(int... perImage) {
        return new Target(Kind.CLASSES, -1, null, Network.OUTPUT, -1, -1, perImage.clone());
    }

    /** A class by its label: exact (case-insensitive), else the one label that contains the text. */
    public static Target className(String label) {
        return new Target(Kind.CLASS_NAME, -1, label, Network.OUTPUT, -1, -1);
    }

    /** The spatial mean of one channel of a layer (or one unit of a 2-d layer such as a linear layer). */
    public static Target channel(String layer, int channel) {
        return new Target(Kind.CHANNEL, channel, null, layer, -1, -1);
    }

    /** One unit: channel {@code channel} of {@code layer} at position (y, x). */
    public static Target unit(String layer, int channel, int y, int x) {
        return new Target(Kind.UNIT, channel, null, layer, y, x);
    }

    /**
     * A target already resolved for a batch, as it is: several methods (a comparison, the noisy copies of
     * SmoothGrad) then explain the same classes without resolving "predicted" again, and keep its descriptions.
     */
    public static Target resolved(Resolved r) {
        return new Target(Kind.RESOLVED, -1, null, r.layer(), r.y(), r.x(), null, r);
    }

    /**
     * From text, as typed in a magic: "predicted", "7" (class index), "tabby cat" (class name),
     * "fire8:12" (channel 12 of fire8), "fire8:12@3,4" (that channel at y=3, x=4).
     */
    public static Target parse(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.equalsIgnoreCase("predicted") || t.equalsIgnoreCase("top")) {
            return predicted();
        }
        if (t.matches("\\d+")) {
            return classIndex(Integer.parseInt(t));
        }
        if (t.matches("-\\d+")) {
            throw new IllegalArgumentException("target " + t + " is not a class: use a class index from 0, a class name,"
                    + " 'predicted', or layer:channel");
        }
        if (t.matches(".+:\\d+(@\\d+,\\d+)?")) {
            return of(Readout.parse(t));
        }
        return className(t);
    }

    /**
     * A {@link Readout} as what to explain, the same readouts an objective maximizes: a class logit, a channel's
     * mean, a unit, or any function of a layer ({@link Readout#of}). Occlusion of a function runs plain passes
     * (its incremental path reads one channel).
     */
    public static Target of(Readout readout) {
        if (!(readout instanceof Readout.Standard r) || r.y() < -1) {
            return new Target(Kind.CUSTOM, -1, readout.toString(), readout.layer(), -1, -1, null, null, readout);
        }
        if (Network.OUTPUT.equals(r.layer())) {
            return classIndex(r.channel());
        }
        return r.y() < 0 ? channel(r.layer(), r.channel()) : unit(r.layer(), r.channel(), r.y(), r.x());
    }

    /** The layer read: {@link Network#OUTPUT} for classes. */
    public String layer() {
        return layer;
    }

    public boolean isClass() {
        return Network.OUTPUT.equals(layer);
    }

    /**
     * Fixes the target for a batch: checks the layer, class, channel and position against the model (clear
     * errors listing what exists) and picks the predicted class of each image when asked to.
     */
    public Resolved resolve(Model model, Tensor input) {
        int n = (int) input.dim(0);
        List<String> labels = model.info().labels();
        int classes = model.info().numClasses();
        int[] channels = new int[n];
        List<String> descriptions = new ArrayList<>();
        switch (kind) {
            case CUSTOM -> {
                String l = checkLayer(model, layer);
                Arrays.fill(channels, -1);
                for (int i = 0; i < n; i++) {
                    descriptions.add(name);
                }
                return new Resolved(l, channels, -1, -1, descriptions, custom);
            }
            case RESOLVED -> {
                if (resolved.size() != n) {
                    throw new IllegalArgumentException("target resolved for " + resolved.size() + " images, input has "
                            + n);
                }
                return resolved;
            }
            case PREDICTED -> {
                Tensor logits = model.logits(input);
                for (int i = 0; i < n; i++) {
                    channels[i] = logits.slice(i).argMax();
                    descriptions.add(classLabel(labels, channels[i]) + " (predicted)");
                }
                return new Resolved(Network.OUTPUT, channels, -1, -1, descriptions);
            }
            case CLASS_INDEX -> {
                checkClass(model, index, classes);
                Arrays.fill(channels, index);
                for (int i = 0; i < n; i++) {
                    descriptions.add(classLabel(labels, index));
                }
                return new Resolved(Network.OUTPUT, channels, -1, -1, descriptions);
            }
            case CLASSES -> {
                if (perImage.length != n) {
                    throw new IllegalArgumentException(perImage.length + " classes given for " + n + " images");
                }
                for (int i = 0; i < n; i++) {
                    checkClass(model, perImage[i], classes);
                    channels[i] = perImage[i];
                    descriptions.add(classLabel(labels, perImage[i]));
                }
                return new Resolved(Network.OUTPUT, channels, -1, -1, descriptions);
            }
            case CLASS_NAME -> {
                int c = classByName(model, name, labels);
                Arrays.fill(channels, c);
                for (int i = 0; i < n; i++) {
                    descriptions.add(classLabel(labels, c));
                }
                return new Resolved(Network.OUTPUT, channels, -1, -1, descriptions);
            }
            default -> {
                String resolved = checkLayer(model, layer);
                if (index < 0) {
                    throw new IllegalArgumentException("channel must be >= 0, got " + index);
                }
                Arrays.fill(channels, index);
                String d = kind == Kind.UNIT ? layer + ":" + index + "@" + y + "," + x : layer + ":" + index;
                for (int i = 0; i < n; i++) {
                    descriptions.add(d);
                }
                return new Resolved(resolved, channels, y, x, descriptions);
            }
        }
    }

    private static String classLabel(List<String> labels, int c) {
        return (c < labels.size() ? labels.get(c) : "class") + " (" + c + ")";
    }

    private static void checkClass(Model model, int c, int classes) {
        if (c < 0 || c >= classes) {
            throw new IllegalArgumentException("class " + c + " is out of range: " + model.info().name() + " has "
                    + classes + " classes (0.." + (classes - 1) + ")");
        }
    }

    private static int classByName(Model model, String wanted, List<String> labels) {
        String w = wanted.toLowerCase(Locale.ROOT).strip();
        List<Integer> contains = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i).toLowerCase(Locale.ROOT);
            if (l.equals(w)) {
                return i;
            }
            if (l.contains(w)) {
                contains.add(i);
            }
        }
        if (contains.size() == 1) {
            return contains.get(0);
        }
        if (contains.size() > 1) {
            List<String> names = contains.stream().limit(8).map(labels::get).toList();
            throw new IllegalArgumentException("class name '" + wanted + "' is ambiguous in " + model.info().name()
                    + ": " + String.join(", ", names) + (contains.size() > 8 ? " …" : "") + "; be more specific");
        }
        throw new IllegalArgumentException("no class '" + wanted + "' in " + model.info().name() + "; closest: "
                + String.join(", ", Names.closest(wanted, labels, 5)));
    }

    /** The layer's canonical name; unknown names fail with the closest existing ones. */
    static String checkLayer(Model model, String layer) {
        if (model instanceof Network net) {
            return net.resolve(layer);
        }
        if (Network.OUTPUT.equals(layer) || model.layerNames().contains(layer)) {
            return layer;
        }
        throw new IllegalArgumentException("layer '" + layer + "' not found in " + model.info().name()
                + "; closest: " + String.join(", ", Names.closest(layer, model.layerNames(), 5)));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PREDICTED -> "predicted class";
            case CLASS_INDEX -> "class " + index;
            case CLASSES -> "classes " + Arrays.toString(perImage);
            case CLASS_NAME -> "class '" + name + "'";
            case CHANNEL -> layer + ":" + index;
            case UNIT -> layer + ":" + index + "@" + y + "," + x;
            case RESOLVED -> String.join(", ", resolved.descriptions());
            case CUSTOM -> name;
        };
    }

    /**
     * A target fixed for one batch: the layer read and, per image, the class or channel. The score of image i
     * is {@code out[i, channel_i]} for a 2-d output, the spatial mean of that channel for a 4-d output, or
     * {@code out[i, channel_i, y, x]} for a unit; for a function of the layer ({@code custom} not null) it is
     * that function's score, and the channels are -1.
     */
    public record Resolved(String layer, int[] channels, int y, int x, List<String> descriptions, Readout custom)
            implements Readout {

        public Resolved(String layer, int[] channels, int y, int x, List<String> descriptions) {
            this(layer, channels, y, x, descriptions, null);
        }

        /** Whether the score is a function of the layer rather than one class, channel or unit. */
        public boolean isCustom() {
            return custom != null;
        }

        public int size() {
            return channels.length;
        }

        /** The same target for each image repeated {@code times} times in a row (noisy copies, IG steps). */
        public Resolved repeatEach(int times) {
            int[] c = new int[channels.length * times];
            List<String> d = new ArrayList<>();
            for (int i = 0; i < c.length; i++) {
                c[i] = channels[i / times];
                d.add(descriptions.get(i / times));
            }
            return new Resolved(layer, c, y, x, d, custom);
        }

        /** Rows {@code from .. from+count} of this target. */
        public Resolved rows(int from, int count) {
            return new Resolved(layer, Arrays.copyOfRange(channels, from, from + count), y, x,
                    descriptions.subList(from, from + count), custom);
        }

        /** One score per image, {@code [N]}, from the layer's output (native, part of the autograd graph). */
        public NDArray scores(NDArray out) {
            Shape s = out.getShape();
            if (custom != null) {
                return custom.scores(out);
            }
            if (s.get(0) != channels.length) {
                throw new IllegalStateException("target resolved for " + channels.length + " images, output has "
                        + s.get(0));
            }
            long c = s.get(1);
            for (int ch : channels) {
                if (ch >= c) {
                    throw new IllegalArgumentException((Network.OUTPUT.equals(layer) ? "class " : "channel ") + ch
                            + " is out of range: " + layer + " has " + c + (Network.OUTPUT.equals(layer)
                            ? " classes" : " channels") + " (0.." + (c - 1) + ")");
                }
            }
            NDArray perChannel;
            if (s.dimension() == 4) {
                if (y >= 0) {
                    if (y >= s.get(2) || x >= s.get(3)) {
                        throw new IllegalArgumentException("position (" + y + ", " + x + ") is outside " + layer
                                + "'s " + s.get(2) + "x" + s.get(3) + " map");
                    }
                    perChannel = out.get(new NDIndex(":, :, {}, {}", y, x));
                } else {
                    perChannel = out.reshape(s.get(0), c, -1).mean(new int[] {2});
                }
            } else if (s.dimension() == 2) {
                perChannel = out;
            } else {
                perChannel = out.reshape(s.get(0), c, -1).mean(new int[] {2});
            }
            float[] onehot = new float[channels.length * (int) c];
            for (int i = 0; i < channels.length; i++) {
                onehot[i * (int) c + channels[i]] = 1f;
            }
            NDArray mask = out.getManager().create(onehot, new Shape(channels.length, c));
            return perChannel.mul(mask).sum(new int[] {1});
        }

        /** The scalar whose gradient explains every image at once: the sum of the per-image scores. */
        public Scalar scalar() {
            return out -> scores(out).sum();
        }

        /** Per-image scores computed by a forward pass (logits, or the layer's output). */
        public float[] scores(Model model, Tensor input) {
            Tensor out = Network.OUTPUT.equals(layer) ? model.logits(input) : model.run(input, layer).get(layer);
            return scoresOf(out);
        }

        /** Per-image scores from an output already on the heap. */
        public float[] scoresOf(Tensor out) {
            if (custom != null) {
                try (NDManager m = NDManager.newBaseManager()) {
                    return custom.scores(out.toNDArray(m)).toFloatArray();
                }
            }
            int n = (int) out.dim(0);
            float[] v = out.toFloatArray();
            int per = v.length / n;
            long c = out.dim(1);
            int plane = per / (int) c;
            float[] result = new float[n];
            for (int i = 0; i < n; i++) {
                int ch = channels[i];
                if (ch >= c) {
                    throw new IllegalArgumentException("index " + ch + " is out of range: " + layer + " has " + c);
                }
                int base = i * per + ch * plane;
                if (y >= 0 && out.rank() == 4) {
                    result[i] = v[base + y * (int) out.dim(3) + x];
                } else {
                    double sum = 0;
                    for (int k = 0; k < plane; k++) {
                        sum += v[base + k];
                    }
                    result[i] = (float) (sum / plane);
                }
            }
            return result;
        }
    }
}
