package dev.neurolens.train;

import dev.neurolens.data.Samples;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.NonFiniteException;
import dev.neurolens.optimize.FastStyle;
import dev.neurolens.optimize.FastStyleModel;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains the built-in fast-style network ({@link FastStyle#builtin()}) and writes it as safetensors. Reproduce the
 * committed resource from the repository root with:
 *
 * <pre>
 * mvn -q -o -pl kernel-ext compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dai.djl.offline=true -Dexec.mainClass=dev.neurolens.train.TrainFastStyle \
 *     -Dexec.args="kernel-ext/src/main/resources/dev/neurolens/optimize/fast_style_builtin.safetensors 3000"
 * </pre>
 *
 * <p>No pretrained network: the loss comes from the random multi-scale texture features (seed 0), content at
 * {@code scale4}, style at {@code scale1}, {@code scale2} and {@code scale4}. Style weight 10 000 against content 1,
 * as Gatys-style transfer with these features needs for the whole picture to take the style. Crops of 64 px from
 * the four sample photos, two per step, the two styles taking turns; width 16 (a quarter of pytorch/examples'
 * parameters), Adam at 1e-3 with the output layer at 20x, leaky ReLUs. About 15 minutes on 2 cores.
 *
 * <p>A run can meet a NaN (the committed one did at step 327, another at step 1336). Then it goes on from the last
 * good weights with half the learning rate and a fresh Adam, for the steps that are left, and says so.
 */
public final class TrainFastStyle {
    static final long SEED = 42;

    private TrainFastStyle() {
    }

    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0]
                : "kernel-ext/src/main/resources/dev/neurolens/optimize/fast_style_builtin.safetensors");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Network loss = Models.random(Architecture.RANDOM_MULTISCALE, 0);
        List<BufferedImage> styles = Samples.images(FastStyle.BUILTIN_STYLES);
        long start = System.nanoTime();
        double lr = 1e-3;
        int done = 0;
        FastStyleModel m = null;
        while (done < steps) {
            FastStyle.Trainer t = FastStyle.train(loss).styles(styles.toArray(BufferedImage[]::new))
                    .styleNames("starry night", "coffee").content(Samples.images(Samples.photos()))
                    .contentLayer("scale4").size(64).batch(2).width(16).lr(lr).styleWeight(10_000)
                    .steps(steps - done).seed(SEED + done).live(false).log(System.out);
            try {
                m = (m == null ? t : t.from(m)).run();
                done = steps;
            } catch (NonFiniteException e) {
                m = FastStyle.lastModel();
                done += e.step();
                lr /= 2;
                System.out.printf("NaN at step %d of this leg (%d in all): going on from the last good weights at lr %.1e%n",
                        e.step(), done, lr);
            }
        }
        m.save(out);
        System.out.printf("%s: %d steps in %.0f s -> %s%n", m, steps, (System.nanoTime() - start) / 1e9, out);
    }
}
