package dev.neurolens.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Forward + backward to the input (the cost of a saliency map) at 224 px, batch 1, eval mode: Neurolens on
 * DJL/libtorch against python torch on this machine, at equal thread counts, measured in the same run.
 * Not a test. Run from the repository root after {@code mvn -o test-compile}:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dai.djl.offline=true -cp kernel-ext/target/classes:kernel-ext/target/test-classes:$(cat kernel-ext/target/cp.txt) \
 *     dev.neurolens.model.Benchmark [threads...]
 * </pre>
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int[] threadCounts = args.length == 0 ? new int[] {1, 2} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println(Devices.describe());
        String python = TorchOracle.unavailableReason();
        Path script = null;
        if (python == null) {
            script = Files.createTempFile("torch_bench", ".py");
            try (InputStream in = Benchmark.class.getResourceAsStream("torch_bench.py")) {
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            System.out.println("python peer unavailable: " + python);
        }
        System.out.printf("%-14s %7s %12s %12s %8s%n", "model", "threads", "java ms", "python ms", "ratio");
        for (String arch : new String[] {"squeezenet1_1", "vgg16"}) {
            int iters = arch.equals("vgg16") ? 5 : 20;
            try (Network net = Models.random(arch, 0)) {
                for (int threads : threadCounts) {
                    Devices.setThreads(threads);
                    double java = javaMedian(net, 3, iters);
                    double py = script == null ? Double.NaN : pythonMedian(script, arch, threads, 3, iters);
                    System.out.printf("%-14s %7d %12.1f %12.1f %8.2f%n", arch, threads, java, py, java / py);
                }
            }
        }
        if (script != null) {
            Files.deleteIfExists(script);
        }
    }

    static double javaMedian(Network net, int warmup, int iters) {
        Tensor x = NetworkTest.randomInput(1, 3, 224, 224, 0);
        double[] times = new double[iters];
        for (int i = 0; i < warmup + iters; i++) {
            long t = System.nanoTime();
            net.gradient(x, "output", Scalar.logit(7));
            if (i >= warmup) {
                times[i - warmup] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(times);
        return times[iters / 2];
    }

    static double pythonMedian(Path script, String arch, int threads, int warmup, int iters)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), arch, String.valueOf(threads),
                String.valueOf(warmup), String.valueOf(iters), "224").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("torch_bench.py failed: " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].strip());
    }
}
