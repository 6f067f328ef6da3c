package dev.neurolens.display;

import java.util.UUID;

/**
 * The one place user code and techniques send pictures to. The kernel (or the IJava bridge) installs a sink;
 * outside a notebook the fallback sink prints the text form, so library code never needs to know where it runs.
 */
public final class Display {
    private static volatile DisplaySink sink = new StdoutSink();

    private Display() {
    }

    public static void setSink(DisplaySink newSink) {
        sink = newSink == null ? new StdoutSink() : newSink;
    }

    public static DisplaySink sink() {
        return sink;
    }

    /** Renders any object: registered renderers first, then its toString(). */
    public static MimeBundle bundleOf(Object value) {
        return Renderers.render(value).orElseGet(() -> MimeBundle.text(String.valueOf(value)));
    }

    /** Shows value now and returns its display id, for {@link #update}. */
    public static String display(Object value) {
        String id = value instanceof LiveView live ? live.displayId() : newDisplayId();
        sink.display(bundleOf(value), id);
        return id;
    }

    /** Replaces the output shown under displayId (update_display_data). */
    public static void update(String displayId, Object value) {
        sink.update(bundleOf(value), displayId);
    }

    public static String newDisplayId() {
        return UUID.randomUUID().toString();
    }

    /** Outside a kernel: plain text to stdout, updates included, so scripts and tests still see something. */
    static final class StdoutSink implements DisplaySink {
        @Override
        public void display(MimeBundle bundle, String displayId) {
            System.out.println(bundle.get(MimeBundle.TEXT));
        }

        @Override
        public void update(MimeBundle bundle, String displayId) {
            display(bundle, displayId);
        }
    }
}
