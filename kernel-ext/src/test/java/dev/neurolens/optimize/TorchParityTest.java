package dev.neurolens.optimize;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Losses, Gram matrices, a full style loss with its gradient, and the fast-style network against python torch. */
class TorchParityTest {
    private static JsonObject meta;

    @BeforeAll
    static void oracle() throws Exception {
        String why = OptimizeOracle.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        meta = OptimizeOracle.meta();
    }

    private static double rel(double a, double b) {
        return Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
    }

    @Test
    void lossesAndGramMatchTorch() throws Exception {
        JsonObject l = meta.getAsJsonObject("losses");
        Tensor f = OptimizeOracle.tensor(l.getAsJsonObject("F"));
        Tensor p = OptimizeOracle.tensor(l.getAsJsonObject("P"));
        Tensor a = OptimizeOracle.tensor(l.getAsJsonObject("A"));
        Tensor x = OptimizeOracle.tensor(l.getAsJsonObject("X"));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray fa = f.toNDArray(m);
            Tensor gram = Tensor.from(Losses.gram(fa));
            double gErr = gram.relativeError(OptimizeOracle.tensor(l.getAsJsonObject("gram")));
            double cErr = rel(Losses.content(fa, p.toNDArray(m)).getFloat(), l.get("content").getAsDouble());
            double sErr = rel(Losses.style(fa, a.toNDArray(m)).getFloat(), l.get("style").getAsDouble());
            double tErr = rel(Losses.tv(x.toNDArray(m)).getFloat(), l.get("tv").getAsDouble());
            double l2Err = rel(Losses.l2(x.toNDArray(m)).getFloat(), l.get("l2").getAsDouble());
            System.out.printf("parity: gram %.2e, content %.2e, style %.2e, tv %.2e, l2 %.2e%n", gErr, cErr, sErr,
                    tErr, l2Err);
            assertTrue(gErr < 1e-5, "gram " + gErr);
            assertTrue(cErr < 1e-5, "content " + cErr);
            assertTrue(sErr < 1e-5, "style " + sErr);
            assertTrue(tErr < 1e-5, "tv " + tErr);
            assertTrue(l2Err < 1e-5, "l2 " + l2Err);
        }
    }

    @Test
    void styleTransferLossAndGradientMatchTorch() throws Exception {
        JsonObject s = meta.getAsJsonObject("style");
        try (Network net = Models.load("squeezenet1_1", OptimizeOracle.file("squeezenet.pth"))) {
            List<String> layers = List.of("relu1", "fire3", "fire4", "fire5");
            double[] w = {1.0, 0.5, 0.25, 2.0};
            Tensor content = OptimizeOracle.tensor(s.getAsJsonObject("content"));
            Tensor style = OptimizeOracle.tensor(s.getAsJsonObject("style"));
            Map<String, Tensor> grams = LayerDefaults.grams(net, style, layers);
            Tensor target = LayerDefaults.features(net, content, List.of("fire4")).get("fire4");
            Objective o = Objective.content("fire4", target).times(0.7);
            for (int i = 0; i < layers.size(); i++) {
                o = o.plus(Objective.gram(layers.get(i), grams.get(layers.get(i))).times(w[i] * 30.0));
            }
            o = o.plus(Objective.tv().times(0.05));
            Tensor image = OptimizeOracle.tensor(s.getAsJsonObject("image"));
            float loss;
            Tensor grad;
            try (NDManager m = net.newScope()) {
                NDArray x = image.toNDArray(m);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    Map<String, NDArray> out = net.forward(x, Forward.capture("relu1", "fire3", "fire4", "fire5"));
                    NDArray total = null;
                    for (NDArray t : o.evaluate(new ObjectiveInput(x, out, new ObjectiveInput.Constants(m))).values()) {
                        total = total == null ? t : total.add(t);
                    }
                    loss = total.getFloat();
                    gc.backward(total);
                }
                grad = Tensor.from(x.getGradient());
            }
            double lErr = rel(loss, s.get("loss").getAsDouble());
            double gErr = grad.relativeError(OptimizeOracle.tensor(s.getAsJsonObject("gradient")));
            System.out.printf("parity: style-transfer loss %.2e, gradient %.2e%n", lErr, gErr);
            assertTrue(lErr < 1e-5, "loss " + loss + " vs " + s.get("loss") + ": " + lErr);
            assertTrue(gErr < 1e-4, "gradient " + gErr);
        }
    }

    @Test
    void fastStyleNetworkMatchesTorch() throws Exception {
        Tensor pixels = OptimizeOracle.tensor(meta.getAsJsonObject("fast_input"));
        for (var e : meta.getAsJsonArray("fast")) {
            JsonObject f = e.getAsJsonObject();
            boolean leaky = f.get("leaky").getAsBoolean();
            FastStyleModel model = FastStyleModel.load(OptimizeOracle.file(f.get("pth").getAsString()))
                    .withLeakyRelu(leaky);
            assertEquals(f.get("styles").getAsInt(), model.styles());
            var b = f.getAsJsonArray("blend");
            double[] blend = new double[b.size()];
            for (int i = 0; i < blend.length; i++) {
                blend[i] = b.get(i).getAsDouble();
            }
            Tensor out = model.stylize(pixels, blend);
            double err = out.relativeError(OptimizeOracle.tensor(f.getAsJsonObject("output")));
            System.out.printf("parity: fast style (%d styles%s) %.2e%n", model.styles(), leaky ? ", leaky ReLU" : "",
                    err);
            assertTrue(err < 1e-3, "fast style " + err);
        }
    }

}
