package dev.neurolens.homework;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of one check, CS231n style: the relative error against the reference, the tolerance, and pass or
 * fail; or "not implemented yet" / "not submitted yet" with what to do. Immutable; shows itself as a line.
 */
public record CheckResult(String part, Status status, double relativeError, double tolerance, String note)
        implements Displayable {

    public enum Status { PASS, FAIL, NOT_IMPLEMENTED, NOT_SUBMITTED }

    public static CheckResult compared(String part, double relativeError, double tolerance, String note) {
        return new CheckResult(part, relativeError < tolerance ? Status.PASS : Status.FAIL, relativeError, tolerance,
                note);
    }

    public static CheckResult notImplemented(String part, String note) {
        return new CheckResult(part, Status.NOT_IMPLEMENTED, Double.NaN, Double.NaN, note);
    }

    public static CheckResult notSubmitted(String part, String note) {
        return new CheckResult(part, Status.NOT_SUBMITTED, Double.NaN, Double.NaN, note);
    }

    public boolean passed() {
        return status == Status.PASS;
    }

    /** One line, e.g. {@code saliency: relative error 3.1e-08 (< 1e-04)  PASS}. */
    public String line() {
        return switch (status) {
            case PASS, FAIL -> String.format(Locale.ROOT, "%s: relative error %.2e (tolerance %.0e)  %s%s", part,
                    relativeError, tolerance, status, note == null || note.isEmpty() ? "" : " — " + note);
            case NOT_IMPLEMENTED -> part + ": not implemented yet — " + note;
            case NOT_SUBMITTED -> part + ": not submitted yet — " + note;
        };
    }

    @Override
    public MimeBundle mimeBundle() {
        return html(List.of(this));
    }

    /** Several results as one small table. */
    static MimeBundle html(List<CheckResult> results) {
        StringBuilder html = new StringBuilder("<table class=\"neurolens-check\"><tr><th>part</th><th>relative error"
                + "</th><th>result</th><th></th></tr>");
        StringBuilder text = new StringBuilder();
        for (CheckResult r : results) {
            String colour = switch (r.status) {
                case PASS -> "#1a7f37";
                case FAIL -> "#cf222e";
                default -> "#9a6700";
            };
            String label = switch (r.status) {
                case PASS -> "PASS";
                case FAIL -> "FAIL";
                case NOT_IMPLEMENTED -> "not implemented yet";
                case NOT_SUBMITTED -> "not submitted yet";
            };
            html.append("<tr><td><code>").append(esc(r.part)).append("</code></td><td>")
                    .append(Double.isNaN(r.relativeError) ? "" : String.format(Locale.ROOT, "%.2e", r.relativeError))
                    .append("</td><td style=\"color:").append(colour).append(";font-weight:bold\">").append(label)
                    .append("</td><td>").append(esc(r.note == null ? "" : r.note)).append("</td></tr>");
            text.append(r.line()).append('\n');
        }
        html.append("</table>");
        return MimeBundle.html(html.toString(), text.toString().strip());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return line();
    }
}
