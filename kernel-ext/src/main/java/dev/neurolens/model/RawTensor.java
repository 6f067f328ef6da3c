package dev.neurolens.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A tensor read from a weights file: its shape, the dtype it was stored with, and its values converted to
 * float32 in a direct native-order buffer (ready for {@code NDManager.create} without another copy).
 */
public record RawTensor(long[] shape, String storedType, ByteBuffer data) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public float[] toFloatArray() {
        float[] out = new float[(int) numel()];
        data.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out);
        return out;
    }

    public static RawTensor ofFloats(float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        FloatBuffer fb = buf.asFloatBuffer();
        fb.put(values);
        return new RawTensor(shape.clone(), "float32", buf);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
