package dev.neurolens.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.NonFiniteException;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The step loop the trainers share: each step runs in its own native scope; the kernel's interrupt ends the loop
 * between steps; a NaN or infinity ends it too, and the weights as they were before the last step whose losses
 * were finite are what the trainer keeps. Updates change the weights in place, so each step starts from a copy.
 */
final class GuardedSteps {
    /** One training step; it calls {@link #lossesFinite} once its losses are checked, before any update. */
    interface Step {
        void run(int step, NDManager scope);
    }

    private final Map<String, NDArray> weights;
    private final NDManager state;
    private WeightsSnapshot before;
    private WeightsSnapshot good;
    private int goodStep = -1;
    private int done;
    private NonFiniteException failure;

    /** Guards {@code weights}, whose copies {@code state} owns. */
    GuardedSteps(Map<String, NDArray> weights, NDManager state) {
        this.weights = weights;
        this.state = state;
    }

    /** Runs up to {@code steps} steps, each in a scope from {@code scopes}. */
    void run(int steps, Supplier<NDManager> scopes, Step body) {
        for (int step = 0; step < steps; step++) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            before = WeightsSnapshot.of(weights, state);
            try (NDManager m = scopes.get()) {
                body.run(step, m);
                done = step + 1;
            } catch (ThreadDeath death) {
                break;
            } catch (NonFiniteException e) {
                failure = e;
                break;
            } finally {
                if (before != good) {
                    before.close();
                }
            }
        }
    }

    /** The weights this step started from gave finite losses: they are the last good ones. */
    void lossesFinite(int step) {
        if (good != null) {
            good.close();
        }
        good = before;
        goodStep = step;
    }

    /** After a failure, puts the last good weights back in place; their requiresGradient must be off. */
    void restoreAfterFailure() {
        if (failure != null && good != null) {
            good.restore(weights);
        }
    }

    /** Steps completed. */
    int done() {
        return done;
    }

    /** The step whose starting weights were last seen good; -1 when none. */
    int goodStep() {
        return goodStep;
    }

    /** What stopped the loop early, or null. */
    NonFiniteException failure() {
        return failure;
    }
}
