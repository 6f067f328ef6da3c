package dev.neurolens.model.internal;

import ai.djl.pytorch.jni.JniUtils;

/** Grad-mode helpers. PyTorch's grad mode is per thread, and a notebook runs cells on fresh threads (mode on). */
public final class Autograd {
    private Autograd() {
    }

    /**
     * Runs {@code update} with grad mode off: optimizers update parameters (leaves that require grad) in place,
     * which PyTorch refuses while grad mode is on.
     */
    public static void noGrad(Runnable update) {
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            update.run();
        } finally {
            JniUtils.setGradMode(mode);
        }
    }
}
