package dev.neurolens.generate;

import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewriting a generator's rule (Bau et al. 2020, "Rewriting a deep generative model"): one transposed
 * convolution is read as a linear associative memory. Each input location's channel vector k (a key,
 * {@code C_in} values) writes the patch {@code W k} ({@code C_out x kH x kW} values), so the weight is a
 * {@code (C_out*kH*kW) x C_in} matrix W from keys to values. Given the key statistics
 * {@code C = K K^T / n} over many samples, a context key k* (the mean key over regions the user picks) and a
 * target value v*, the edit that maps k* to v* while changing the values of all other keys the least
 * (in the C-weighted sense) is rank one: {@code W' = W + Lambda d^T}, {@code d = C^-1 k*},
 * {@code Lambda = (v* - W k*) / (d^T k*)}.
 *
 * <pre>{@code
 * RewriteResult r = Rewrite.of(g, "main.6")
 *         .context(zs, windowMasks)     // where: the regions whose look should change
 *         .copy(zs2, treeMasks)         // what: draw there what the layer draws in these regions
 *         .apply();
 * Generator edited = r.edited();         // a new generator; g is untouched (undo = keep using g)
 * }</pre>
 */
public final class Rewrite {
    private final Generator generator;
    private final String layer;
    private final String keyLayer;
    private int keySamples = 256;
    private long keySeed = 0;
    private double regularization = 1e-3;
    private Tensor contextZ;
    private Tensor contextMask;
    private Tensor sourceZ;
    private Tensor sourceMask;
    private float[] target;
    private int previewCount = 8;
    private long previewSeed = 1;

    private Rewrite(Generator generator, String layer, String keyLayer) {
        this.generator = generator;
        this.layer = layer;
        this.keyLayer = keyLayer;
    }

    /** Rewrites the transposed convolution {@code layer} (e.g. {@code "main.6"}) of {@code generator}. */
    public static Rewrite of(Generator generator, String layer) {
        Network net = generator.network();
        List<Layer> all = net.allLayers();
        List<String> candidates = all.stream().filter(l -> l.kind() == LayerKind.CONV_TRANSPOSE2D).map(Layer::name)
                .toList();
        String name = net.resolve(layer);
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).name().equals(name)) {
                at = i;
            }
        }
        if (at < 0 || all.get(at).kind() != LayerKind.CONV_TRANSPOSE2D) {
            throw new IllegalArgumentException("'" + layer + "' is not a transposed convolution; rewritable layers of "
                    + generator.name() + ": " + String.join(", ", candidates));
        }
        // the keys are this layer's input: the previous leaf's output, or the code z for the first layer
        String keyLayer = null;
        for (int i = at - 1; i >= 0; i--) {
            if (!all.get(i).kind().isContainer()) {
                keyLayer = all.get(i).name();
                break;
            }
        }
        return new Rewrite(generator, name, keyLayer);
    }

    /** How many random codes give the key statistics C (default 256), and their seed. */
    public Rewrite keys(int samples, long seed) {
        if (samples <= 0) {
            throw new IllegalArgumentException("need at least one key sample, got " + samples);
        }
        keySamples = samples;
        keySeed = seed;
        return this;
    }

    /** Ridge added to C, relative to its mean eigenvalue (default 1e-3): keeps dead channels from blowing d up. */
    public Rewrite regularization(double relative) {
        if (!(relative >= 0)) {
            throw new IllegalArgumentException("regularization must be >= 0, got " + relative);
        }
        regularization = relative;
        return this;
    }

    /**
     * Where the rule applies: codes {@code n x zDim x 1 x 1} and masks {@code n x H x W} (weights >= 0, at the
     * image's or the layer input's resolution); k* is the mask-weighted mean key.
     */
    public Rewrite context(Tensor z, Tensor masks) {
        contextZ = z;
        contextMask = masks;
        return this;
    }

    /** The new value: v* = W k_src, what the layer writes now at the masked source regions (copy and paste). */
    public Rewrite copy(Tensor z, Tensor masks) {
        sourceZ = z;
        sourceMask = masks;
        target = null;
        return this;
    }

    /** The new value v* given directly ({@code C_out * kH * kW} values, the layer's weight order). */
    public Rewrite target(float[] value) {
        target = value.clone();
        sourceZ = null;
        return this;
    }

    /** How many samples the before/after grid shows (default 8) and their seed. */
    public Rewrite preview(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("preview needs at least one sample, got " + n);
        }
        previewCount = n;
        previewSeed = seed;
        return this;
    }

    /** The layer whose output is the key (the layer's input), or null when the keys are the codes z. */
    public String keyLayer() {
        return keyLayer;
    }

    /** Makes the edited generator (the original is not changed) with before/after samples. */
    public RewriteResult apply() {
        if (contextZ == null) {
            throw new IllegalStateException("say where the rule applies: context(z, masks)");
        }
        if (sourceZ == null && target == null) {
            throw new IllegalStateException("say what to write there: copy(z, masks) or target(value)");
        }
        Network net = generator.network();
        long[] shape = net.parameters().get(layer + ".weight").getShape().getShape();
        int n = (int) shape[0];
        int m = (int) (shape[1] * shape[2] * shape[3]);
        DMatrixRMaj w = valueMatrix(net.parameters().get(layer + ".weight").toFloatArray(), n, m);
        DMatrixRMaj c = keySecondMoment(generator.sampleZ(keySamples, keySeed));
        double ridge = regularization * CommonOps_DDRM.trace(c) / n;
        for (int i = 0; i < n; i++) {
            c.add(i, i, ridge);
        }
        DMatrixRMaj kStar = meanKey(contextZ, contextMask);
        DMatrixRMaj vStar;
        if (target != null) {
            if (target.length != m) {
                throw new IllegalArgumentException("target value needs " + m + " values (C_out*kH*kW of " + layer
                        + "), got " + target.length);
            }
            vStar = new DMatrixRMaj(m, 1);
            for (int i = 0; i < m; i++) {
                vStar.set(i, 0, target[i]);
            }
        } else {
            vStar = new DMatrixRMaj(m, 1);
            CommonOps_DDRM.mult(w, meanKey(sourceZ, sourceMask), vStar);
        }
        DMatrixRMaj d = new DMatrixRMaj(n, 1);
        DMatrixRMaj edited = rankOneUpdate(w, c, kStar, vStar, d);
        float[] newWeight = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < m; r++) {
                newWeight[i * m + r] = (float) edited.get(r, i);
            }
        }
        Network changed = net.withParameters(Map.of(layer + ".weight", Tensor.of(newWeight, shape)),
                net.source() + ", rewritten at " + layer);
        Generator after = Generator.of(changed, generator.zDim());
        Tensor z = generator.sampleZ(previewCount, previewSeed);
        return new RewriteResult(generator, after, layer, z, generator.generate(z), after.generate(z),
                column(kStar), column(vStar), column(d));
    }

    /**
     * The constrained least-squares edit: the W' closest to W on the keys (min sum_k |W'k - Wk|^2 with the
     * keys' second moment {@code c}) such that {@code W' kStar = vStar}. Writes C^-1 k* into {@code dOut}.
     */
    static DMatrixRMaj rankOneUpdate(DMatrixRMaj w, DMatrixRMaj c, DMatrixRMaj kStar, DMatrixRMaj vStar,
                                     DMatrixRMaj dOut) {
        if (!CommonOps_DDRM.solve(c, kStar, dOut)) {
            throw new IllegalStateException("the key second moment is singular; raise regularization(...)");
        }
        double dk = CommonOps_DDRM.dot(dOut, kStar);
        DMatrixRMaj lambda = new DMatrixRMaj(w.numRows, 1);
        CommonOps_DDRM.mult(w, kStar, lambda);
        CommonOps_DDRM.subtract(vStar, lambda, lambda);
        CommonOps_DDRM.divide(lambda, dk);
        DMatrixRMaj out = w.copy();
        CommonOps_DDRM.multAddTransB(lambda, dOut, out);
        return out;
    }

    /** torch's ConvTranspose2d weight {@code C_in x C_out x kH x kW} as the value matrix W ({@code m x C_in}). */
    static DMatrixRMaj valueMatrix(float[] weight, int n, int m) {
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < m; r++) {
                w.set(r, i, weight[i * m + r]);
            }
        }
        return w;
    }

    /** The keys (this layer's inputs) for codes z: {@code N x C_in x h x w}. */
    private Tensor keys(Tensor z) {
        if (keyLayer == null) {
            return z;
        }
        return generator.generate(z, Forward.capture(keyLayer)).get(keyLayer);
    }

    private DMatrixRMaj keySecondMoment(Tensor z) {
        int batch = 32;
        DMatrixRMaj c = null;
        long count = 0;
        long total = z.dim(0);
        float[] zs = z.toFloatArray();
        int zDim = generator.zDim();
        for (long from = 0; from < total; from += batch) {
            int b = (int) Math.min(batch, total - from);
            float[] part = java.util.Arrays.copyOfRange(zs, (int) from * zDim, (int) (from + b) * zDim);
            Tensor k = keys(Tensor.of(part, b, zDim, 1, 1));
            long[] s = k.shape();
            int n = (int) s[1];
            int hw = (int) (s[2] * s[3]);
            // keys as columns: one n x (b*hw) matrix, then C += K K^T
            DMatrixRMaj kk = new DMatrixRMaj(n, b * hw);
            float[] v = k.toFloatArray();
            for (int i = 0; i < b; i++) {
                for (int ch = 0; ch < n; ch++) {
                    for (int p = 0; p < hw; p++) {
                        kk.set(ch, i * hw + p, v[(i * n + ch) * hw + p]);
                    }
                }
            }
            if (c == null) {
                c = new DMatrixRMaj(n, n);
            }
            CommonOps_DDRM.multAddTransB(kk, kk, c);
            count += (long) b * hw;
        }
        CommonOps_DDRM.divide(c, count);
        return c;
    }

    /** The mask-weighted mean key; masks at the key grid or an integer multiple of it (area-averaged down). */
    private DMatrixRMaj meanKey(Tensor z, Tensor masks) {
        Tensor k = keys(z);
        long[] s = k.shape();
        int b = (int) s[0];
        int n = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        long[] ms = masks.shape();
        if (ms.length == 4 && ms[1] == 1) {
            masks = masks.reshape(ms[0], ms[2], ms[3]);
            ms = masks.shape();
        }
        if (ms.length != 3 || ms[0] != b || ms[1] % h != 0 || ms[2] % w != 0 || ms[1] / h != ms[2] / w) {
            throw new IllegalArgumentException("masks must be " + b + " x H x W with H, W the key grid " + h + "x" + w
                    + " or a multiple (the image), got " + java.util.Arrays.toString(ms));
        }
        int f = (int) (ms[1] / h);
        float[] mv = masks.toFloatArray();
        float[] kv = k.toFloatArray();
        DMatrixRMaj mean = new DMatrixRMaj(n, 1);
        double weight = 0;
        for (int i = 0; i < b; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double a = 0;
                    for (int dy = 0; dy < f; dy++) {
                        for (int dx = 0; dx < f; dx++) {
                            a += mv[(int) ((i * ms[1] + y * f + dy) * ms[2] + x * f + dx)];
                        }
                    }
                    a /= f * f;
                    if (a <= 0) {
                        continue;
                    }
                    weight += a;
                    for (int ch = 0; ch < n; ch++) {
                        mean.add(ch, 0, a * kv[((i * n + ch) * h + y) * w + x]);
                    }
                }
            }
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("the masks select nothing: every weight is 0");
        }
        CommonOps_DDRM.divide(mean, weight);
        return mean;
    }

    private static float[] column(DMatrixRMaj v) {
        float[] out = new float[v.getNumElements()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) v.get(i);
        }
        return out;
    }

    /** Names of the layers {@link #of} accepts. */
    public static List<String> rewritableLayers(Generator generator) {
        List<String> out = new ArrayList<>();
        for (Layer l : generator.network().allLayers()) {
            if (l.kind() == LayerKind.CONV_TRANSPOSE2D) {
                out.add(l.name());
            }
        }
        return out;
    }
}
