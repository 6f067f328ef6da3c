package dev.neurolens.display;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * GANPaint in the notebook: pick a concept, paint it onto (or remove it from) the picture on the generator's
 * feature grid, and see the generator's output update. The picture is drawn by a {@link Backend}, which knows
 * nothing of notebooks; the painter keeps the strokes ({@link PaintState}), asks the backend for a new image
 * whenever they change, and shows itself as a live view.
 *
 * <pre>{@code
 * Painter p = Painter.builder(backend).name("scene").build();
 * p                                       // the interactive view (classic Notebook)
 * %paint scene --concept tree --rect 2,3,5,7
 * }</pre>
 *
 * <p>The view is self-contained HTML and JavaScript: the picture with a translucent grid to paint on, a concept
 * picker, paint/remove, brush size, undo and reset. On mouse-up it sends the strokes to the kernel over the
 * Jupyter comm {@value #COMM_TARGET}; the kernel renders and answers with the new PNG, and updates the output so
 * a saved notebook (and its HTML export) shows the latest picture. Where no kernel can be reached (JupyterLab,
 * a saved page) the view shows the picture and says in one line to use {@code %paint}.
 */
public final class Painter implements LiveView {
    public static final String COMM_TARGET = "neurolens.painter";
    private static final Logger LOG = Logger.getLogger(Painter.class.getName());
    private static final int KEEP = 32;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Map<String, Painter> BY_ID = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Painter> eldest) {
            return size() > KEEP; // keeps memory bounded when cells are re-run many times
        }
    };
    private static final Gson GSON = new Gson();
    private static volatile String script;

    /**
     * What draws the picture: the generator with units switched on or off under the painted cells. It never
     * sees the notebook; {@link #render} gets the whole state each time (GANPaint edits are recomputed from
     * the unedited latent, not accumulated).
     */
    public interface Backend {
        /** The concepts one can paint, e.g. tree, grass, door, sky, cloud. */
        List<String> concepts();

        /** Width of the feature grid one paints on, e.g. 8 for a generator layer of 8x8. */
        int gridWidth();

        int gridHeight();

        /** The generator's output for these strokes (an empty state gives the unedited picture). */
        BufferedImage render(PaintState state) throws Exception;
    }

    private final String id;
    private final String name;
    private final Backend backend;
    private final List<String> concepts;
    private final int viewSize;
    private final String displayId;

    private PaintState state;
    private BufferedImage image;
    private long rev;
    private long renderMillis;

    private Painter(Builder b) {
        this.backend = b.backend;
        this.concepts = List.copyOf(b.backend.concepts());
        if (concepts.isEmpty()) {
            throw new IllegalArgumentException("the backend offers no concepts to paint");
        }
        this.id = UUID.randomUUID().toString();
        this.name = b.name != null ? b.name : "painter" + COUNTER.incrementAndGet();
        this.viewSize = b.viewSize;
        this.displayId = Display.newDisplayId();
        this.state = PaintState.empty(backend.gridWidth(), backend.gridHeight());
    }

    public static Painter of(Backend backend) {
        return builder(backend).build();
    }

    public static Builder builder(Backend backend) {
        return new Builder(backend);
    }

    // ---------------------------------------------------------------- registry (for the comm and %paint)

    /** The painter a browser view talks to, by its id; null when gone (kernel restarted, or many painters since). */
    public static synchronized Painter byId(String id) {
        return id == null ? null : BY_ID.get(id);
    }

    /** The most recent painter with this name, or the most recent painter at all for null. */
    public static synchronized Painter named(String name) {
        List<Painter> all = new ArrayList<>(BY_ID.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            if (name == null || all.get(i).name.equals(name)) {
                return all.get(i);
            }
        }
        return null;
    }

    /** Names of the painters the kernel still holds, for error messages. */
    public static synchronized List<String> names() {
        return BY_ID.values().stream().map(p -> p.name).distinct().toList();
    }

    private static synchronized void register(Painter p) {
        BY_ID.put(p.id, p);
    }

    // ---------------------------------------------------------------- painting from Java

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public List<String> concepts() {
        return concepts;
    }

    public synchronized PaintState state() {
        return state;
    }

    /** The current picture. */
    public synchronized BufferedImage image() {
        return image;
    }

    /** Counts accepted changes; the browser view uses it to tell a newer kernel state from its own. */
    public synchronized long revision() {
        return rev;
    }

    /** How long the backend took for the last picture. */
    public synchronized long renderMillis() {
        return renderMillis;
    }

    /** Paints concept on the cells of columns x0..x1, rows y0..y1 (inclusive), renders and refreshes the view. */
    public BufferedImage paint(String concept, int x0, int y0, int x1, int y1) {
        return apply(stroke(concept, PaintState.Mode.PAINT, x0, y0, x1, y1));
    }

    /** Removes (ablates) concept on the cells of columns x0..x1, rows y0..y1. */
    public BufferedImage remove(String concept, int x0, int y0, int x1, int y1) {
        return apply(stroke(concept, PaintState.Mode.REMOVE, x0, y0, x1, y1));
    }

    public PaintState.Stroke stroke(String concept, PaintState.Mode mode, int x0, int y0, int x1, int y1) {
        requireConcept(concept);
        return PaintState.Stroke.rect(concept, mode, state.gridWidth(), state.gridHeight(), x0, y0, x1, y1);
    }

    public BufferedImage apply(PaintState.Stroke stroke) {
        requireConcept(stroke.concept());
        return change(state().with(stroke));
    }

    public BufferedImage undo() {
        return change(state().undo());
    }

    public BufferedImage reset() {
        return change(state().reset());
    }

    /** Replaces the strokes, renders and refreshes every output showing this painter. */
    public BufferedImage change(PaintState next) {
        BufferedImage out = setState(next);
        refreshDisplays();
        return out;
    }

    /** Redraws the outputs showing this painter with the current picture (update_display_data). */
    public void refreshDisplays() {
        Display.update(displayId, this);
    }

    private synchronized BufferedImage setState(PaintState next) {
        Objects.requireNonNull(next, "state");
        if (next.gridWidth() != state.gridWidth() || next.gridHeight() != state.gridHeight()) {
            throw new IllegalArgumentException("state is " + next.gridWidth() + "x" + next.gridHeight()
                    + ", the painter's grid is " + state.gridWidth() + "x" + state.gridHeight());
        }
        BufferedImage img = draw(next);
        state = next;
        image = img;
        rev++;
        return img;
    }

    private BufferedImage draw(PaintState s) {
        long t0 = System.nanoTime();
        BufferedImage img;
        try {
            img = backend.render(s);
        } catch (Exception | LinkageError e) {
            throw new BackendException("the painter's backend failed: " + describe(e), e);
        }
        if (img == null) {
            throw new BackendException("the painter's backend returned no image", null);
        }
        renderMillis = (System.nanoTime() - t0) / 1_000_000;
        return img;
    }

    /** The backend threw (or returned nothing); the painter keeps its previous strokes and picture. */
    public static final class BackendException extends RuntimeException {
        BackendException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void requireConcept(String concept) {
        if (!concepts.contains(concept)) {
            throw new IllegalArgumentException("unknown concept '" + concept + "'; this painter has: "
                    + String.join(", ", concepts));
        }
    }

    // ---------------------------------------------------------------- the browser protocol

    /**
     * Answers one message from the browser view (JSON in, JSON out). {@code {"action":"hello"}} returns the
     * current picture and strokes; {@code {"action":"paint","seq":n,"state":{...}}} replaces the strokes and
     * returns the new picture. Replies are {@code {"type":"image","seq","rev","state","png","ms"}} or
     * {@code {"type":"error","seq","message","rev","state"}}; a failing backend is answered, logged, and leaves
     * the previous picture in place. Does not touch the displays: the caller refreshes them after replying, so
     * the view sees the reply first.
     */
    public String receive(String json) {
        JsonElement seq = null;
        try {
            JsonElement parsed = new JsonParser().parse(json == null ? "" : json);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("a painter message is a JSON object with an 'action'");
            }
            JsonObject msg = parsed.getAsJsonObject();
            seq = msg.get("seq");
            String action = msg.has("action") && msg.get("action").isJsonPrimitive() ? msg.get("action").getAsString() : "";
            switch (action) {
                case "hello" -> {
                    synchronized (this) {
                        if (image == null) {
                            image = draw(state);
                        }
                    }
                }
                case "paint" -> {
                    PaintState next = PaintState.fromJson(msg.get("state"), state().gridWidth(), state().gridHeight(), concepts);
                    if (!next.equals(state()) || image() == null) {
                        setState(next);
                    }
                }
                default -> throw new IllegalArgumentException("unknown action '" + action + "'; actions: hello, paint");
            }
            return imageReply(seq).toString();
        } catch (RuntimeException | LinkageError e) {
            String message;
            if (e instanceof BackendException) {
                LOG.log(Level.WARNING, "painter " + name + ": " + e.getMessage(), e.getCause());
                message = e.getMessage();
            } else if (e instanceof IllegalArgumentException) {
                message = "bad message: " + e.getMessage();
            } else if (e instanceof com.google.gson.JsonParseException || e instanceof UnsupportedOperationException
                    || e instanceof ClassCastException || e instanceof IllegalStateException
                    || e instanceof NumberFormatException) {
                message = "bad message: " + describe(e);
            } else {
                LOG.log(Level.WARNING, "painter " + name + ": failed on a message", e);
                message = "the painter failed: " + describe(e);
            }
            JsonObject r = new JsonObject();
            r.addProperty("type", "error");
            r.add("seq", seq);
            r.addProperty("message", message);
            synchronized (this) {
                r.addProperty("rev", rev);
                r.add("state", state.toJson());
            }
            return r.toString();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : (e instanceof IllegalArgumentException ? m
                : e.getClass().getSimpleName() + ": " + m);
    }

    private synchronized JsonObject imageReply(JsonElement seq) {
        JsonObject r = new JsonObject();
        r.addProperty("type", "image");
        r.add("seq", seq);
        r.addProperty("rev", rev);
        r.add("state", state.toJson());
        r.addProperty("png", Base64.getEncoder().encodeToString(Images.toPng(image)));
        r.addProperty("ms", renderMillis);
        return r;
    }

    // ---------------------------------------------------------------- display

    @Override
    public String displayId() {
        return displayId;
    }

    /** The interactive view (text/html) with the current picture as image/png beside it. */
    @Override
    public MimeBundle mimeBundle() {
        BufferedImage img;
        PaintState s;
        long r;
        synchronized (this) {
            if (image == null) {
                image = draw(state);
            }
            img = image;
            s = state;
            r = rev;
        }
        register(this);
        byte[] png = Images.toPng(img);
        String b64 = Base64.getEncoder().encodeToString(png);
        return MimeBundle.html(html(img, s, r, b64), toString())
                .with(MimeBundle.PNG, Base64.getEncoder().encodeToString(Images.toPng(ImageView.of(img).render())));
    }

    private String html(BufferedImage img, PaintState s, long r, String b64) {
        double scale = Math.max(1.0, viewSize / (double) Math.max(img.getWidth(), img.getHeight()));
        int w = (int) Math.round(img.getWidth() * scale);
        int h = (int) Math.round(img.getHeight() * scale);
        String view = "nlp-" + UUID.randomUUID();
        JsonObject cfg = new JsonObject();
        cfg.addProperty("id", id);
        cfg.addProperty("name", name);
        cfg.add("concepts", GSON.toJsonTree(concepts));
        cfg.addProperty("width", w);
        cfg.addProperty("height", h);
        cfg.addProperty("rev", r);
        cfg.add("state", s.toJson());
        cfg.addProperty("target", COMM_TARGET);
        String example = "%paint " + name + " --concept " + concepts.get(0) + " --rect 0,0,1,1";
        // Gson escapes < > & in strings, so the config cannot close the script element.
        return "<div id=\"" + view + "\" class=\"nlp\" style=\"font:13px sans-serif;display:inline-block\">"
                + "<div class=\"nlp-stage\" style=\"position:relative;width:" + w + "px;height:" + h + "px\">"
                + "<img class=\"nlp-img\" alt=\"" + Html.escape(toString()) + "\" width=\"" + w + "\" height=\"" + h
                + "\" style=\"image-rendering:pixelated;display:block\" src=\"data:image/png;base64," + b64 + "\"/></div>"
                + "<div class=\"nlp-status\" style=\"color:#555;margin-top:4px;max-width:" + Math.max(w, 360) + "px\">"
                + "Painter '" + Html.escape(name) + "', " + s.strokes().size() + (s.strokes().size() == 1 ? " stroke" : " strokes")
                + ". Live painting needs this notebook open in Jupyter with its kernel running (classic Notebook, "
                + "or JupyterLab 4 and Notebook 7 with the neurolens-comms extension that the kernel's installer adds); "
                + "elsewhere (a saved page, GitHub) paint with <code>" + Html.escape(example) + "</code>.</div>"
                + "<script>" + script() + "\nNeurolensPainter.mount(" + GSON.toJson(view) + ", " + cfg + ");</script></div>";
    }

    private static String script() {
        String s = script;
        if (s == null) {
            try (InputStream in = Painter.class.getResourceAsStream("painter.js")) {
                if (in == null) {
                    throw new IllegalStateException("painter.js is missing from the jar; rebuild Neurolens");
                }
                s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            script = s;
        }
        return s;
    }

    @Override
    public synchronized String toString() {
        return "Painter '" + name + "' " + state.gridWidth() + "x" + state.gridHeight() + " grid, concepts "
                + String.join(", ", concepts) + ", " + state.strokes().size() + " strokes";
    }

    public static final class Builder {
        private final Backend backend;
        private String name;
        private int viewSize = 384;

        private Builder(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /** The name %paint uses for this painter (default painter1, painter2, ...). */
        public Builder name(String n) {
            if (n == null || !n.matches("[A-Za-z_][\\w.-]*")) {
                throw new IllegalArgumentException("a painter's name is a word (letters, digits, _ . -), got '" + n + "'");
            }
            this.name = n;
            return this;
        }

        /** Pictures smaller than this many pixels a side are shown enlarged to it (default 384). */
        public Builder viewSize(int px) {
            if (px < 32 || px > 4096) {
                throw new IllegalArgumentException("viewSize must be 32..4096 px, got " + px);
            }
            this.viewSize = px;
            return this;
        }

        /** Renders the unedited picture now (so a broken backend fails in this cell) and registers the painter. */
        public Painter build() {
            Painter p = new Painter(this);
            synchronized (p) {
                p.image = p.draw(p.state);
            }
            register(p);
            return p;
        }
    }
}
