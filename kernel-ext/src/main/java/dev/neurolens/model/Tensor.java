package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable float32 tensor held on the Java heap: results copied out of native memory, or inputs
 * that have not been sent to a device yet. Row-major (C order), like torch.
 */
public final class Tensor implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final long[] shape;
    private final float[] data;

    private Tensor(long[] shape, float[] data) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values but " + data.length + " were given");
        }
        this.shape = shape;
        this.data = data;
    }

    /** A tensor of the given shape over a copy of {@code data}. */
    /**
     * This tensor, or one clear error naming {@code what} and the first NaN or infinite value: a NaN picture would
     * otherwise give NaN logits, a "prediction" and a rendered map of nothing.
     */
    public Tensor requireFinite(String what) {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new IllegalArgumentException(what + " contains " + data[i] + " at flat index " + i + " (shape "
                        + java.util.Arrays.toString(shape) + "); replace NaN/infinite values first");
            }
        }
        return this;
    }

    public static Tensor of(float[] data, long... shape) {
        return new Tensor(shape.clone(), data.clone());
    }

    /** Takes ownership of the array without copying; for internal producers that never touch it again. */
    static Tensor wrap(float[] data, long... shape) {
        return new Tensor(shape.clone(), data);
    }

    public static Tensor zeros(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new Tensor(shape.clone(), new float[Math.toIntExact(n)]);
    }

    /** Copies a native array (any float-convertible dtype, any device) to the heap. */
    public static Tensor from(NDArray array) {
        NDArray a = array;
        boolean tmp = false;
        if (a.getDataType() != DataType.FLOAT32) {
            a = a.toType(DataType.FLOAT32, false);
            tmp = true;
        }
        float[] values = a.toFloatArray();
        long[] s = a.getShape().getShape();
        if (tmp) {
            a.close();
        }
        return new Tensor(s, values);
    }

    /** A native copy owned by {@code manager} (and living on its device). */
    public NDArray toNDArray(NDManager manager) {
        ByteBuffer buf = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder());
        buf.asFloatBuffer().put(data);
        return manager.create(buf, new Shape(shape), DataType.FLOAT32);
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int size() {
        return data.length;
    }

    /** A copy of the values in row-major order. */
    public float[] toFloatArray() {
        return data.clone();
    }

    /** The value at a full index. */
    public float get(long... index) {
        return data[offset(index)];
    }

    /** The value at a flat row-major position. */
    public float getFlat(int i) {
        return data[i];
    }

    /** The sub-tensor at {@code i} along the first axis (e.g. one image of a batch). */
    public Tensor slice(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " out of " + Arrays.toString(shape));
        }
        int inner = data.length / (int) shape[0];
        return new Tensor(Arrays.copyOfRange(shape, 1, shape.length),
                Arrays.copyOfRange(data, i * inner, (i + 1) * inner));
    }

    /** Entries {@code from .. from + n - 1} along the first axis, which is kept (a batch of a batch). */
    public Tensor rows(int from, int n) {
        if (shape.length == 0 || from < 0 || n < 0 || from + n > shape[0]) {
            throw new IndexOutOfBoundsException("rows " + from + " .. " + (from + n - 1) + " out of "
                    + Arrays.toString(shape));
        }
        int inner = data.length / (int) shape[0];
        long[] s = shape.clone();
        s[0] = n;
        return new Tensor(s, Arrays.copyOfRange(data, from * inner, (from + n) * inner));
    }

    public Tensor reshape(long... newShape) {
        return new Tensor(newShape.clone(), data);
    }

    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            m = Math.max(m, v);
        }
        return m;
    }

    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : data) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** Index of the largest value, flat. */
    public int argMax() {
        int best = 0;
        for (int i = 1; i < data.length; i++) {
            if (data[i] > data[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Largest absolute difference to {@code other} divided by the largest absolute value of {@code other}. */
    public double relativeError(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " vs "
                    + Arrays.toString(other.shape));
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < data.length; i++) {
            diff = Math.max(diff, Math.abs(data[i] - other.data[i]));
            scale = Math.max(scale, Math.abs(other.data[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private int offset(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape "
                    + Arrays.toString(shape));
        }
        long off = 0;
        for (int k = 0; k < shape.length; k++) {
            if (index[k] < 0 || index[k] >= shape[k]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of "
                        + Arrays.toString(shape));
            }
            off = off * shape[k] + index[k];
        }
        return (int) off;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
