package dev.neurolens.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A scripted user model (with batch norm and dropout) against python: logits, activations, gradients. */
class TorchScriptModelTest {
    static Path dir;

    @BeforeAll
    static void generate() throws Exception {
        String why = TorchOracle.unavailableReason();
        assumeTrue(why == null, () -> "skipping TorchScript parity: " + why);
        dir = TorchOracle.run("--script");
    }

    @AfterAll
    static void cleanup() {
        if (dir != null) {
            TorchOracle.deleteQuietly(dir);
        }
    }

    @Test
    void matchesPython() throws Exception {
        JsonObject meta = TorchOracle.meta(dir, "user");
        Tensor x = TorchOracle.tensor(dir, meta.getAsJsonObject("input"));
        ModelInfo info = new ModelInfo("user", 3, 16, 16, new float[] {0, 0, 0}, new float[] {1, 1, 1},
                List.of("a", "b", "c", "d", "e"));
        try (TorchScriptModel m = Models.torchScript(dir.resolve("user.pt"), info)) {
            assertTrue(m.methods().contains("activations"), m.methods().toString());
            assertEquals(List.of("conv1", "conv2"), m.layerNames());
            Activations acts = m.run(x, "output", "conv1", "conv2");
            double worst = 0;
            for (String k : List.of("output", "conv1", "conv2")) {
                double err = acts.get(k).relativeError(TorchOracle.tensor(dir, meta.getAsJsonObject("outputs").getAsJsonObject(k)));
                worst = Math.max(worst, err);
                assertTrue(err < 1e-4, k + " differs by " + err);
            }
            for (JsonElement g : meta.getAsJsonArray("gradients")) {
                JsonObject o = g.getAsJsonObject();
                Gradient grad = m.gradient(x, o.get("layer").getAsString(), Scalar.channelMean(o.get("channel").getAsInt()));
                double err = grad.gradient().relativeError(TorchOracle.tensor(dir, o));
                worst = Math.max(worst, err);
                assertTrue(err < 1e-4, "gradient at " + o.get("layer") + " differs by " + err);
            }
            // eval mode held: the same input twice gives the same logits (dropout off, running stats untouched)
            assertEquals(m.logits(x), m.logits(x));
            System.out.printf("[parity] torchscript user model max rel err %.2e%n", worst);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.run(x, "conv3"));
            assertTrue(e.getMessage().contains("conv2"), e.getMessage());
        }
    }
}
