package dev.neurolens.dissect;

import dev.neurolens.generate.Generator;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Devices;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Dissection throughput (samples per second) for one layer of a 64 px DCGAN generator (z 64, width 32, random
 * weights: the cost does not depend on them) on the CPU, against python torch doing the same two passes
 * (exact per-unit quantiles, bilinear upsampling, thresholding, IoU with an 8-level brightness segmenter) at
 * equal thread counts in the same run. Not a test. Run from the repository root after {@code mvn -o test-compile}:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * nice -n 10 java -Dai.djl.offline=true -cp kernel-ext/target/classes:kernel-ext/target/test-classes:$(cat kernel-ext/target/cp.txt) \
 *     dev.neurolens.dissect.DissectionBenchmark [threads] [samples] [layer] [rounds]
 * </pre>
 */
public final class DissectionBenchmark {
    private static final String PEER = String.join("\n",
            "import sys, time, torch, torch.nn as nn, torch.nn.functional as F",
            "threads, n, layer = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])",
            "torch.set_num_threads(threads); torch.manual_seed(0)",
            "nz, ngf, B, K, q = 64, 32, 16, 8, 0.99",
            "L = [nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False)]; w = ngf * 8",
            "for s in range(4):",
            "    L += [nn.BatchNorm2d(w), nn.ReLU(True)]; nxt = 3 if s == 3 else w // 2",
            "    L += [nn.ConvTranspose2d(w, nxt, 4, 2, 1, bias=False)]; w = nxt",
            "G = nn.Sequential(*L, nn.Tanh()).eval(); cut = 3 * layer",
            "z = torch.randn(n, nz, 1, 1)",
            "def run(zb):",
            "    a = G[:cut](zb); return a, (G[cut:](a) + 1) / 2",
            "def seg(img):",
            "    return (img.mean(1) * K).long().clamp(0, K - 1)",
            "with torch.no_grad():",
            "    run(z[:B])",
            "    t = time.perf_counter(); vals = []",
            "    for i in range(0, n, B):",
            "        a, _ = run(z[i:i + B]); vals.append(a.transpose(0, 1).reshape(a.shape[1], -1))",
            "    th = torch.quantile(torch.cat(vals, 1), q, dim=1)",
            "    U = th.shape[0]; inter = torch.zeros(U, K); area = torch.zeros(U); cpx = torch.zeros(K)",
            "    for i in range(0, n, B):",
            "        a, img = run(z[i:i + B]); lab = seg(img)",
            "        m = F.interpolate(a, size=img.shape[2:], mode='bilinear', align_corners=False) > th.view(1, -1, 1, 1)",
            "        oh = F.one_hot(lab, K).float()",
            "        inter += torch.einsum('buhw,bhwk->uk', m.float(), oh); area += m.float().sum((0, 2, 3)); cpx += oh.sum((0, 1, 2))",
            "    iou = inter / (area[:, None] + cpx[None, :] - inter).clamp(min=1)",
            "    dis = n / (time.perf_counter() - t)",
            "    t = time.perf_counter()",
            "    for r in range(2):",
            "        for i in range(0, n, B): run(z[i:i + B])",
            "    print(n / (time.perf_counter() - t)); print(dis)",
            "");

    private DissectionBenchmark() {
    }

    /** Eight brightness levels, as the python peer. */
    static final class Brightness implements Segmenter {
        @Override
        public List<String> concepts() {
            return List.of("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7");
        }

        @Override
        public int[][] segment(Tensor images) {
            int[] nhw = Segmenter.checkImages(images);
            int plane = nhw[1] * nhw[2];
            float[] v = images.toFloatArray();
            int[][] out = new int[nhw[0]][plane];
            for (int i = 0; i < nhw[0]; i++) {
                for (int p = 0; p < plane; p++) {
                    float m = (v[i * 3 * plane + p] + v[(i * 3 + 1) * plane + p] + v[(i * 3 + 2) * plane + p]) / 3;
                    out[i][p] = Math.min(7, Math.max(0, (int) (m * 8)));
                }
            }
            return out;
        }
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int layer = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Devices.setThreads(threads);
        System.out.println(Devices.describe() + "; " + threads + " threads; " + n + " samples; layer" + layer
                + "; " + rounds + " rounds, Java and python alternating, medians");
        String why = TorchOracle.unavailableReason();
        if (why != null) {
            System.out.println("python peer unavailable: " + why);
        }
        double[] java = new double[rounds];
        double[] javaGen = new double[rounds];
        double[] py = new double[rounds];
        double[] pyGen = new double[rounds];
        Arrays.fill(py, Double.NaN);
        Arrays.fill(pyGen, Double.NaN);
        try (Generator g = Generator.of(Architecture.dcganGenerator(64, 32, 3, 64).randomInit(0), 64)) {
            Dissection.builder(g, "layer" + layer).segmenter(new Brightness()).samples(16).run(); // warm-up
            for (int r = 0; r < rounds; r++) {
                Dissection d = Dissection.builder(g, "layer" + layer).segmenter(new Brightness()).samples(n).run();
                java[r] = n / d.seconds();
                if (r == 0) {
                    System.out.println(d);
                }
                Tensor z = g.sampleZ(n, 1);
                long t = System.nanoTime();
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < n; i += 16) {
                        g.generate(z.rows(i, Math.min(16, n - i)), Forward.capture("layer" + layer));
                    }
                }
                javaGen[r] = n / ((System.nanoTime() - t) / 1e9);
                if (why == null) {
                    double[] p = python(threads, n, layer);
                    pyGen[r] = p[0];
                    py[r] = p[1];
                }
                System.out.printf(Locale.ROOT, "round %d: java %.1f, python %.1f samples/s%n", r + 1, java[r], py[r]);
            }
        }
        double j = median(java);
        double p = median(py);
        double jg = median(javaGen);
        double pg = median(pyGen);
        System.out.printf(Locale.ROOT, "dissection samples/s: java %.1f, python torch %.1f, ratio java/python %.2f%n",
                j, p, j / p);
        System.out.printf(Locale.ROOT, "generation alone (both passes) samples/s: java %.1f, python torch %.1f, "
                + "ratio %.2f; share of dissection time spent generating: java %.0f%%, python %.0f%%%n", jg, pg,
                jg / pg, 100 * j / jg, 100 * p / pg);
    }

    /** One python run: generation alone and dissection, samples/s. */
    private static double[] python(int threads, int n, int layer) throws Exception {
        Path script = Files.createTempFile("dissect_bench", ".py");
        try {
            Files.writeString(script, PEER);
            Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), String.valueOf(threads),
                    String.valueOf(n), String.valueOf(layer)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("python peer failed: " + out);
            }
            String[] lines = out.split("\n");
            return new double[] {Double.parseDouble(lines[lines.length - 2].strip()),
                    Double.parseDouble(lines[lines.length - 1].strip())};
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
