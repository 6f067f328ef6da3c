package dev.neurolens.optimize;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.TableHtml;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Fooling images for many pictures at one {@link Budget}: the success rate, and per picture the classes, the outcome
 * and the achieved norms in pixel units. Made by {@link FoolingImage#successRate}; immutable, possibly partial (an
 * interrupted study holds the pictures it finished). Shows itself as a summary line over a table.
 */
public final class FoolingStudy implements Displayable {

    /** One picture: its index, the class predicted before, the target, the class predicted after, the outcome. */
    public record Row(int index, int originalClass, int target, int fooledClass, boolean succeeded, double linf,
                      double l2, int steps, double targetProbability) {

        static Row of(int index, FoolingResult r) {
            return new Row(index, r.originalClass(), r.target(), r.fooledClass(), r.succeeded(), r.linf(), r.l2(),
                    r.steps(), r.probabilitiesAfter()[r.target()]);
        }

        /** Already predicted as the target before any change: not an attack, so not counted in the rate. */
        public boolean alreadyTarget() {
            return originalClass == target;
        }
    }

    private final String network;
    private final List<String> labels;
    private final Budget budget;
    private final int maxSteps;
    private final int requested;
    private final List<Row> rows;

    FoolingStudy(String network, List<String> labels, Budget budget, int maxSteps, int requested, List<Row> rows) {
        this.network = network;
        this.labels = List.copyOf(labels);
        this.budget = budget;
        this.maxSteps = maxSteps;
        this.requested = requested;
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    public Budget budget() {
        return budget;
    }

    /** False when the study was interrupted before every picture was tried. */
    public boolean complete() {
        return rows.size() == requested;
    }

    /** Pictures attacked: those not already predicted as their target. */
    public int attempted() {
        return (int) rows.stream().filter(r -> !r.alreadyTarget()).count();
    }

    public int fooled() {
        return (int) rows.stream().filter(r -> !r.alreadyTarget() && r.succeeded()).count();
    }

    /** Fooled over attempted; NaN when nothing was attempted. */
    public double rate() {
        int n = attempted();
        return n == 0 ? Double.NaN : (double) fooled() / n;
    }

    /** Mean L∞ of the perturbations that fooled the network, in pixel units; NaN when none did. */
    public double meanLinf() {
        return meanOverFooled(Row::linf);
    }

    /** Mean L2 of the perturbations that fooled the network, in pixel units; NaN when none did. */
    public double meanL2() {
        return meanOverFooled(Row::l2);
    }

    /** The largest L∞ of any attempt, in pixel units (at most the budget's eps under an L∞ budget). */
    public double maxLinf() {
        return rows.stream().mapToDouble(Row::linf).max().orElse(0);
    }

    /** The largest L2 of any attempt, in pixel units. */
    public double maxL2() {
        return rows.stream().mapToDouble(Row::l2).max().orElse(0);
    }

    private double meanOverFooled(ToDoubleFunction<Row> f) {
        return rows.stream().filter(r -> !r.alreadyTarget() && r.succeeded()).mapToDouble(f).average()
                .orElse(Double.NaN);
    }

    /** One row per picture. */
    public Table table() {
        IntColumn index = IntColumn.create("picture");
        StringColumn before = StringColumn.create("predicted");
        StringColumn target = StringColumn.create("target");
        StringColumn after = StringColumn.create("after");
        BooleanColumn ok = BooleanColumn.create("fooled");
        DoubleColumn p = DoubleColumn.create("p(target)");
        DoubleColumn linf = DoubleColumn.create("L∞ ×255");
        DoubleColumn l2 = DoubleColumn.create("L2");
        IntColumn steps = IntColumn.create("steps");
        for (Row r : rows) {
            index.append(r.index());
            before.append(label(r.originalClass()));
            target.append(label(r.target()));
            after.append(label(r.fooledClass()));
            ok.append(r.succeeded() && !r.alreadyTarget());
            p.append(round(r.targetProbability(), 1000));
            linf.append(round(255 * r.linf(), 100));
            l2.append(round(r.l2(), 1000));
            steps.append(r.steps());
        }
        return Table.create("fooling " + network + " at " + budget, index, before, target, after, ok, p, linf, l2,
                steps);
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.html("<div><p>" + Html.escape(toString()) + "</p>" + TableHtml.of(table()).html() + "</div>",
                toString());
    }

    @Override
    public String toString() {
        int already = rows.size() - attempted();
        return String.format(Locale.ROOT, "fooling %s at %s, at most %d steps: %d of %d fooled (%.1f%%)%s; "
                        + "over the fooled, mean L∞ %.4f (%.1f/255), mean L2 %.3f; largest L∞ %.4f, L2 %.3f%s",
                network, budget, maxSteps, fooled(), attempted(), 100 * rate(),
                already > 0 ? ", " + already + " already the target" : "", meanLinf(), 255 * meanLinf(), meanL2(),
                maxLinf(), maxL2(), complete() ? "" : " (interrupted after " + rows.size() + " of " + requested + ")");
    }

    private String label(int i) {
        return i < labels.size() ? labels.get(i) : "class " + i;
    }

    private static double round(double v, double scale) {
        return Math.round(v * scale) / scale;
    }
}
