package dev.neurolens.attribution;
import ai.djl.ndarray.*;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.*;
public class ScratchGather {
    interface Op { Object run(); }
    static void time(String name, Op op) {
        op.run();
        long t = System.nanoTime();
        int reps = 20;
        for (int i = 0; i < reps; i++) op.run();
        System.out.printf("%-40s %8.3f ms%n", name, (System.nanoTime() - t) / 1e6 / reps);
    }
    public static void main(String[] a) {
        Devices.setThreads(1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray base = m.randomNormal(new Shape(64, 55 * 55));
            NDArray win = m.randomNormal(new Shape(49, 64, 9, 9));
            long[] idx = new long[49 * 11 * 11];
            for (int i = 0; i < idx.length; i++) idx[i] = (i * 7919L) % (55 * 55);
            NDArray ia = m.create(idx);
            time("create idx", () -> { try (NDManager s = m.newSubManager()) { return s.create(idx); } });
            time("transpose reshape win", () -> { try (NDManager s = m.newSubManager()) { NDArray w = win.duplicate(); w.attach(s); return w.transpose(1,0,2,3).reshape(64, -1); } });
            time("concat", () -> { try (NDManager s = m.newSubManager()) { NDArray b = base.get(s, new NDIndex(":")); return b.concat(b, 1); } });
            time("get adv index", () -> { try (NDManager s = m.newSubManager()) { NDArray b = base.get(s, new NDIndex(":")); return b.get(new NDIndex(":, {}", ia)); } });
            time("take/index via gather dim", () -> { try (NDManager s = m.newSubManager()) { NDArray b = base.get(s, new NDIndex(":")); return b.transpose().get(ia); } });
            time("full pad", () -> { try (NDManager s = m.newSubManager()) { return s.full(new Shape(64, 1), -1f); } });
        }
    }
}
