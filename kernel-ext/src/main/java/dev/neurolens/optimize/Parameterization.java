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

    /**
     * Lucid's decorrelated parameterization (Olah et al., "Feature Visualization", Distill 2017): the parameters are
     * the picture's spatial-frequency coefficients, each scaled by 1 / frequency^{@code decay}, so that a gradient step
     * changes coarse structure as readily as single pixels instead of growing high-frequency noise; three colour
     * channels are also decorrelated (ImageNet's colour covariance, as Lucid). Lucid uses an FFT basis; this uses the
     * orthonormal cosine (DCT-II) basis, which needs no complex numbers and no wrap-around. The pixels come through a
     * sigmoid, so they stay in [0, 1] with no clipping; the start is the grey level {@code start} plus noise of 0.01
     * per coefficient. The scales are normalized to a root mean square of 1, so Adam's learning rate keeps its meaning.
     */
    static Parameterization spectral(Preprocessing preprocessing, double decay, double start) {
        if (!(start > 0 && start < 1) || decay < 0) {
            throw new IllegalArgumentException("spectral parameterization needs 0 < start < 1 and decay >= 0, got "
                    + start + " and " + decay);
        }
        float[] mean = preprocessing.mean();
        float[] std = preprocessing.std();
        float offset = (float) Math.log(start / (1 - start));
        return new Parameterization() {
            @Override
            public NDArray init(NDManager manager, long[] shape, Random random) {
                return Tensor.of(gaussian(shape, 0.01, random), shape).toNDArray(manager);
            }

            @Override
            public NDArray toImage(NDArray parameter) {
                long[] s = parameter.getShape().getShape();
                int c = (int) s[1];
                int h = (int) s[2];
                int w = (int) s[3];
                NDManager m = parameter.getManager();
                NDArray rows = m.create(cosineBasis(h), new Shape(h, h)).transpose();
                NDArray cols = m.create(cosineBasis(w), new Shape(w, w));
                NDArray scale = m.create(frequencyScale(h, w, decay), new Shape(h, w));
                NDArray spatial = rows.matMul(parameter.mul(scale)).matMul(cols);
                if (c == 3) {
                    NDArray mix = m.create(colourSqrt(), new Shape(3, 3));
                    spatial = mix.matMul(spatial.reshape(s[0], 3, (long) h * w)).reshape(s);
                }
                NDArray mu = m.create(mean, new Shape(1, c, 1, 1));
                NDArray sd = m.create(std, new Shape(1, c, 1, 1));
                return Activation.sigmoid(spatial.add(offset)).sub(mu).div(sd);
            }
        };
    }

    /**
     * The square root of ImageNet's RGB colour covariance (Lucid's published constant), divided by its largest column
     * norm: a coefficient moves a natural mix of colours rather than one channel.
     */
    private static float[] colourSqrt() {
        double[][] c = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
        double max = 0;
        for (int j = 0; j < 3; j++) {
            max = Math.max(max, Math.sqrt(c[0][j] * c[0][j] + c[1][j] * c[1][j] + c[2][j] * c[2][j]));
        }
        float[] out = new float[9];
        for (int i = 0; i < 9; i++) {
            out[i] = (float) (c[i / 3][i % 3] / max);
        }
        return out;
    }

    /** Orthonormal DCT-II matrix, row k = frequency k: {@code basis^T * coefficients * basis} is the inverse. */
    static float[] cosineBasis(int n) {
        float[] d = new float[n * n];
        for (int k = 0; k < n; k++) {
            double norm = Math.sqrt((k == 0 ? 1.0 : 2.0) / n);
            for (int i = 0; i < n; i++) {
                d[k * n + i] = (float) (norm * Math.cos(Math.PI * (i + 0.5) * k / n));
            }
        }
        return d;
    }

    /** 1 / max(f, 1 / max(h, w))^decay per coefficient, f in cycles per pixel, scaled to a root mean square of 1. */
    static float[] frequencyScale(int h, int w, double decay) {
        float[] v = new float[h * w];
        double floor = 1.0 / Math.max(h, w);
        double sum = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double fy = y / (2.0 * h);
                double fx = x / (2.0 * w);
                double f = Math.max(floor, Math.sqrt(fy * fy + fx * fx));
                double sc = 1 / Math.pow(f, decay);
                v[y * w + x] = (float) sc;
                sum += sc * sc;
            }
        }
        float rms = (float) Math.sqrt(sum / v.length);
        for (int i = 0; i < v.length; i++) {
            v[i] /= rms;
        }
        return v;
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
