package dev.neurolens.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.model.Adam;
import dev.neurolens.model.AdversarialTraining;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Trains the built-in Fashion-MNIST classifier with DJL autograd (Adam, cross-entropy, fixed seeds) and
 * writes its weights as safetensors. Reproduce the committed resource from the repository root with:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dai.djl.offline=true -Dexec.mainClass=dev.neurolens.train.TrainDefaultModel \
 *     -Dexec.args="/usr/share/datasets/fashion-mnist kernel-ext/src/main/resources/dev/neurolens/model/fashion_cnn.safetensors 6"
 * </pre>
 *
 * <p>It lives outside {@code model} because it reads {@code data}, and those two packages do not know each other.
 *
 * <p>Arguments (all optional): IDX folder, output file, epochs, and an L2 radius in pixel units for adversarial
 * training (timings: docs/benchmarks.md). The robust model beside the default one is made with
 * {@code -Dexec.args=".../fashion-mnist .../fashion_cnn_robust.safetensors 2 1.5"}: each batch is replaced by its
 * two-step projected-gradient attack (Madry et al. 2018) within that radius, which makes the gradients of the
 * model follow the shapes of garments, so its class visualizations look like garments (Santurkar et al. 2019).
 */
public final class TrainDefaultModel {
    static final long SEED = 20240607L;
    static final int BATCH = 128;

    private TrainDefaultModel() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : FashionMnist.DEFAULT_DIR.toString());
        Path out = Path.of(args.length > 1 ? args[1]
                : "kernel-ext/src/main/resources/dev/neurolens/model/fashion_cnn.safetensors");
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        float epsilon = args.length > 3 ? Float.parseFloat(args[3]) : 0f;
        FashionMnist train = FashionMnist.train(dir);
        FashionMnist test = FashionMnist.test(dir);
        Engine.getEngine("PyTorch").setRandomSeed((int) SEED);
        Random random = new Random(SEED);
        long start = System.nanoTime();
        try (Network net = Architecture.of("fashion_cnn").randomInit(SEED);
             NDManager state = net.newScope()) {
            Map<String, NDArray> params = net.parameters();
            Adam adam = new Adam(state, 1e-3);
            for (var e : params.entrySet()) {
                e.getValue().setRequiresGradient(true);
            }
            for (int epoch = 1; epoch <= epochs; epoch++) {
                int[] order = permutation(train.size(), random);
                // step decay: the last third fine-tunes at a lower rate
                float lr = epoch > (2 * epochs + 2) / 3 ? 3e-4f : 1e-3f;
                double lossSum = 0;
                int batches = 0;
                for (int b = 0; b + BATCH <= order.length; b += BATCH) {
                    try (NDManager scope = net.newScope()) {
                        NDArray x = batch(train, order, b, BATCH, net).toNDArray(scope);
                        int[] labels = new int[BATCH];
                        for (int i = 0; i < BATCH; i++) {
                            labels[i] = train.label(order[b + i]);
                        }
                        NDArray y = scope.create(labels).oneHot(10).toType(DataType.FLOAT32, false);
                        if (epsilon > 0) {
                            x = AdversarialTraining.attack(net, params.values(), x, y, epsilon);
                        }
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray logits = net.forward(x, Forward.plain().training(true)).get(Network.OUTPUT);
                            NDArray loss = logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean();
                            lossSum += loss.getFloat();
                            gc.backward(loss);
                        }
                        batches++;
                        adam.step(params, scope, lr);
                    }
                }
                float acc = accuracy(net, test);
                System.out.printf("epoch %d/%d  loss %.4f  test accuracy %.2f%%  (%.0f s)%n", epoch, epochs,
                        lossSum / batches, acc * 100, (System.nanoTime() - start) / 1e9);
            }
            WeightsFiles.saveSafetensors(params, out);
            System.out.println("wrote " + out + " (" + Files.size(out) + " bytes)");
        }
    }



    /** Normalized batch [n, 1, 28, 28] of the images at order[from .. from+n). */
    static Tensor batch(FashionMnist data, int[] order, int from, int n, Network net) {
        float mean = net.info().mean()[0];
        float std = net.info().std()[0];
        int plane = FashionMnist.SIZE * FashionMnist.SIZE;
        float[] v = new float[n * plane];
        for (int i = 0; i < n; i++) {
            float[] px = data.pixels(order[from + i]);
            for (int k = 0; k < plane; k++) {
                v[i * plane + k] = (px[k] - mean) / std;
            }
        }
        return Tensor.of(v, n, 1, FashionMnist.SIZE, FashionMnist.SIZE);
    }

    /** Fraction of {@code data} classified correctly. */
    public static float accuracy(Network net, FashionMnist data) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int correct = 0;
        for (int b = 0; b < order.length; b += 500) {
            int n = Math.min(500, order.length - b);
            Tensor logits = net.logits(batch(data, order, b, n, net));
            for (int i = 0; i < n; i++) {
                if (logits.slice(i).argMax() == data.label(b + i)) {
                    correct++;
                }
            }
        }
        return (float) correct / data.size();
    }

    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

}
