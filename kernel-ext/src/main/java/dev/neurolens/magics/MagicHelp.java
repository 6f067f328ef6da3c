package dev.neurolens.magics;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;

/** What {@code %name --help} shows. */
public record MagicHelp(String text) implements Displayable {
    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.text(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
