package dev.neurolens.features;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** t-SNE against scikit-learn on clustered synthetic data: trustworthiness within 0.02, KL reported. */
class TsneTest {
    static final String PYTHON = "/usr/bin/python3";

    /** {@code clusters} Gaussian blobs in {@code d} dims whose centres overlap a little. */
    static FeatureMatrix blobs(int n, int d, int clusters, long seed) {
        Random r = new Random(seed);
        double[][] centres = new double[clusters][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = 1.2 * r.nextGaussian();
            }
        }
        double[][] rows = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] c = centres[i % clusters];
            double spread = 0.6 + 0.4 * ((i % clusters) % 3);
            for (int j = 0; j < d; j++) {
                rows[i][j] = c[j] + spread * r.nextGaussian() * 0.5;
            }
        }
        return FeatureMatrix.of(rows, "blobs");
    }

    @Test
    void trustworthinessMatchesScikitLearn() throws Exception {
        Assumptions.assumeTrue(sklearnAvailable(), "python3 with scikit-learn is needed for this oracle");
        Path dir = Files.createTempDirectory("tsne-oracle");
        Map<String, Embedding> ours = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int n : new int[] {800, 2500}) {
            FeatureMatrix x = blobs(n, 40, 10, n);
            Embedding e = Tsne.builder().iterations(1000).run(x);
            String name = "blobs" + n;
            names.add(name);
            ours.put(name, e);
            writeFloats(dir.resolve(name + ".x.f32"), x);
            writeDoubles(dir.resolve(name + ".ours.f64"), e);
            System.out.println("ours " + name + ": " + e);
        }
        Path script = dir.resolve("tsne_oracle.py");
        try (InputStream in = TsneTest.class.getResourceAsStream("tsne_oracle.py")) {
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), dir.toString()));
        cmd.addAll(names);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "oracle timed out");
        assertEquals(0, p.exitValue(), out);
        for (String line : out.strip().split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonObject o = new JsonParser().parse(line).getAsJsonObject();
            String name = o.get("name").getAsString();
            double mine = o.get("trust_ours").getAsDouble();
            double theirs = o.get("trust_sklearn").getAsDouble();
            Embedding e = ours.get(name);
            System.out.printf("%s: trustworthiness ours %.4f, sklearn %.4f; KL ours %.4f, sklearn %.4f; "
                    + "seconds ours %.2f, sklearn %.2f%n", name, mine, theirs, e.klDivergence(),
                    o.get("kl_sklearn").getAsDouble(), e.seconds(), o.get("seconds_sklearn").getAsDouble());
            assertTrue(mine >= theirs - 0.02, name + ": trustworthiness " + mine + " vs sklearn " + theirs);
            assertTrue(e.klDivergence() > 0 && e.klDivergence() < 5, "KL " + e.klDivergence());
        }
    }

    @Test
    void barnesHutRepulsionApproximatesExact() {
        Random r = new Random(3);
        int n = 500;
        double[] y = new double[2 * n];
        for (int i = 0; i < y.length; i++) {
            y[i] = 5 * r.nextGaussian();
        }
        double[] exact = new double[2 * n];
        double[] approx = new double[2 * n];
        double z = Tsne.exactRepulsion(y, exact);
        double zb = new QuadTree(y).repulsion(y, 0.5, approx);
        assertEquals(z, zb, 0.02 * z);
        double err = 0;
        double norm = 0;
        for (int i = 0; i < y.length; i++) {
            err += (exact[i] - approx[i]) * (exact[i] - approx[i]);
            norm += exact[i] * exact[i];
        }
        assertTrue(Math.sqrt(err / norm) < 0.05, "relative error " + Math.sqrt(err / norm));
        double[] zeroTheta = new double[2 * n];
        double z0 = new QuadTree(y).repulsion(y, 0, zeroTheta);
        assertEquals(z, z0, 1e-9 * z);
        for (int i = 0; i < y.length; i++) {
            assertEquals(exact[i], zeroTheta[i], 1e-9 * (1 + Math.abs(exact[i])));
        }
    }

    @Test
    void conditionalHitsThePerplexity() {
        double[] d2 = new double[90];
        Random r = new Random(1);
        for (int i = 0; i < d2.length; i++) {
            d2[i] = 10 + 20 * r.nextDouble();
        }
        double[] p = Tsne.conditional(d2, Math.log(30));
        double h = 0;
        double sum = 0;
        for (double v : p) {
            sum += v;
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        assertEquals(1, sum, 1e-9);
        assertEquals(30, Math.exp(h), 1e-3);
    }

    static boolean sklearnAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import sklearn").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void writeFloats(Path file, FeatureMatrix x) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(x.rows());
            out.writeInt(x.dims());
            for (int i = 0; i < x.rows(); i++) {
                for (int j = 0; j < x.dims(); j++) {
                    out.writeFloat(x.get(i, j));
                }
            }
        }
    }

    private static void writeDoubles(Path file, Embedding e) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(e.size());
            out.writeInt(2);
            for (double v : e.coordinates()) {
                out.writeDouble(v);
            }
        }
    }
}
