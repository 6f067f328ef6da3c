package dev.neurolens.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.neurolens.attribution.Attributions;
import dev.neurolens.attribution.Target;
import dev.neurolens.optimize.StyleTransfer;

/**
 * A memory soak (a benchmark, not a test): RSS after a GC while networks are created, run and closed, and while
 * each attribution method and style transfer run again and again. A leak shows as a trend after the first rounds
 * (malloc arenas and libtorch's caches warm up in them). {@code ./neurolens bench memory [cycles] [calls]}.
 */
public final class MemorySoak {
    private MemorySoak() {
    }

    static long rssMb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS")) {
                return Long.parseLong(l.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    private static long settledRss() throws Exception {
        System.gc();
        Thread.sleep(100);
        return rssMb();
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call} n times, printing RSS at five points, and the growth from the second point to the last. */
    private static void soak(String what, int n, Call call) throws Exception {
        long[] rss = new long[5];
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rss.length; k++) {
            for (int i = 0; i < n / rss.length; i++) {
                call.run();
            }
            rss[k] = settledRss();
            sb.append(' ').append(rss[k]);
        }
        System.out.printf("%-44s RSS MB after each fifth:%s  growth after warm-up %+.1f%%%n", what + " x" + n, sb,
                100.0 * (rss[4] - rss[1]) / rss[1]);
    }

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        System.out.println("start: RSS " + settledRss() + " MB; " + Devices.convolutions());
        Tensor image224 = Tensor.zeros(1, 3, 224, 224);
        int[] seed = {0};
        soak("squeezenet1_1 create, run, close", cycles, () -> {
            try (Network net = Models.random("squeezenet1_1", seed[0]++)) {
                net.logits(image224);
            }
        });
        try (Network net = Models.defaultModel()) {
            float[] px = new float[28 * 28];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) Math.sin(i * 0.1);
            }
            Tensor x = Tensor.of(px, 1, 1, 28, 28);
            for (String name : Attributions.names()) {
                soak("attribution " + name + " (default model)", calls,
                        () -> Attributions.method(name).attribute(net, x, Target.classIndex(1)));
            }
        }
        try (Network vgg = Models.random("vgg16", 1)) {
            BufferedImage content = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
            BufferedImage style = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 96; y++) {
                for (int x = 0; x < 96; x++) {
                    content.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 128);
                    style.setRGB(x, y, ((x + y) / 8 % 2 == 0) ? 0xd0a020 : 0x2040a0);
                }
            }
            soak("style transfer, 5 steps at 64 px (random vgg16)", Math.max(5, calls / 50),
                    () -> StyleTransfer.of(vgg).content(content).style(style).size(64).steps(5).live(false).run());
        }
    }
}
