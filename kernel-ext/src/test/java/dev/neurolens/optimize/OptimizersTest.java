package dev.neurolens.optimize;

import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every optimizer lowers a style-plus-content loss over 10 steps (random squeezenet, 48 px), by a clear margin, and
 * the same seed gives the same start.
 */
class OptimizersTest {
    private static Network net;
    private static Objective objective;

    @BeforeAll
    static void setUp() {
        net = Models.random("squeezenet1_1", 0);
        Tensor style = random(new Random(1), 1, 3, 56, 56);
        Tensor content = random(new Random(2), 1, 3, 48, 48);
        Map<String, Tensor> grams = LayerDefaults.grams(net, style, List.of("relu1", "fire3"));
        objective = StyleTransfer.styleObjective(grams, null)
                .plus(StyleTransfer.contentObjective(LayerDefaults.features(net, content, List.of("fire3"))))
                .plus(Objective.tv().times(0.01));
    }

    /**
     * Render ends early when its thread is interrupted, and Thread.interrupted() clears the flag: an interrupt left
     * on this (shared) test thread by an earlier test class ended the first render here, Adam's, at step 0, and only
     * that one. Start every case with a clean flag.
     */
    @BeforeEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @AfterAll
    static void tearDown() {
        net.close();
    }

    static Tensor random(Random r, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(Arguments.of(Optimizer.adam(0.05)), Arguments.of(Optimizer.lbfgs(0.5, 10)),
                Arguments.of(Optimizer.sgd(50)), Arguments.of(Optimizer.normalized(0.02)));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void lossDecreasesOverTenSteps(Optimizer optimizer) {
        RenderResult r = render(optimizer);
        double[] loss = r.totalLoss();
        String curve = optimizer.describe() + " (" + r.note() + "): " + java.util.Arrays.toString(loss);
        assertEquals(10, loss.length, curve);
        assertNull(r.note(), curve);
        for (double l : loss) {
            assertTrue(Double.isFinite(l), curve);
        }
        // every optimizer here goes below 0.7 of the start (Adam: 0.97 -> 0.27); 0.9 leaves room, yet fails a no-op
        assertTrue(loss[9] < 0.9 * loss[0], curve);
        // the seed fixes the start (same first loss, bit for bit); the trajectory is not asserted: multi-threaded
        // CPU kernels may sum in another order under load, and a pixel at the clipping bound amplifies that
        assertEquals(loss[0], render(optimizer).totalLoss()[0], 0.0, "same seed, same start: " + curve);
    }

    private static RenderResult render(Optimizer optimizer) {
        return Render.builder(net).objective(objective).parameterization(Parameterization.pixels(0.5)).seed(0)
                .size(48, 48).optimizer(optimizer).steps(10).live(false).run();
    }
}
