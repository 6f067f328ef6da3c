package dev.neurolens.display;

import java.awt.image.BufferedImage;

/**
 * A result drawn as one picture: it renders itself, and a notebook shows that picture as PNG with
 * {@code toString()} as its text form. Implementations say only how to draw.
 */
public interface Rendered extends Displayable {

    BufferedImage render();

    default byte[] toPng() {
        return Images.toPng(render());
    }

    @Override
    default MimeBundle mimeBundle() {
        return MimeBundle.png(toPng(), toString());
    }
}
