package dev.neurolens.display;

import java.util.Locale;

/**
 * What watching a loop costs: the same loop of 5 ms work steps run bare, then with a LiveDisplay redrawing a
 * 224x224 picture and a Progress bar on every step. Prints the added wall time as a share of the bare loop.
 * Not a test; run with
 * {@code java -cp ... dev.neurolens.display.LiveDisplayOverheadBench [steps] [workMs] [rounds]}.
 */
public final class LiveDisplayOverheadBench {
    private static final int SIDE = 224;
    private static volatile double blackhole;

    /** Stands in for the kernel: serializing a bundle to its JSON message costs about a pass over its bytes. */
    static final class SerializingSink implements DisplaySink {
        long bytes;

        @Override
        public void display(MimeBundle bundle, String displayId) {
            send(bundle, displayId);
        }

        @Override
        public void update(MimeBundle bundle, String displayId) {
            send(bundle, displayId);
        }

        private void send(MimeBundle bundle, String id) {
            StringBuilder json = new StringBuilder("{\"display_id\":\"").append(id).append("\",\"data\":{");
            bundle.data().forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
            bytes += json.append("}}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        double workMs = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        System.setProperty("java.awt.headless", "true");
        float[] picture = new float[SIDE * SIDE * 3];

        // Warm up both paths so the JIT and the PNG encoder are not billed to either measurement.
        run(300, workMs, picture, false);
        run(300, workMs, picture, true);

        // Alternate the two and keep each one's fastest run: interference from other processes only adds time.
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long bare = Long.MAX_VALUE;
        long watched = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            bare = Math.min(bare, run(steps, workMs, picture, false));
            watched = Math.min(watched, run(steps, workMs, picture, true));
        }
        System.out.printf(Locale.ROOT, "steps=%d work=%.1f ms, best of %d%n", steps, workMs, rounds);
        System.out.printf(Locale.ROOT, "bare loop:    %.3f s%n", bare / 1e9);
        System.out.printf(Locale.ROOT, "with display: %.3f s%n", watched / 1e9);
        System.out.printf(Locale.ROOT, "overhead: %.2f%%%n", 100.0 * (watched - bare) / bare);
    }

    /** One loop; returns its wall time in nanoseconds. */
    private static long run(int steps, double workMs, float[] picture, boolean watch) {
        SerializingSink sink = new SerializingSink();
        LiveDisplay live = watch ? LiveDisplay.builder().sink(sink).build() : null;
        Progress progress = watch ? Progress.builder().total(steps).label("optimizing").sink(sink).start() : null;
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            double loss = work(workMs, picture, step);
            if (watch) {
                int s = step;
                live.update(() -> ImageView.of(Images.fromFloats(picture, SIDE, SIDE, 3)).title("step " + s));
                progress.set("loss", loss).step();
            }
        }
        if (watch) {
            live.close();
            progress.close();
        }
        long elapsed = System.nanoTime() - t0;
        if (watch) {
            System.out.println("  image:    " + live.stats());
            System.out.println("  progress: " + progress.stats());
        }
        return elapsed;
    }

    /** Busy arithmetic for workMs, nudging the picture so every frame differs; returns a fake loss. */
    private static double work(double workMs, float[] picture, int step) {
        long end = System.nanoTime() + (long) (workMs * 1e6);
        double acc = 0;
        int i = step * 7919 % picture.length;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 256; k++) {
                acc += Math.sin(acc + k) * 1e-3;
            }
            picture[i] = (float) ((picture[i] + 0.37 + acc * 1e-3) % 1.0);
            i = (i + 3) % picture.length;
        }
        blackhole = acc;
        return 2.0 / (1 + step * 0.01);
    }
}
