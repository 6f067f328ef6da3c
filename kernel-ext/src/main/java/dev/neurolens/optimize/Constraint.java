package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import boofcv.alg.filter.blur.GBlurImageOps;
import boofcv.struct.image.GrayF32;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

/**
 * A change applied to the parameter after an optimizer step, outside the gradient: pixel clipping, or
 * CS231n's periodic Gaussian blur that keeps class visualizations smooth. Returns the new parameter (new
 * arrays from the parameter's manager, or the parameter itself).
 */
@FunctionalInterface
public interface Constraint {

    NDArray apply(NDArray parameter, int step);

    /** Keeps pixels inside the valid range: [0, 1] before normalization, per channel. */
    static Constraint clip(Preprocessing p) {
        float[] mean = p.mean();
        float[] std = p.std();
        float[] lo = new float[mean.length];
        float[] hi = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            lo[c] = -mean[c] / std[c];
            hi[c] = (1 - mean[c]) / std[c];
        }
        return (x, step) -> {
            NDManager m = x.getManager();
            Shape s = new Shape(1, lo.length, 1, 1);
            return x.maximum(m.create(lo, s)).minimum(m.create(hi, s));
        };
    }

    /**
     * Gaussian blur of every image plane with standard deviation {@code sigma} pixels, every {@code every}
     * steps (BoofCV, on the heap; cheap when not every step).
     */
    static Constraint blur(double sigma, int every) {
        if (sigma <= 0 || every < 1) {
            throw new IllegalArgumentException("blur needs sigma > 0 and every >= 1; got " + sigma + ", " + every);
        }
        return (x, step) -> {
            if ((step + 1) % every != 0) {
                return x;
            }
            Tensor t = Tensor.from(x);
            long[] s = t.shape();
            int h = (int) s[2];
            int w = (int) s[3];
            float[] v = t.toFloatArray();
            GrayF32 in = new GrayF32(w, h);
            GrayF32 out = new GrayF32(w, h);
            GrayF32 tmp = new GrayF32(w, h);
            int radius = Math.max(1, (int) Math.ceil(2.5 * sigma));
            for (int off = 0; off < v.length; off += w * h) {
                System.arraycopy(v, off, in.data, 0, w * h);
                GBlurImageOps.gaussian(in, out, sigma, radius, tmp);
                System.arraycopy(out.data, 0, v, off, w * h);
            }
            return Tensor.of(v, s).toNDArray(x.getManager());
        };
    }
}
