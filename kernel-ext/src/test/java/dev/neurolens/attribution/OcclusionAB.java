package dev.neurolens.attribution;

import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** Scratch A/B: one pass per patch vs incremental, wall and process CPU time, interleaved rounds. */
public final class OcclusionAB {
    public static void main(String[] args) {
        String arch = args[0];
        int patch = Integer.parseInt(args[1]);
        int stride = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        boolean single = args.length <= 5 || !args[5].equals("noref");
        Devices.setThreads(threads);
        Tensor x = AttributionBenchmark.randomInput();
        Target t = Target.classIndex(7);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Network net = Models.random(arch, 0)) {
            Occlusion inc = Occlusion.builder().patch(patch).stride(stride).build();
            Occlusion one = Occlusion.builder().patch(patch).stride(stride).incremental(false).batchSize(1).build();
            System.out.println("passes " + inc.attribute(net, x, t).detail("forward passes"));
            if (single) {
                one.attribute(net, x, t);
            }
            double[][] r = new double[4][rounds];
            for (int i = 0; i < rounds; i++) {
                long w = System.nanoTime();
                long c = os.getProcessCpuTime();
                if (single) {
                    one.attribute(net, x, t);
                } else {
                    System.setProperty(args[6], args[7]);
                    inc.attribute(net, x, t);
                    System.setProperty(args[6], args[8]);
                }
                r[0][i] = (System.nanoTime() - w) / 1e6;
                r[1][i] = (os.getProcessCpuTime() - c) / 1e6;
                w = System.nanoTime();
                c = os.getProcessCpuTime();
                inc.attribute(net, x, t);
                r[2][i] = (System.nanoTime() - w) / 1e6;
                r[3][i] = (os.getProcessCpuTime() - c) / 1e6;
                System.out.printf("round %d: one-per-patch %.0f ms (cpu %.0f), incremental %.0f ms (cpu %.0f): wall x%.2f cpu x%.2f%n",
                        i, r[0][i], r[1][i], r[2][i], r[3][i], r[0][i] / r[2][i], r[1][i] / r[3][i]);
            }
            for (double[] a : r) {
                Arrays.sort(a);
            }
            System.out.printf("%s p%d s%d: min A %.0f (cpu %.0f) B %.0f (cpu %.0f): wall x%.2f cpu x%.2f%n", arch,
                    patch, stride, r[0][0], r[1][0], r[2][0], r[3][0], r[0][0] / r[2][0], r[1][0] / r[3][0]);
            System.out.printf("%s p%d s%d: median one %.0f (cpu %.0f) inc %.0f (cpu %.0f): wall x%.2f cpu x%.2f%n", arch,
                    patch, stride, r[0][rounds / 2], r[1][rounds / 2], r[2][rounds / 2], r[3][rounds / 2],
                    r[0][rounds / 2] / r[2][rounds / 2], r[1][rounds / 2] / r[3][rounds / 2]);
        }
    }
}
