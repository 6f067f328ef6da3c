package dev.neurolens.run;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a running technique reports to its listener: the step, of how many, the values it tracks (losses,
 * accuracies) and, when it makes pictures, the current one. The picture is drawn only when asked for, so a listener
 * that reads numbers costs nothing; ask for it inside the listener, because the step's arrays are freed when the
 * listener returns.
 */
public final class Frame {
    private final String technique;
    private final int step;
    private final int steps;
    private final Map<String, Double> values;
    private final Supplier<BufferedImage> picture;
    private BufferedImage drawn;
    private boolean delivered;

    public Frame(String technique, int step, int steps, Map<String, Double> values, Supplier<BufferedImage> picture) {
        this.technique = technique;
        this.step = step;
        this.steps = steps;
        this.values = Map.copyOf(values);
        this.picture = picture;
    }

    public String technique() {
        return technique;
    }

    /** Steps done so far (1 after the first). */
    public int step() {
        return step;
    }

    public int steps() {
        return steps;
    }

    /** The tracked values at this step, by name ("loss", "style", "accuracy" …). */
    public Map<String, Double> values() {
        return values;
    }

    /** The picture at this step, or null for a technique that makes none. */
    public synchronized BufferedImage picture() {
        if (drawn == null && picture != null) {
            if (delivered) {
                throw new IllegalStateException("call picture() inside the listener: the step's arrays are freed"
                        + " when it returns (keep the picture, not the frame)");
            }
            drawn = picture.get();
        }
        return drawn;
    }

    /** Hands this frame to {@code listener}; afterwards only a picture drawn during the call can be read. */
    public void deliverTo(java.util.function.Consumer<Frame> listener) {
        try {
            listener.accept(this);
        } finally {
            synchronized (this) {
                delivered = true;
            }
        }
    }

    @Override
    public String toString() {
        return technique + " step " + step + "/" + steps + " " + values;
    }
}
