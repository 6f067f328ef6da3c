package dev.neurolens.model;

import ai.djl.ndarray.NDManager;
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
            Tensor x = NetworkTest.randomInput(4, 1, 28, 28, 1); // small batch: the test is about leaks, not speed
            Forward hooked = Forward.capture("conv2", "fc1").hook("conv1", LayerHook.zero(1));
            for (int i = 0; i < 100; i++) {
                cycle(net, x, hooked);
            }
            int arrays = net.ownedArrayCount();
            int system = systemArrays(net);
            // RSS is noisy (GC of direct buffers, malloc arenas): sample after a GC every 200 calls and compare
            // the lowest early sample with the lowest late one, so spikes do not count but a trend does
            long[] rss = new long[5];
            for (int k = 0; k < rss.length; k++) {
                for (int i = 0; i < 200; i++) {
                    cycle(net, x, hooked);
                }
                System.gc();
                rss[k] = rssKb();
            }
            int systemAfter = systemArrays(net);
            assertEquals(arrays, net.ownedArrayCount(), "native arrays left in the network's manager");
            long growth = Math.min(rss[3], rss[4]) - Math.min(rss[0], rss[1]);
            System.out.printf("[memory] 1000 x (logits, capture+hook, input gradient, layer gradient) on batch 4: "
                    + "network arrays %d -> %d, system-manager arrays %d -> %d, RSS MB every 200 calls %s%n",
                    arrays, net.ownedArrayCount(), system, systemAfter,
                    java.util.Arrays.toString(java.util.Arrays.stream(rss).map(v -> v >> 10).toArray()));
            // every call moves ~0.4 MB through native memory: a leak would add a few hundred MB between samples
            assertTrue(growth < 64_000, "RSS trend " + growth + " kB over 600 calls");
            assertTrue(systemAfter - system <= 2, "arrays accumulating in DJL's system manager");
        }
    }

    private static void cycle(Network net, Tensor x, Forward hooked) {
        net.logits(x);
        net.run(x, hooked);
        net.gradient(x, "fc2", Scalar.logit(2));
        net.gradient(x, "fc1", Scalar.channelMean(2), "pool2");
    }

    /** Arrays held anywhere under DJL's system manager (the network's parent). */
    static int systemArrays(Network net) {
        try (NDManager scope = net.newScope()) {
            return scope.getParentManager().getParentManager().getManagedArrays().size();
        }
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
