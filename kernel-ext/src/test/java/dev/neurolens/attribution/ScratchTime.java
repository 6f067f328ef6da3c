package dev.neurolens.attribution;
import ai.djl.ndarray.*;
import dev.neurolens.model.*;
public class ScratchTime {
    public static void main(String[] a) {
        Devices.setThreads(2);
        Tensor x = AttributionBenchmark.randomInput();
        try (Network net = Models.random(a[0], 0)) {
            for (int r = 0; r < 8; r++) {
                try (NDManager s = net.newScope()) {
                    NDArray in = x.toNDArray(s);
                    long t = System.nanoTime();
                    net.forward(in, Forward.plain()).get(Network.OUTPUT).toFloatArray();
                    System.out.printf("%.1f ms%n", (System.nanoTime() - t) / 1e6);
                }
            }
        }
    }
}
