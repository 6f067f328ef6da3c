package dev.neurolens.model;

import java.util.List;

/**
 * What a network expects and produces: input channels and size, the preprocessing it was trained with,
 * and the names of its output classes (index = logit position).
 */
public record ModelInfo(String name, int channels, int resize, int crop, float[] mean, float[] std,
                        List<String> labels) {

    public ModelInfo {
        mean = mean.clone();
        std = std.clone();
        labels = List.copyOf(labels);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    public Preprocessing preprocessing() {
        return new Preprocessing(channels, resize, crop, mean, std);
    }

    public int numClasses() {
        return labels.size();
    }
}
