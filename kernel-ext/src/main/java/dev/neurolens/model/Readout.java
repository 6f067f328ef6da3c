package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

import java.util.function.UnaryOperator;

/**
 * What to read from a network: one score per image at one layer — a class's logit, a channel's spatial mean, one
 * unit, or any function of the layer's output. Attribution explains a readout ({@code Target.of}), optimization
 * maximizes one ({@code Objective.maximize}), and a gradient is taken of its batch sum ({@link #sum()}). The text
 * form is the same everywhere: {@code "7"} (class 7), {@code "fire6:12"} (a channel), {@code "fire6:12@3,4"} (a
 * unit). Immutable.
 */
public interface Readout {

    /** The layer read ({@link Network#OUTPUT} for class scores). */
    String layer();

    /** One score per image, {@code [N]}, from the layer's output (native, part of the autograd graph). */
    NDArray scores(NDArray out);

    /** The batch mean of the scores: what an optimization maximizes. */
    default NDArray mean(NDArray out) {
        return scores(out).mean();
    }

    /** The batch sum of the scores, whose gradient explains every image at once. */
    default Scalar sum() {
        return out -> scores(out).sum();
    }

    /** A class's logit (pre-softmax score). */
    static Readout logit(int classIndex) {
        requireIndex(classIndex, "class");
        return new Standard(Network.OUTPUT, classIndex, -1, -1, "class " + classIndex);
    }

    /** The spatial mean of one channel of a layer (one unit of a 2-d layer such as a linear layer). */
    static Readout channel(String layer, int channel) {
        requireIndex(channel, "channel");
        return new Standard(layer, channel, -1, -1, layer + ":" + channel);
    }

    /** One unit: channel {@code channel} at position (y, x) of the layer's map. */
    static Readout unit(String layer, int channel, int y, int x) {
        requireIndex(channel, "channel");
        if (y < 0 || x < 0) {
            throw new IllegalArgumentException("a unit's position must be >= 0, got (" + y + ", " + x + ")");
        }
        return new Standard(layer, channel, y, x, layer + ":" + channel + "@" + y + "," + x);
    }

    /** One unit at the centre of the channel's map, whatever its size (a neuron, as Lucid calls it). */
    static Readout centre(String layer, int channel) {
        requireIndex(channel, "channel");
        return new Standard(layer, channel, Standard.CENTRE, Standard.CENTRE, layer + ":" + channel + "@centre");
    }

    /** Any score: {@code perImage} maps the layer's output to {@code [N]}; {@code name} labels it in figures. */
    static Readout of(String layer, String name, UnaryOperator<NDArray> perImage) {
        return new Readout() {
            public String layer() {
                return layer;
            }

            public NDArray scores(NDArray out) {
                return perImage.apply(out);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * From text: {@code "7"} (class 7), {@code "fire6:12"} (a channel), {@code "fire6:12@3,4"} (a unit). Class
     * names need the model's labels, so they are read by {@code Target.parse}.
     */
    static Readout parse(String text) {
        String t = text.strip();
        if (t.matches("\\d+")) {
            return logit(Integer.parseInt(t));
        }
        int colon = t.lastIndexOf(':');
        if (colon > 0 && t.substring(colon + 1).matches("\\d+(@\\d+,\\d+)?")) {
            String l = t.substring(0, colon);
            String rest = t.substring(colon + 1);
            int at = rest.indexOf('@');
            if (at < 0) {
                return channel(l, Integer.parseInt(rest));
            }
            String[] yx = rest.substring(at + 1).split(",");
            return unit(l, Integer.parseInt(rest.substring(0, at)), Integer.parseInt(yx[0]), Integer.parseInt(yx[1]));
        }
        throw new IllegalArgumentException("'" + t + "' is not a readout: write a class index (7), layer:channel"
                + " (fire6:12) or layer:channel@y,x (fire6:12@3,4)");
    }

    private static void requireIndex(int i, String what) {
        if (i < 0) {
            throw new IllegalArgumentException(what + " " + i + " is negative: " + (what.equals("class") ? "classes"
                    : "channels") + " count from 0");
        }
    }

    /** Class, channel and unit readouts, the kinds every technique knows. */
    final class Standard implements Readout {
        static final int CENTRE = -2;
        private final String layer;
        private final int channel;
        private final int y;
        private final int x;
        private final String name;

        private Standard(String layer, int channel, int y, int x, String name) {
            this.layer = layer;
            this.channel = channel;
            this.y = y;
            this.x = x;
            this.name = name;
        }

        public String layer() {
            return layer;
        }

        public int channel() {
            return channel;
        }

        /** The unit's row, or -1 for a whole channel. */
        public int y() {
            return y;
        }

        /** The unit's column, or -1 for a whole channel. */
        public int x() {
            return x;
        }

        public NDArray scores(NDArray out) {
            check(out);
            long n = out.getShape().get(0);
            return select(out).reshape(n, -1).mean(new int[] {1});
        }

        @Override
        public NDArray mean(NDArray out) {
            check(out);
            return select(out).mean();
        }

        private NDArray select(NDArray out) {
            if (y == -1 || out.getShape().dimension() != 4) {
                return out.get(new NDIndex(":, {}", channel));
            }
            long py = y == CENTRE ? out.getShape().get(2) / 2 : y;
            long px = x == CENTRE ? out.getShape().get(3) / 2 : x;
            return out.get(new NDIndex(":, {}, {}, {}", channel, py, px));
        }

        private void check(NDArray out) {
            long c = out.getShape().get(1);
            boolean classes = Network.OUTPUT.equals(layer);
            String what = classes ? "class" : "channel";
            if (channel >= c) {
                throw new IllegalArgumentException(what + " " + channel + " out of range: " + (classes ? "the logits"
                        : layer) + " has " + c + (classes ? " classes" : " channels") + " (0 … " + (c - 1) + ")");
            }
            if (y >= 0 && out.getShape().dimension() == 4 && (y >= out.getShape().get(2)
                    || x >= out.getShape().get(3))) {
                throw new IllegalArgumentException("position (" + y + ", " + x + ") is outside " + layer + "'s "
                        + out.getShape().get(2) + "x" + out.getShape().get(3) + " map");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Standard s && s.layer.equals(layer) && s.channel == channel && s.y == y && s.x == x;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(layer, channel, y, x);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
