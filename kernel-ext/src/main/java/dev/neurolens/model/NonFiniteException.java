package dev.neurolens.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * An iterative loop (optimizing a picture, sampling a chain, training a network) met NaN or infinity. Every loop of
 * the project stops with this one exception, so a notebook shows one line naming the technique, the step and the
 * quantity that went bad, and where the last good result was kept:
 * <pre>
 * style transfer: the style loss became NaN at step 37; the last good picture (step 36) is kept in
 * Render.lastResult(). Lower the learning rate or the loss weights.
 * </pre>
 * A loop checks with {@link #check(float, String, String, int)} (a value it already has on the heap) or
 * {@link #check(NDArray, String, String, int)} (one native reduction, no copy); both throw without saying where
 * anything was kept, because only the loop knows: it catches the exception where it can build its last good result
 * and rethrows {@link #keeping}. Steps count updates: the picture, code or weights at step k have had k updates.
 */
public final class NonFiniteException extends ArithmeticException {
    private final String technique;
    private final String quantity;
    private final int step;
    private final String value;
    private final String kept;
    private final String advice;
    private final transient Object lastGood;

    private NonFiniteException(String technique, String quantity, int step, String value, String kept, String advice,
                               Object lastGood) {
        super(message(technique, quantity, step, value, kept, advice));
        this.technique = technique;
        this.quantity = quantity;
        this.step = step;
        this.value = value;
        this.kept = kept;
        this.advice = advice;
        this.lastGood = lastGood;
    }

    private static String message(String technique, String quantity, int step, String value, String kept,
                                  String advice) {
        return technique + ": " + quantity + " became " + value + " at step " + step
                + (kept == null ? "" : "; " + kept) + (advice == null ? "" : ". " + advice);
    }

    /** Returns {@code v}, or throws when it is NaN or infinite. */
    public static float check(float v, String technique, String quantity, int step) {
        if (!Float.isFinite(v)) {
            throw new NonFiniteException(technique, quantity, step, describe(v), null, null, null);
        }
        return v;
    }

    /** Returns {@code v}, or throws when any of its values is NaN or infinite. */
    public static float[] check(float[] v, String technique, String quantity, int step) {
        for (float x : v) {
            check(x, technique, quantity, step);
        }
        return v;
    }

    /** Returns {@code a}, or throws when any of its values is NaN or infinite (one reduction on the device). */
    public static NDArray check(NDArray a, String technique, String quantity, int step) {
        if (!isFinite(a)) {
            throw new NonFiniteException(technique, quantity, step,
                    a.isNaN().any().getBoolean() ? "NaN" : "infinite", null, null, null);
        }
        return a;
    }

    /**
     * Checks the gradient of every parameter before an optimizer changes them in place, naming the first bad one
     * ("the gradient of 'main.0.weight'"); the gradients' handles go to {@code scope}.
     */
    public static void checkGradients(Map<String, NDArray> params, NDManager scope, String technique, int step) {
        for (var e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scope);
            check(g, technique, "the gradient of '" + e.getKey() + "'", step);
        }
    }

    /** Whether every value of {@code a} is finite. */
    public static boolean isFinite(NDArray a) {
        // isNaN / isInfinite stay exact where a sum could overflow; any() reads back one boolean
        return !a.isNaN().logicalOr(a.isInfinite()).any().getBoolean();
    }

    private static String describe(float v) {
        return Float.isNaN(v) ? "NaN" : "infinite (" + v + ")";
    }

    /**
     * The same failure, saying where the last good result is ({@code kept}, a clause such as "the last good picture
     * (step 36) is kept in Render.lastResult()") and what to try ({@code advice}, a sentence); {@code lastGood} is
     * that result, or null when there is none.
     */
    public NonFiniteException keeping(Object lastGood, String kept, String advice) {
        NonFiniteException e = new NonFiniteException(technique, quantity, step, value, kept, advice, lastGood);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The same failure under another technique's name and step count (a recipe running loops in sequence). */
    public NonFiniteException as(String technique, int step) {
        NonFiniteException e = new NonFiniteException(technique, quantity, step, value, kept, advice, lastGood);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The technique's name as users know it ("style transfer", "PPGN sampling", "GAN training"). */
    public String technique() {
        return technique;
    }

    /** What went bad: "the style loss", "the gradient of the picture", "the codes". */
    public String quantity() {
        return quantity;
    }

    /** The step at which it went bad (updates so far). */
    public int step() {
        return step;
    }

    /** "NaN" or "infinite (…)". */
    public String value() {
        return value;
    }

    /** The last good result (a RenderResult, a PlugAndPlayResult, a Generator, …), or null when there is none. */
    public Object lastGood() {
        return lastGood;
    }
}
