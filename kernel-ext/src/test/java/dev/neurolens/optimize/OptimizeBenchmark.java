package dev.neurolens.optimize;

import dev.neurolens.model.Devices;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One style-transfer iteration (forward to the deepest layer used, content + Gram style + tv losses, backward,
 * Adam, clipping) at 192 and 512 px with SqueezeNet and VGG16, and fast-style inference at 512 px: Neurolens
 * against python torch doing the same (optimize_bench.py), same thread count, measured in the same run. Not a
 * test. From the repository root after {@code mvn -o test-compile}:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dai.djl.offline=true -cp kernel-ext/target/classes:kernel-ext/target/test-classes:$(cat kernel-ext/target/cp.txt) \
 *     dev.neurolens.optimize.OptimizeBenchmark [threads] [all|style|fast]
 * </pre>
 *
 * The fast-style line alternates Java and python three times (machines shared with other work drift) and prints
 * each round's ratio and the median one.
 */
public final class OptimizeBenchmark {
    private OptimizeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String what = args.length > 1 ? args[1] : "all";
        Devices.setThreads(threads);
        System.out.println(Devices.describe() + ", " + threads + " threads");
        Path script = null;
        if (OptimizeOracle.unavailableReason() == null) {
            script = Files.createTempFile("optimize_bench", ".py");
            try (InputStream in = OptimizeBenchmark.class.getResourceAsStream("optimize_bench.py")) {
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            System.out.println("python peer unavailable: " + OptimizeOracle.unavailableReason());
        }
        System.out.printf("%-36s %10s %10s %7s%n", "", "java ms", "python ms", "ratio");
        for (String arch : what.equals("fast") ? new String[0] : new String[] {"squeezenet1_1", "vgg16"}) {
            try (Network net = Models.random(arch, 0)) {
                for (int size : new int[] {192, 512}) {
                    int iters = arch.equals("vgg16") && size == 512 ? 3 : 6;
                    double java = styleIteration(net, size, 2, iters);
                    double py = script == null ? Double.NaN
                            : python(script, "style", arch, String.valueOf(size), String.valueOf(threads), "2",
                            String.valueOf(iters));
                    System.out.printf("%-36s %10.1f %10.1f %7.2f%n", "style iteration " + arch + " @" + size, java, py,
                            java / py);
                }
            }
        }
        if (!what.equals("style")) {
            double[] ratios = new double[3];
            for (int round = 0; round < ratios.length; round++) {
                double java = fastStyle(512, 2, 5);
                double py = script == null ? Double.NaN
                        : python(script, "fast", "512", String.valueOf(threads), "2", "5");
                ratios[round] = java / py;
                System.out.printf("%-36s %10.1f %10.1f %7.2f%n", "fast-style inference @512 #" + (round + 1), java, py,
                        ratios[round]);
            }
            Arrays.sort(ratios);
            System.out.printf("%-36s %10s %10s %7.2f%n", "fast-style inference @512 (median)", "", "", ratios[1]);
        }
        if (script != null) {
            Files.deleteIfExists(script);
        }
    }

    static BufferedImage noise(int size, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** Median-free but setup-free: (time of warmup + n steps − time of warmup steps) / n, best of two. */
    static double styleIteration(Network net, int size, int warmup, int iters) {
        Objective o = StyleTransfer.of(net).content(noise(size, 1)).style(noise(size, 2)).size(size).objective();
        Tensor start = Inputs.image(noise(size, 1), net.preprocessing(), size);
        double best = Double.POSITIVE_INFINITY;
        for (int rep = 0; rep < 2; rep++) {
            double a = run(net, o, start, warmup);
            double b = run(net, o, start, warmup + iters);
            best = Math.min(best, (b - a) / iters);
        }
        return best;
    }

    private static double run(Network net, Objective o, Tensor start, int steps) {
        long t = System.nanoTime();
        Render.builder(net).objective(o).parameterization(Parameterization.pixels(start))
                .constraints(Constraint.clip(net.preprocessing())).optimizer(Optimizer.adam(0.05)).steps(steps)
                .live(false).run();
        return (System.nanoTime() - t) / 1e6;
    }

    static double fastStyle(int size, int warmup, int iters) {
        FastStyleModel m = FastStyleModel.random(1, 0);
        Random r = new Random(3);
        float[] v = new float[3 * size * size];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 255;
        }
        Tensor x = Tensor.of(v, 1, 3, size, size);
        double[] times = new double[iters];
        for (int i = 0; i < warmup + iters; i++) {
            long t = System.nanoTime();
            m.stylize(x);
            if (i >= warmup) {
                times[i - warmup] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(times);
        return times[iters / 2];
    }

    static double python(Path script, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 2];
        cmd[0] = OptimizeOracle.PYTHON;
        cmd[1] = script.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(900, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("optimize_bench.py failed: " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].strip());
    }
}
