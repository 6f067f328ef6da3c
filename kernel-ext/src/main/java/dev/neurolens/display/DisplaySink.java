package dev.neurolens.display;

/**
 * Where displays go: the running kernel's IOPub channel, a stock IJava kernel, or (outside a kernel) stdout.
 * A display id ties later updates to the output they replace (Jupyter's update_display_data).
 */
public interface DisplaySink {
    void display(MimeBundle bundle, String displayId);

    void update(MimeBundle bundle, String displayId);
}
