package dev.neurolens.display;

/** A result that knows how to show itself in a notebook (a cell's last expression, or display(x)). */
public interface Displayable {
    MimeBundle mimeBundle();
}
