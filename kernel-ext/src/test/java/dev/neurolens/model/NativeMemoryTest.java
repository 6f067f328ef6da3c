package dev.neurolens.model;

import ai.djl.pytorch.engine.PtNDManager;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1000 calls of each kind leave no native arrays behind (counted in the network's and DJL's system
 * managers) and no native-memory trend (RSS minus the JVM heap's own growth).
 */
class NativeMemoryTest {

    @Test
    void noGrowthOverAThousandCalls() throws IOException {
        try (Network net = Models.random("fashion_cnn", 3)) {
            Tensor x = NetworkTest.randomInput(16, 1, 28, 28, 1);
            Forward hooked = Forward.capture("conv2", "fc1").hook("conv1", LayerHook.zero(1));
            for (int i = 0; i < 100; i++) {
                cycle(net, x, hooked);
            }
            int arrays = net.ownedArrayCount();
            int system = PtNDManager.getSystemManager().getManagedArrays().size();
            long rssBefore = rssKb();
            long heapBefore = Runtime.getRuntime().totalMemory() >> 10;
            for (int i = 0; i < 1000; i++) {
                cycle(net, x, hooked);
            }
            long rssAfter = rssKb();
            long heapAfter = Runtime.getRuntime().totalMemory() >> 10;
            int systemAfter = PtNDManager.getSystemManager().getManagedArrays().size();
            assertEquals(arrays, net.ownedArrayCount(), "native arrays left in the network's manager");
            long nativeGrowth = (rssAfter - rssBefore) - Math.max(0, heapAfter - heapBefore);
            System.out.printf("[memory] 1000 x (logits, capture+hook, input gradient, layer gradient) on batch 16: "
                    + "network arrays %d -> %d, system-manager arrays %d -> %d, RSS %d -> %d MB, heap committed "
                    + "%d -> %d MB%n", arrays, net.ownedArrayCount(), system, systemAfter, rssBefore >> 10,
                    rssAfter >> 10, heapBefore >> 10, heapAfter >> 10);
            // every call moves ~1.5 MB of activations through native memory: a leak would add gigabytes
            assertTrue(nativeGrowth < 64_000, "native memory grew by " + nativeGrowth + " kB");
            assertTrue(systemAfter - system <= 2, "arrays accumulating in DJL's system manager");
        }
    }

    private static void cycle(Network net, Tensor x, Forward hooked) {
        net.logits(x);
        net.run(x, hooked);
        net.gradient(x, "fc2", Scalar.logit(2));
        net.gradient(x, "fc1", Scalar.channelMean(2), "pool2");
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }
}
