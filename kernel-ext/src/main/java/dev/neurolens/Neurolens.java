package dev.neurolens;

import dev.neurolens.display.DisplayDefaults;
import dev.neurolens.display.DownloadBar;
import dev.neurolens.homework.SaliencyHomework;
import dev.neurolens.homework.StyleTransferHomework;
import dev.neurolens.magics.ActivationsMagic;
import dev.neurolens.magics.CheckMagic;
import dev.neurolens.magics.ClassVizMagic;
import dev.neurolens.magics.DeviceMagic;
import dev.neurolens.magics.DreamMagic;
import dev.neurolens.magics.FiltersMagic;
import dev.neurolens.magics.HtmlMagic;
import dev.neurolens.magics.MagicRegistry;
import dev.neurolens.magics.NeighborsMagic;
import dev.neurolens.magics.NeurolensMagic;
import dev.neurolens.magics.PaintMagic;
import dev.neurolens.magics.PatchesMagic;
import dev.neurolens.magics.SaliencyMagic;
import dev.neurolens.magics.StyleMagic;
import dev.neurolens.magics.TsneMagic;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.WeightStore;

/**
 * The front door. In a notebook everything starts here ({@code Neurolens.install()} is run by the kernel at
 * start-up, or by hand in a stock IJava kernel through {@link dev.neurolens.kernel.IJavaBridge}).
 */
public final class Neurolens {
    private static boolean installed;

    private Neurolens() {
    }

    /** A model by name: "squeezenet1_1", "alexnet", "vgg16", "vgg19", "resnet18" (weights found or fetched) or "fashion_cnn". */
    public static Network model(String name) {
        return Models.model(name);
    }

    /** The built-in Fashion-MNIST classifier, loaded from the jar: works offline, no download. */
    public static Network defaultModel() {
        return Models.defaultModel();
    }

    /** {@link Models#robustDefaultModel()}: the built-in model adversarially trained, for class pictures. */
    public static Network robustDefaultModel() {
        return Models.robustDefaultModel();
    }

    /**
     * The result of the most recent run of any technique in this JVM, partial ones included: the kernel discards the
     * value of an interrupted cell, so this hands it back in the next one. Null before any run.
     */
    public static Object lastResult() {
        return dev.neurolens.run.LastResults.latest();
    }

    /** Registers the renderers and magics. Idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        DisplayDefaults.register();
        WeightStore.setDownloadProgress(new DownloadBar());
        MagicRegistry.register(new NeurolensMagic());
        MagicRegistry.register(new DeviceMagic());
        MagicRegistry.register(new HtmlMagic());
        // inside the network
        MagicRegistry.register(new FiltersMagic());
        MagicRegistry.register(new ActivationsMagic());
        MagicRegistry.register(new NeighborsMagic());
        MagicRegistry.register(new TsneMagic());
        MagicRegistry.register(new PatchesMagic());
        // attribution
        MagicRegistry.register(new SaliencyMagic());
        // optimization
        MagicRegistry.register(new ClassVizMagic());
        MagicRegistry.register(new DreamMagic());
        MagicRegistry.register(new StyleMagic());
        // painting with neurons (GANPaint)
        MagicRegistry.register(new PaintMagic());
        // homework grading
        MagicRegistry.register(new CheckMagic());
        SaliencyHomework.register();
        StyleTransferHomework.register();
        installed = true;
    }
}
