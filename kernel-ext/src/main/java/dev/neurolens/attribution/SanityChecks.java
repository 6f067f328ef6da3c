package dev.neurolens.attribution;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Adam;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Sanity checks for saliency maps (Adebayo et al. 2018). A map that explains the model must change when the
 * model does. Cascading model-parameter randomization re-initializes the layers from the top (logits) down,
 * one more at a time, and compares each method's map with the map of the trained model; label randomization
 * compares with a model trained on shuffled labels. Similarity near 1 all the way down means the method shows
 * the input (an edge detector), not the model. Reports show the numbers and plot them.
 */
public final class SanityChecks {
    private SanityChecks() {
    }

    /**
     * Cascading randomization of {@code net}'s parameter-owning layers, top first. The target is fixed on the
     * trained model (its predicted class, when asked for "predicted") so every step explains the same class.
     */
    public static SanityReport cascading(Network net, Tensor input, Target target, AttributionMethod... methods) {
        return cascading(net, input, target, 0, methods);
    }

    public static SanityReport cascading(Network net, Tensor input, Target target, long seed,
                                         AttributionMethod... methods) {
        Tensor x = Support.prepare(net, input);
        Target fixed = fix(net, x, target);
        List<String> layers = parameterLayers(net);
        List<String> steps = new ArrayList<>();
        steps.add("trained");
        List<List<Attribution>> maps = new ArrayList<>();
        for (AttributionMethod m : methods) {
            List<Attribution> row = new ArrayList<>();
            row.add(m.attribute(net, x, fixed));
            maps.add(row);
        }
        Random random = new Random(seed);
        Map<String, Tensor> replaced = new LinkedHashMap<>();
        for (int k = layers.size() - 1; k >= 0; k--) {
            String layer = layers.get(k);
            for (var e : net.parameters().entrySet()) {
                if (layerOf(e.getKey()).equals(layer)) {
                    replaced.put(e.getKey(), reinitialized(e.getKey(), e.getValue().getShape().getShape(), random));
                }
            }
            steps.add(layer);
            try (Network randomized = net.withParameters(replaced, "randomized down to " + layer)) {
                for (int m = 0; m < methods.length; m++) {
                    maps.get(m).add(methods[m].attribute(randomized, x, fixed));
                }
            }
        }
        return SanityReport.of("Cascading randomization of " + net.name() + " (top layer first)",
                "layers randomized, from the top (0 = trained)", steps, methods,
                maps);
    }

    /**
     * Maps of a trained model next to those of the same architecture trained on shuffled labels
     * (see {@link #trainOnShuffledLabels}).
     */
    public static SanityReport labelRandomization(Network trained, Network shuffledLabels, Tensor input, Target target,
                                                  AttributionMethod... methods) {
        Tensor x = Support.prepare(trained, input);
        Target fixed = fix(trained, x, target);
        List<List<Attribution>> maps = new ArrayList<>();
        for (AttributionMethod m : methods) {
            maps.add(List.of(m.attribute(trained, x, fixed), m.attribute(shuffledLabels, x, fixed)));
        }
        return SanityReport.of("Label randomization: " + trained.name() + " vs. trained on shuffled labels",
                "0 = trained, 1 = trained on shuffled labels", List.of("trained", "shuffled labels"), methods, maps);
    }

    /**
     * A fresh fashion_cnn trained with Adam for {@code steps} batches of 128 on Fashion-MNIST images whose labels
     * are a fixed random permutation: the same architecture and data, no label information.
     */
    public static Network trainOnShuffledLabels(FashionMnist data, int steps, long seed) {
        Random random = new Random(seed);
        int[] shuffled = new int[data.size()];
        for (int i = 0; i < shuffled.length; i++) {
            shuffled[i] = data.label(i);
        }
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        Network net = Architecture.of("fashion_cnn").randomInit(seed);
        float mean = net.info().mean()[0];
        float std = net.info().std()[0];
        int batch = 128;
        int plane = FashionMnist.SIZE * FashionMnist.SIZE;
        try (NDManager state = net.newScope()) {
            Adam adam = new Adam(state, 1e-3);
            for (var e : net.parameters().entrySet()) {
                e.getValue().setRequiresGradient(true);
            }
            for (int step = 1; step <= steps; step++) {
                try (NDManager scope = net.newScope()) {
                    float[] v = new float[batch * plane];
                    int[] labels = new int[batch];
                    for (int i = 0; i < batch; i++) {
                        int k = random.nextInt(data.size());
                        float[] px = data.pixels(k);
                        for (int p = 0; p < plane; p++) {
                            v[i * plane + p] = (px[p] - mean) / std;
                        }
                        labels[i] = shuffled[k];
                    }
                    NDArray xb = Tensor.of(v, batch, 1, FashionMnist.SIZE, FashionMnist.SIZE).toNDArray(scope);
                    NDArray y = scope.create(labels).oneHot(10).toType(DataType.FLOAT32, false);
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray logits = net.forward(xb, Forward.plain().training(true)).get(Network.OUTPUT);
                        gc.backward(logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean());
                    }
                    adam.step(net.parameters(), scope);
                }
            }
            for (NDArray p : net.parameters().values()) {
                p.setRequiresGradient(false);
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }



    /** Pins "predicted" to the trained model's classes so randomized models explain the same thing. */
    private static Target fix(Network net, Tensor x, Target target) {
        Target.Resolved r = target.resolve(net, x);
        return r.layer().equals(Network.OUTPUT) && !r.isCustom() ? Target.classIndices(r.channels()) : target;
    }

    /** Layers that own weights, in the order their parameters appear (evaluation order). */
    static List<String> parameterLayers(Network net) {
        List<String> layers = new ArrayList<>();
        for (String key : net.parameters().keySet()) {
            String l = layerOf(key);
            if (!layers.contains(l)) {
                layers.add(l);
            }
        }
        return layers;
    }

    private static String layerOf(String key) {
        return key.substring(0, key.lastIndexOf('.'));
    }

    /** He-normal weights, zero biases, identity batch norm: the network's own random initialization. */
    private static Tensor reinitialized(String key, long[] shape, Random random) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        if (key.endsWith(".weight") && shape.length > 1) {
            double std = Math.sqrt(2.0 / (n / shape[0]));
            for (int i = 0; i < n; i++) {
                v[i] = (float) (random.nextGaussian() * std);
            }
        } else if (key.endsWith(".running_var") || key.endsWith(".weight")) {
            java.util.Arrays.fill(v, 1f);
        }
        return Tensor.of(v, shape);
    }
}
