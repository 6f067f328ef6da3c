package dev.neurolens.attribution;

import com.google.gson.JsonObject;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Gradient saliency, Grad-CAM (layer map and upsampled) and guided backprop (for a class and for a channel of
 * an inner layer) equal python torch on the same weights and inputs within 1e-4 relative (max abs difference
 * over max abs value of torch's tensor). torch's guided ReLU is a custom autograd Function in torch_oracle.py.
 */
class AttributionParityTest {
    static final double TOLERANCE = 1e-4;
    static Path dir;

    @BeforeAll
    static void generate() throws Exception {
        String why = TorchOracle.unavailableReason();
        assumeTrue(why == null, () -> "skipping python-torch parity: " + why);
        dir = TorchOracle.run("attr:squeezenet1_1@64", "attr:resnet18@64");
    }

    @AfterAll
    static void cleanup() {
        if (dir != null) {
            TorchOracle.deleteQuietly(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"attr_squeezenet1_1_64", "attr_resnet18_64"})
    void matchesPythonTorch(String tag) throws Exception {
        JsonObject meta = TorchOracle.meta(dir, tag);
        Tensor x = TorchOracle.tensor(dir, meta.getAsJsonObject("input"));
        int cls = meta.get("cls").getAsInt();
        String camLayer = meta.get("cam_layer").getAsString();
        List<String> report = new ArrayList<>();
        try (Network net = Architecture.of(meta.get("arch").getAsString()).load(dir.resolve(meta.get("pth").getAsString()))) {
            Target seven = Target.classIndex(cls);
            check(report, "saliency", GradientSaliency.create().attribute(net, x, seven).maps(), expected(meta, "saliency"));

            Attribution cam = GradCam.at(camLayer).attribute(net, x, seven);
            check(report, "cam", cam.details(GradCam.Details.class).layerMap(), expected(meta, "cam"));
            check(report, "cam_up", cam.maps(), expected(meta, "cam_up"));

            Attribution camPred = GradCam.at(camLayer).attribute(net, x, Target.predicted());
            int[] predicted = new int[2];
            for (int i = 0; i < 2; i++) {
                predicted[i] = meta.getAsJsonArray("predicted").get(i).getAsInt();
            }
            for (int i = 0; i < 2; i++) {
                assertTrue(camPred.target(i).contains("(" + predicted[i] + ")"), camPred.target(i));
            }
            check(report, "cam_pred", camPred.details(GradCam.Details.class).layerMap(), expected(meta, "cam_pred"));

            check(report, "guided", GuidedBackprop.create().attribute(net, x, seven).perChannel(), expected(meta, "guided"));
            Target unit = Target.channel(meta.get("unit_layer").getAsString(), meta.get("unit_channel").getAsInt());
            check(report, "guided_unit", GuidedBackprop.create().attribute(net, x, unit).perChannel(),
                    expected(meta, "guided_unit"));
        }
        System.out.printf("[attribution parity] %s %s%n", tag, String.join(" ", report));
    }

    private static Tensor expected(JsonObject meta, String key) throws Exception {
        return TorchOracle.tensor(dir, meta.getAsJsonObject(key));
    }

    private static void check(List<String> report, String what, Tensor actual, Tensor expected) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertTrue(expected.max() > 0, what + ": torch's reference is all zero, the check would be vacuous");
        double err = actual.relativeError(expected);
        report.add(what + "=" + String.format("%.1e", err));
        assertTrue(err < TOLERANCE, what + " differs from torch by " + err);
    }
}
