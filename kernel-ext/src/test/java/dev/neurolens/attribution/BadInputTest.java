package dev.neurolens.attribution;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Scalar;
import dev.neurolens.model.Tensor;

/** Bad inputs on the API path: each is one IllegalArgumentException saying what was wrong, never a NaN map. */
class BadInputTest {
    private static void expect(String what, Supplier<Object> call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get, what);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), what + ": " + e.getMessage());
        }
    }

    @Test
    void nanAndNullInputsAreRefused() {
        try (Network net = Models.defaultModel()) {
            float[] data = new float[28 * 28];
            data[100] = Float.NaN;
            Tensor nan = Tensor.of(data, 1, 1, 28, 28);
            data = data.clone();
            data[100] = Float.POSITIVE_INFINITY;
            Tensor inf = Tensor.of(data, 1, 1, 28, 28);
            expect("logits of NaN", () -> net.logits(nan), "NaN", "flat index 100");
            expect("activations of infinity", () -> net.run(inf, "relu1"), "Infinity");
            expect("gradient of NaN", () -> net.gradient(nan, "output", Scalar.logit(0)), "NaN");
            for (String name : Attributions.names()) {
                expect(name + " of NaN", () -> Attributions.method(name).attribute(net, nan, Target.classIndex(1)),
                        "the input to attribute", "NaN");
            }
            List<BufferedImage> noPicture = new ArrayList<>();
            noPicture.add(null);
            expect("a picture ImageIO could not read", () -> net.preprocessing().toTensor(noPicture), "null",
                    "Pictures.read");
        }
    }
}
