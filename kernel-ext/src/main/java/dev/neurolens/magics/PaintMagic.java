package dev.neurolens.magics;

import java.awt.image.BufferedImage;
import java.util.List;

import dev.neurolens.display.ImageView;
import dev.neurolens.display.PaintState;
import dev.neurolens.display.Painter;

/**
 * {@code %paint scene --concept tree --rect 2,3,5,7}: one GANPaint stroke from a script (or where the live view
 * cannot reach the kernel, e.g. JupyterLab). Paints (or with {@code --remove} ablates) a concept on a rectangle of
 * the painter's grid, shows the new picture, and redraws the painter's live view.
 */
public final class PaintMagic implements Magic {
    private static final ArgSchema SCHEMA = ArgSchema.builder("paint",
                    "paint a concept onto (or remove it from) a rectangle of a Painter's feature grid and show the result")
            .optionalPositional("painter", ArgSchema.Type.STRING, null,
                    "the painter's name (Painter.builder(backend).name(\"scene\")); the latest painter if left out")
            .option("concept", ArgSchema.Type.STRING, null, "the concept to paint or remove, e.g. tree")
            .option("rect", ArgSchema.Type.INT_LIST, null,
                    "grid cells x0,y0,x1,y1: columns x0..x1, rows y0..y1, inclusive, 0 = left/top")
            .flag("remove", "remove (ablate) the concept there instead of painting it")
            .flag("undo", "take back the last stroke")
            .flag("reset", "take back all strokes")
            .build();

    @Override
    public ArgSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object run(Args args, String body) {
        String name = args.string("painter");
        Painter p = Painter.named(name);
        if (p == null) {
            List<String> names = Painter.names();
            throw new MagicArgumentException("%paint: " + (name == null ? "no painter yet" : "no painter named '" + name + "'")
                    + (names.isEmpty() ? "; create one with Painter.builder(backend).name(\"scene\").build()"
                    : "; painters: " + String.join(", ", names)));
        }
        String concept = args.string("concept");
        List<Integer> rect = args.integers("rect");
        int actions = (args.flag("undo") ? 1 : 0) + (args.flag("reset") ? 1 : 0) + (rect != null || concept != null ? 1 : 0);
        if (actions > 1) {
            throw new MagicArgumentException("%paint: one of --undo, --reset or a stroke (--concept with --rect) at a time");
        }
        BufferedImage img;
        String what;
        if (args.flag("undo")) {
            img = p.undo();
            what = "undo";
        } else if (args.flag("reset")) {
            img = p.reset();
            what = "reset";
        } else if (concept == null && rect == null) {
            img = p.image();
            what = p.state().strokes().size() + " strokes";
        } else {
            if (concept == null || rect == null) {
                throw new MagicArgumentException("%paint: a stroke needs both --concept (one of "
                        + String.join(", ", p.concepts()) + ") and --rect x0,y0,x1,y1");
            }
            if (!p.concepts().contains(concept)) {
                throw new MagicArgumentException("%paint: unknown concept '" + concept + "'; " + p.name() + " has: "
                        + String.join(", ", p.concepts()));
            }
            if (rect.size() != 4) {
                throw new MagicArgumentException("%paint: --rect takes 4 numbers x0,y0,x1,y1 (grid "
                        + p.state().gridWidth() + "x" + p.state().gridHeight() + "), got " + rect.size());
            }
            PaintState.Mode mode = args.flag("remove") ? PaintState.Mode.REMOVE : PaintState.Mode.PAINT;
            PaintState.Stroke stroke;
            try {
                stroke = p.stroke(concept, mode, rect.get(0), rect.get(1), rect.get(2), rect.get(3));
            } catch (IllegalArgumentException e) {
                throw new MagicArgumentException("%paint: " + e.getMessage());
            }
            img = p.apply(stroke);
            what = mode.word() + " " + concept + " at columns " + Math.min(rect.get(0), rect.get(2)) + "-"
                    + Math.max(rect.get(0), rect.get(2)) + ", rows " + Math.min(rect.get(1), rect.get(3)) + "-"
                    + Math.max(rect.get(1), rect.get(3));
        }
        return ImageView.of(img).title(p.name() + ": " + what);
    }
}
