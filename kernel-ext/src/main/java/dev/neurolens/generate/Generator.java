package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A generator G(z) -> image over a {@link Network} whose input is a latent code of shape
 * {@code N x zDim x 1 x 1} and whose output is an image batch in [-1, 1] (tanh), as in DCGAN. Images come out
 * in [0, 1]. Because G is a {@link Network}, every technique that captures or hooks layers (dissection,
 * ablation, insertion, rewriting) works on it unchanged. Close it to free the weights.
 *
 * <pre>{@code
 * Generator g = Generator.of(network, 100);
 * Tensor z = g.sampleZ(16, 1);
 * Tensor images = g.generate(z);                                   // 16 x 3 x 64 x 64 in [0, 1]
 * Map<String, Tensor> r = g.generate(z, Forward.capture("main.6").hook("main.6", LayerHook.zero(3, 17)));
 * }</pre>
 */
public final class Generator implements AutoCloseable {
    /** Key of the images in the map returned by {@link #generate(Tensor, Forward)}. */
    public static final String OUTPUT = Network.OUTPUT;

    private final Network network;
    private final int zDim;

    private Generator(Network network, int zDim) {
        this.network = network;
        this.zDim = zDim;
    }

    /** Wraps a network taking {@code N x zDim x 1 x 1} codes to tanh images; the generator owns it from now on. */
    public static Generator of(Network network, int zDim) {
        if (zDim <= 0) {
            throw new IllegalArgumentException("zDim must be positive, got " + zDim);
        }
        return new Generator(network, zDim);
    }

    public int zDim() {
        return zDim;
    }

    public Network network() {
        return network;
    }

    public String name() {
        return network.name();
    }

    public List<String> layerNames() {
        return network.layerNames();
    }

    /** {@code n} codes from a standard normal, reproducible from {@code seed}. */
    public Tensor sampleZ(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("need at least one sample, got " + n);
        }
        Random r = new Random(seed);
        float[] v = new float[n * zDim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(v, n, zDim, 1, 1);
    }

    /** Images for the codes {@code z}, {@code N x C x H x W} in [0, 1]. */
    public Tensor generate(Tensor z) {
        return generate(z, Forward.plain()).get(OUTPUT);
    }

    /**
     * Runs G with {@code spec}'s captures and hooks (always to the image): the map holds each capture by the
     * name asked for, raw, and the images in [0, 1] under {@link #OUTPUT}.
     */
    public Map<String, Tensor> generate(Tensor z, Forward spec) {
        checkZ(z);
        try (NDManager scope = network.newScope()) {
            Map<String, NDArray> out = forward(z.toNDArray(scope), spec);
            Map<String, Tensor> copied = new LinkedHashMap<>();
            out.forEach((k, v) -> copied.put(k, Tensor.from(v)));
            return copied;
        }
    }

    /**
     * The array-level pass for techniques that manage their own scope (inversion, training): images in [0, 1]
     * under {@link #OUTPUT}, differentiable; arrays belong to {@code z}'s manager.
     */
    public Map<String, NDArray> forward(NDArray z, Forward spec) {
        Map<String, NDArray> out = new LinkedHashMap<>(network.forward(z, spec.toOutput()));
        out.put(OUTPUT, out.get(OUTPUT).add(1f).div(2f));
        return out;
    }

    private void checkZ(Tensor z) {
        long[] s = z.shape();
        if (s.length != 4 || s[1] != zDim || s[2] != 1 || s[3] != 1) {
            throw new IllegalArgumentException("latent codes must have shape N x " + zDim + " x 1 x 1, got "
                    + java.util.Arrays.toString(s) + "; use sampleZ(n, seed)");
        }
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return "Generator[" + network.name() + ", z " + zDim + ", " + network.source() + "]";
    }
}
