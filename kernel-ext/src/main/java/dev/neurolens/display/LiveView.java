package dev.neurolens.display;

/**
 * A displayable that is redrawn in place after it was shown (an interactive painter): it keeps one display id,
 * and the kernel shows it under that id whether it is a cell's value or passed to {@code display(x)}, so later
 * {@link Display#update} calls reach every output showing it (and the saved notebook keeps the latest frame).
 */
public interface LiveView extends Displayable {
    String displayId();
}
