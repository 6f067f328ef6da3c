package dev.neurolens.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Devices;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.util.Arrays;
import java.util.Locale;

/**
 * Principal component analysis: the covariance {@code X^T X / (n-1)} of the centred features is formed by one
 * matrix product on the compute device and decomposed on the heap (EJML, symmetric QR). Components are
 * ordered by variance and signed so their largest coefficient is positive (deterministic, like sklearn's
 * svd_flip). Immutable.
 */
public final class Pca {
    private final double[] mean;
    private final double[][] components;
    private final double[] variance;
    private final double totalVariance;

    private Pca(double[] mean, double[][] components, double[] variance, double totalVariance) {
        this.mean = mean;
        this.components = components;
        this.variance = variance;
        this.totalVariance = totalVariance;
    }

    /** The first {@code k} principal components of the rows of {@code x}. */
    public static Pca fit(FeatureMatrix x, int k) {
        int n = x.rows();
        int d = x.dims();
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 rows, got " + n);
        }
        int kk = Math.min(k, d);
        float[] raw = x.raw();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += raw[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        float[] cov;
        try (NDManager m = NDManager.newBaseManager(Devices.current(), "PyTorch")) {
            NDArray a = centred(m, x, mean);
            cov = a.transpose().matMul(a).div((float) (n - 1)).toFloatArray();
        }
        DMatrixRMaj c = new DMatrixRMaj(d, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                // symmetrize away float32 asymmetry
                c.set(i, j, 0.5 * ((double) cov[i * d + j] + cov[j * d + i]));
            }
        }
        double total = 0;
        for (int i = 0; i < d; i++) {
            total += c.get(i, i);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(c)) {
            throw new IllegalStateException("eigendecomposition of the " + d + "x" + d + " covariance failed");
        }
        Integer[] order = new Integer[d];
        double[] values = new double[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double[][] comps = new double[kk][d];
        double[] var = new double[kk];
        for (int r = 0; r < kk; r++) {
            DMatrixRMaj v = eig.getEigenVector(order[r]);
            double norm = 0;
            int arg = 0;
            for (int j = 0; j < d; j++) {
                comps[r][j] = v.get(j, 0);
                norm += comps[r][j] * comps[r][j];
                if (Math.abs(comps[r][j]) > Math.abs(comps[r][arg])) {
                    arg = j;
                }
            }
            double s = (comps[r][arg] < 0 ? -1 : 1) / Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                comps[r][j] *= s;
            }
            var[r] = Math.max(0, values[order[r]]);
        }
        return new Pca(mean, comps, var, total);
    }

    /** Shortcut: the rows of {@code x} projected on their first {@code k} components. */
    public static FeatureMatrix project(FeatureMatrix x, int k) {
        return fit(x, k).transform(x);
    }

    /** Rows of {@code x} (same dims as the fit) in component coordinates. */
    public FeatureMatrix transform(FeatureMatrix x) {
        int d = mean.length;
        if (x.dims() != d) {
            throw new IllegalArgumentException("PCA was fitted on " + d + " dims, got " + x.dims());
        }
        int k = components.length;
        float[] w = new float[d * k];
        for (int r = 0; r < k; r++) {
            for (int j = 0; j < d; j++) {
                w[j * k + r] = (float) components[r][j];
            }
        }
        float[] out;
        try (NDManager m = NDManager.newBaseManager(Devices.current(), "PyTorch")) {
            out = centred(m, x, mean).matMul(m.create(w, new Shape(d, k))).toFloatArray();
        }
        return FeatureMatrix.wrap(out, x.rows(), k, "PCA " + k + " of " + x.description());
    }

    private static NDArray centred(NDManager m, FeatureMatrix x, double[] mean) {
        float[] mu = new float[mean.length];
        for (int j = 0; j < mu.length; j++) {
            mu[j] = (float) mean[j];
        }
        return m.create(x.raw(), new Shape(x.rows(), x.dims())).sub(m.create(mu, new Shape(1, mu.length)));
    }

    public int components() {
        return components.length;
    }

    /** Component {@code r} as a unit vector in feature space. */
    public double[] component(int r) {
        return components[r].clone();
    }

    public double[] explainedVariance() {
        return variance.clone();
    }

    public double[] explainedVarianceRatio() {
        double[] r = new double[variance.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = totalVariance == 0 ? 0 : variance[i] / totalVariance;
        }
        return r;
    }

    public double[] mean() {
        return mean.clone();
    }

    @Override
    public String toString() {
        double[] r = explainedVarianceRatio();
        double sum = 0;
        for (double v : r) {
            sum += v;
        }
        return String.format(Locale.ROOT, "Pca[%d components of %d dims, %.1f%% of the variance]",
                components.length, mean.length, 100 * sum);
    }
}
