package dev.neurolens.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same torchvision weights (random init, fixed seed, written by python) and the same inputs give the
 * same logits, intermediate outputs and input gradients in Java as in python torch, within 1e-4 relative
 * (max abs difference / max abs value of the python tensor).
 */
class TorchParityTest {
    static final double TOLERANCE = 1e-4;
    static final String[] SPECS = {"squeezenet1_1", "alexnet", "vgg16", "vgg19", "resnet18", "squeezenet1_1@224"};
    static Path dir;

    @BeforeAll
    static void generate() throws Exception {
        String why = TorchOracle.unavailableReason();
        assumeTrue(why == null, () -> "skipping python-torch parity: " + why);
        dir = TorchOracle.run(SPECS);
    }

    @AfterAll
    static void cleanup() {
        if (dir != null) {
            TorchOracle.deleteQuietly(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet1_1_64", "alexnet_64", "vgg16_64", "vgg19_64", "resnet18_64", "squeezenet1_1_224"})
    void matchesPythonTorch(String tag) throws Exception {
        JsonObject meta = TorchOracle.meta(dir, tag);
        Tensor input = TorchOracle.tensor(dir, meta.getAsJsonObject("input"));
        List<String> report = new ArrayList<>();
        double worstOut = 0;
        double worstGrad = 0;
        try (Network net = Architecture.of(meta.get("arch").getAsString()).load(dir.resolve(meta.get("pth").getAsString()))) {
            JsonObject outputs = meta.getAsJsonObject("outputs");
            List<String> layers = new ArrayList<>(outputs.keySet());
            Activations acts = net.run(input, Forward.capture(layers.toArray(String[]::new)).toOutput());
            for (String layer : layers) {
                Tensor expected = TorchOracle.tensor(dir, outputs.getAsJsonObject(layer));
                double err = acts.get(layer).relativeError(expected);
                worstOut = Math.max(worstOut, err);
                report.add(layer + "=" + String.format("%.1e", err));
                assertTrue(err < TOLERANCE, tag + " " + layer + " differs from torch by " + err);
            }
            for (JsonElement g : meta.getAsJsonArray("gradients")) {
                JsonObject o = g.getAsJsonObject();
                String layer = o.get("layer").getAsString();
                int channel = o.get("channel").getAsInt();
                Gradient grad = net.gradient(input, layer, Scalar.channelMean(channel));
                Tensor expected = TorchOracle.tensor(dir, o);
                double err = grad.gradient().relativeError(expected);
                worstGrad = Math.max(worstGrad, err);
                report.add("d(" + layer + "[" + channel + "])/dx=" + String.format("%.1e", err));
                assertTrue(err < TOLERANCE, tag + " gradient of " + layer + " differs from torch by " + err);
                double v = o.get("value").getAsDouble();
                assertEquals(v, grad.value(), Math.abs(v) * TOLERANCE + 1e-6, "scalar value");
            }
        }
        System.out.printf("[parity] %s max rel err: outputs %.2e, input gradients %.2e  (%s)%n", tag, worstOut,
                worstGrad, String.join(" ", report));
    }
}
