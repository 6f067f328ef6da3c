package dev.neurolens.optimize;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a render produced: the best image (lowest loss) and the last, the loss history per term, recorded
 * frames, and how the run ended. Immutable; shows itself as the picture beside its loss curves.
 */
public final class RenderResult implements Displayable {
    private final String title;
    private final Preprocessing preprocessing;
    private final Tensor best;
    private final Tensor last;
    private final Map<String, double[]> losses;
    private final int steps;
    private final int plannedSteps;
    private final int bestStep;
    private final boolean interrupted;
    private final String note;
    private final double seconds;
    private final List<BufferedImage> frames;
    private final List<BufferedImage> alongside;
    private final List<String> alongsideCaptions;

    RenderResult(String title, Preprocessing preprocessing, Tensor best, Tensor last, Map<String, double[]> losses,
                 int steps, int plannedSteps, int bestStep, boolean interrupted, String note, double seconds,
                 List<BufferedImage> frames, List<BufferedImage> alongside, List<String> alongsideCaptions) {
        this.title = title;
        this.preprocessing = preprocessing;
        this.best = best;
        this.last = last;
        Map<String, double[]> copy = new LinkedHashMap<>();
        losses.forEach((k, v) -> copy.put(k, v.clone()));
        this.losses = Collections.unmodifiableMap(copy);
        this.steps = steps;
        this.plannedSteps = plannedSteps;
        this.bestStep = bestStep;
        this.interrupted = interrupted;
        this.note = note;
        this.seconds = seconds;
        this.frames = List.copyOf(frames);
        this.alongside = List.copyOf(alongside);
        this.alongsideCaptions = List.copyOf(alongsideCaptions);
    }

    /** Pictures of a normalized [N, C, H, W] batch. */
    static List<BufferedImage> pictures(Tensor t, Preprocessing p) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < t.dim(0); i++) {
            out.add(p.toImage(t.slice(i)));
        }
        return out;
    }

    /** The best image (lowest loss), first of the batch. */
    public BufferedImage image() {
        return images().get(0);
    }

    /** The best images, one per batch entry. */
    public List<BufferedImage> images() {
        return pictures(best, preprocessing);
    }

    /** The best image in normalized input space, [N, C, H, W]. */
    public Tensor tensor() {
        return best;
    }

    /** The image after the last step, normalized input space. */
    public Tensor lastTensor() {
        return last;
    }

    public BufferedImage lastImage() {
        return pictures(last, preprocessing).get(0);
    }

    /** Loss per step by term name ("total" too when there are several terms). */
    public Map<String, double[]> losses() {
        return losses;
    }

    /** The total loss per step. */
    public double[] totalLoss() {
        double[] t = losses.get("total");
        if (t != null) {
            return t.clone();
        }
        return losses.isEmpty() ? new double[0] : losses.values().iterator().next().clone();
    }

    public double bestLoss() {
        double[] t = totalLoss();
        return bestStep < 0 || bestStep >= t.length ? Double.NaN : t[bestStep];
    }

    /** Steps run. */
    public int steps() {
        return steps;
    }

    public int bestStep() {
        return bestStep;
    }

    public boolean interrupted() {
        return interrupted;
    }

    /** Why the run ended early, or null. */
    public String note() {
        return note;
    }

    public double seconds() {
        return seconds;
    }

    public String title() {
        return title;
    }

    /** Frames kept with recordEvery(n), oldest first. */
    public List<BufferedImage> frames() {
        return frames;
    }

    public XYChart lossChart() {
        return Figures.lossChart(losses, Math.max(plannedSteps, steps), "loss");
    }

    /** Writes the best image as PNG. */
    public Path savePng(Path file) {
        try {
            Files.write(file, Images.toPng(image()));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the recorded frames as frame_000.png, … into {@code dir}. */
    public List<Path> saveFrames(Path dir) {
        requireFrames();
        try {
            Files.createDirectories(dir);
            List<Path> out = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                Path f = dir.resolve(String.format(Locale.ROOT, "frame_%03d.png", i));
                Files.write(f, Images.toPng(frames.get(i)));
                out.add(f);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write frames to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the recorded frames as a looping animated GIF. */
    public Path saveGif(Path file, int delayMillis) {
        requireFrames();
        Gif.write(frames, file, delayMillis);
        return file;
    }

    private void requireFrames() {
        if (frames.isEmpty()) {
            throw new IllegalStateException("no frames were recorded; build the render with recordEvery(n)");
        }
    }

    /** One line: steps, time, final and best loss, how it ended. */
    public String summary() {
        double[] t = totalLoss();
        return String.format(Locale.ROOT, "%s: %d steps in %.1f s, loss %.4g → %.4g (best %.4g at step %d)%s",
                title, steps, seconds, t.length == 0 ? Double.NaN : t[0], t.length == 0 ? Double.NaN : t[t.length - 1],
                bestLoss(), bestStep + 1, note == null ? "" : "; " + note);
    }

    public BufferedImage render() {
        List<BufferedImage> imgs = new ArrayList<>(alongside);
        List<String> caps = new ArrayList<>(alongsideCaptions);
        List<BufferedImage> pics = images();
        imgs.addAll(pics);
        for (int i = 0; i < pics.size(); i++) {
            caps.add(interrupted ? "best so far (step " + (bestStep + 1) + ")" : "result");
        }
        String head = String.format(Locale.ROOT, "%s · %d steps · %.1f s%s", title, steps, seconds,
                interrupted ? " · interrupted, best kept" : (note != null ? " · " + note : ""));
        return Figures.frame(head, imgs, caps, lossChart());
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.png(Images.toPng(render()), summary());
    }

    @Override
    public String toString() {
        return summary();
    }
}
