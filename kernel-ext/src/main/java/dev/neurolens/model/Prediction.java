package dev.neurolens.model;

import java.util.List;

/** The top classes for one image, best first. Immutable. */
public record Prediction(List<Entry> top) {

    public record Entry(int index, String label, float probability) {
        @Override
        public String toString() {
            return String.format("%s (%d) %.1f%%", label, index, probability * 100);
        }
    }

    public Prediction {
        top = List.copyOf(top);
    }

    public Entry best() {
        return top.get(0);
    }

    /** Softmax over the logits, keeping the {@code k} most probable classes. */
    public static Prediction fromLogits(float[] logits, List<String> labels, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        List<Entry> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int idx = order[i];
            String label = idx < labels.size() ? labels.get(idx) : "class " + idx;
            out.add(new Entry(idx, label, (float) (p[idx] / sum)));
        }
        return new Prediction(out);
    }

    @Override
    public String toString() {
        return "Prediction" + top;
    }
}
