package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.util.Random;

/**
 * How the optimized numbers become an image: the parameter is what the optimizer changes, {@link #toImage}
 * maps it (differentiably) to the network's normalized input space. Immutable.
 */
public interface Parameterization {

    /** The starting parameter, owned by {@code manager}, for an image of {@code shape} [N, C, H, W]. */
    NDArray init(NDManager manager, long[] shape, Random random);

    /** The image in normalized input space for a parameter value. */
    NDArray toImage(NDArray parameter);

    /** The shape this parameterization fixes (from its start image), or null when the render decides. */
    default long[] shape() {
        return null;
    }

    /** Pixels are the parameters, starting from small noise around the mean pixel (std {@code sigma}). */
    static Parameterization pixels(double sigma) {
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] shape, Random random) {
                return Tensor.of(gaussian(shape, sigma, random), shape).toNDArray(manager);
            }

            @Override
            public NDArray toImage(NDArray parameter) {
                return parameter;
            }
        };
    }

    /** Pixels are the parameters, starting from a given image (normalized input space, [N, C, H, W]). */
    static Parameterization pixels(Tensor start) {
        Inputs.checkFinite(start, "the start image");
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] shape, Random random) {
                return start.toNDArray(manager);
            }

            @Override
            public NDArray toImage(NDArray parameter) {
                return parameter;
            }

            @Override
            public long[] shape() {
                return start.shape();
            }
        };
    }

    /**
     * Pixels through a sigmoid: the parameter is unbounded, the image always inside the valid range [0, 1]
     * before normalization, so no clipping is needed (Lucid's default colour space, without decorrelation).
     */
    static Parameterization sigmoid(Preprocessing preprocessing, double sigma) {
        float[] mean = preprocessing.mean();
        float[] std = preprocessing.std();
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] shape, Random random) {
                return Tensor.of(gaussian(shape, sigma, random), shape).toNDArray(manager);
            }

            @Override
            public NDArray toImage(NDArray parameter) {
                int c = mean.length;
                NDManager m = parameter.getManager();
                NDArray mu = m.create(mean, new Shape(1, c, 1, 1));
                NDArray sd = m.create(std, new Shape(1, c, 1, 1));
                return Activation.sigmoid(parameter).sub(mu).div(sd);
            }
        };
    }

    /**
     * Through a sigmoid as {@link #sigmoid(Preprocessing, double)}, starting from a given image (normalized input
     * space, [N, C, H, W]); its pixels are kept 0.01 inside [0, 1] so that the start has a finite parameter.
     */
    static Parameterization sigmoid(Preprocessing preprocessing, Tensor start) {
        Inputs.checkFinite(start, "the start image");
        Parameterization through = sigmoid(preprocessing, 0);
        float[] mean = preprocessing.mean();
        float[] std = preprocessing.std();
        long[] shape = start.shape();
        float[] v = start.toFloatArray();
        int plane = (int) (shape[2] * shape[3]);
        for (int i = 0; i < v.length; i++) {
            int c = (i / plane) % mean.length;
            float p = Math.min(0.99f, Math.max(0.01f, v[i] * std[c] + mean[c]));
            v[i] = (float) Math.log(p / (1 - p));
        }
        Tensor logits = Tensor.of(v, shape);
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] s, Random random) {
                return logits.toNDArray(manager);
            }

            @Override
            public NDArray toImage(NDArray parameter) {
                return through.toImage(parameter);
            }

            @Override
            public long[] shape() {
                return shape.clone();
            }
        };
    }

    private static float[] gaussian(long[] shape, double sigma, Random random) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * sigma);
        }
        return v;
    }
}
