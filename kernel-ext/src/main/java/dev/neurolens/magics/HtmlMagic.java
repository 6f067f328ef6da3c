package dev.neurolens.magics;

import dev.neurolens.display.Html;

/** {@code %%html}: the cell body, shown as HTML (notes, tables typed by hand, small widgets). */
public final class HtmlMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("html", "show the cell's body as HTML").build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean acceptsCell() {
        return true;
    }

    @Override
    public boolean requiresCell() {
        return true;
    }

    @Override
    public Object run(Args args, String body) {
        return Html.of(body);
    }
}
