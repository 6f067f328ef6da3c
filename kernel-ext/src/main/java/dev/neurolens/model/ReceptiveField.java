package dev.neurolens.model;

/**
 * Receptive field of a layer's units along one spatial axis (the architectures here are square): unit
 * {@code i} sees input pixels {@code [offset + i*stride, offset + i*stride + size)}. A negative offset means
 * the field of the first unit reaches into the padding. Global layers (adaptive pooling, fully connected)
 * see the whole input.
 */
public record ReceptiveField(int size, int stride, int offset, boolean global) {

    /** The input itself: every pixel sees itself. */
    public static final ReceptiveField INPUT = new ReceptiveField(1, 1, 0, false);

    public static ReceptiveField whole() {
        return new ReceptiveField(Integer.MAX_VALUE, 1, 0, true);
    }

    /** After a sliding window (convolution or pooling) with the given geometry. */
    public ReceptiveField then(int kernel, int stride, int padding, int dilation) {
        if (global) {
            return this;
        }
        int effective = dilation * (kernel - 1) + 1;
        return new ReceptiveField(size + (effective - 1) * this.stride, this.stride * stride,
                offset - padding * this.stride, false);
    }

    /** The field of a sum or concatenation of two branches over the same grid. */
    public ReceptiveField union(ReceptiveField other) {
        if (global || other.global) {
            return whole();
        }
        if (stride != other.stride) {
            throw new IllegalArgumentException("branches with different strides: " + this + " and " + other);
        }
        int lo = Math.min(offset, other.offset);
        int hi = Math.max(offset + size, other.offset + other.size);
        return new ReceptiveField(hi - lo, stride, lo, false);
    }

    /** First input pixel seen by unit {@code i} (may be negative: padding). */
    public int start(int i) {
        return global ? 0 : offset + i * stride;
    }

    /** One past the last input pixel seen by unit {@code i}. */
    public int end(int i) {
        return global ? Integer.MAX_VALUE : offset + i * stride + size;
    }

    /** Centre of unit {@code i}'s field in input pixel coordinates. */
    public double center(int i) {
        return start(i) + (size - 1) / 2.0;
    }

    @Override
    public String toString() {
        return global ? "ReceptiveField[global]"
                : "ReceptiveField[size=" + size + ", stride=" + stride + ", offset=" + offset + "]";
    }
}
