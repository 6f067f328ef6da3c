package dev.neurolens;

import dev.neurolens.display.DisplayDefaults;
import dev.neurolens.magics.DeviceMagic;
import dev.neurolens.magics.MagicRegistry;
import dev.neurolens.magics.NeurolensMagic;

/**
 * The front door. In a notebook everything starts here ({@code Neurolens.install()} is run by the kernel at
 * start-up, or by hand in a stock IJava kernel through {@link dev.neurolens.kernel.IJavaBridge}).
 */
public final class Neurolens {
    private static boolean installed;

    private Neurolens() {
    }

    /** Registers the renderers and magics. Idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        DisplayDefaults.register();
        MagicRegistry.register(new NeurolensMagic());
        MagicRegistry.register(new DeviceMagic());
        installed = true;
    }
}
