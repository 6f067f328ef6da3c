package dev.neurolens.model.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Guards against libtorch's bundled oneDNN computing convolutions wrongly on this CPU (see
 * {@link ConvolutionCheck}): reproduces the fault directly with oneDNN on, proves the start-up check notices it,
 * and that convolutions are exact once the check has run. The oracle is the convolution written as matrix
 * products over kernel taps.
 */
class ConvolutionCheckTest {
    /** A wider sweep than the start-up probes: channel counts around oneDNN's blocks, kernels 2-4, strides. */
    private static List<ConvolutionCheck.Probe> sweep() {
        List<ConvolutionCheck.Probe> all = new ArrayList<>();
        for (int in : new int[] {1, 3, 16, 17, 48}) {
            for (int out : new int[] {1, 3, 8, 24, 64}) {
                for (int k : new int[] {2, 3, 4}) {
                    for (int stride : new int[] {1, 2}) {
                        all.add(new ConvolutionCheck.Probe(stride == 1 ? 3 : 1, in, out, k, stride, k / 2));
                    }
                }
            }
        }
        return all;
    }

    private static List<String> wrongShapes() {
        List<String> wrong = new ArrayList<>();
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            for (ConvolutionCheck.Probe p : sweep()) {
                try (NDManager s = m.newSubManager()) {
                    double err = ConvolutionCheck.probeError(s, engine, p);
                    if (!(err < 1e-4)) {
                        wrong.add(p + " error " + (float) err);
                    }
                }
            }
        }
        return wrong;
    }

    @Test
    void theOracleAgreesWithConvolutionsThatAreRight() {
        // 1x1 convolutions never went wrong; they pin the oracle's indexing independently of oneDNN
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            double err = ConvolutionCheck.probeError(m, Engine.getEngine("PyTorch"),
                    new ConvolutionCheck.Probe(2, 5, 7, 1, 1, 0));
            assertTrue(err < 1e-5, "oracle vs 1x1 convolution: " + err);
        }
    }

    @Test
    void theStartUpCheckCatchesEveryOneDnnFaultOfTheSweep() {
        ConvolutionCheck.State state = ConvolutionCheck.ensureChecked();
        if (state == ConvolutionCheck.State.FORCED) {
            return;
        }
        try {
            assertTrue(ConvolutionCheck.setOneDnn(true), "could not switch libtorch's oneDNN on");
            List<String> raw = wrongShapes();
            int probes = ConvolutionCheck.wrongProbes();
            System.out.println("oneDNN on this CPU: " + raw.size() + " of " + sweep().size()
                    + " sweep convolutions wrong, " + probes + " of " + ConvolutionCheck.PROBES.size()
                    + " start-up probes wrong; check state " + state);
            if (!raw.isEmpty()) {
                assertNotEquals(0, probes, "libtorch's oneDNN computes these convolutions wrongly on this CPU, but"
                        + " the start-up probes did not notice; add one of them to ConvolutionCheck.PROBES: " + raw);
                assertEquals(ConvolutionCheck.State.REPAIRED, state);
            } else {
                assertEquals(0, probes);
                assertEquals(ConvolutionCheck.State.HEALTHY, state);
            }
        } finally {
            ConvolutionCheck.setOneDnn(state != ConvolutionCheck.State.REPAIRED);
        }
    }

    @Test
    void convolutionsAreExactOnceTheCheckHasRun() {
        ConvolutionCheck.State state = ConvolutionCheck.ensureChecked();
        List<String> wrong = wrongShapes();
        assertTrue(wrong.isEmpty(), "libtorch's convolutions are wrong on this CPU after the start-up check ("
                + state + ": " + ConvolutionCheck.describe() + "); oneDNN is the usual cause, try"
                + " ONEDNN_MAX_CPU_ISA=SSE41: " + wrong);
    }
}
