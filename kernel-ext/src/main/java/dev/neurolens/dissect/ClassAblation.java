package dev.neurolens.dissect;

import dev.neurolens.display.ChartImage;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.display.MimeBundle;
import dev.neurolens.display.TableHtml;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerHook;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import dev.neurolens.run.Check;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * What a classifier loses when units of one layer are switched off (their channels zeroed during the forward
 * pass): per-class accuracy on a labelled set before and after. Network Dissection's ablation experiment; pair
 * it with {@link NetworkDissection} to ask whether the units that detect a concept are the ones a class needs.
 *
 * <pre>{@code
 * ClassAblation a = ClassAblation.builder(net, "conv4").images(test.images()).classes(test.classes()).build();
 * a.ablate(a.topUnitsFor("tree", 8));      // tree accuracy drops
 * a.ablate(a.randomUnits(8, 1));           // as many random units, for comparison
 * }</pre>
 * Immutable: the set's baseline predictions and each unit's mean activation per image are computed once.
 */
public final class ClassAblation {
    private final Network network;
    private final String layer;
    private final Tensor images;
    private final int[] classes;
    private final List<String> classNames;
    private final int batch;
    private final int units;
    private final float[][] unitMeans;
    private final Accuracy baseline;

    private ClassAblation(Builder b, int units, float[][] unitMeans, Accuracy baseline) {
        this.network = b.network;
        this.layer = b.layer;
        this.images = b.images;
        this.classes = b.classes;
        this.classNames = b.network.info().labels();
        this.batch = b.batch;
        this.units = units;
        this.unitMeans = unitMeans;
        this.baseline = baseline;
    }

    public static Builder builder(Network network, String layer) {
        return new Builder(network, layer);
    }

    public static final class Builder {
        private final Network network;
        private final String layer;
        private Tensor images;
        private int[] classes;
        private int batch = 64;

        private Builder(Network network, String layer) {
            this.network = network;
            this.layer = network.resolve(layer);
        }

        /** Pictures {@code N x 3 x H x W} in [0, 1] at the network's input size (normalized here). */
        public Builder images(Tensor images01) {
            this.images = images01;
            return this;
        }

        /** The true class of each picture, an index into the network's labels. */
        public Builder classes(int[] classes) {
            this.classes = classes.clone();
            return this;
        }

        public Builder batch(int n) {
            this.batch = Check.atLeastOne("batch", n);
            return this;
        }

        public ClassAblation build() {
            if (images == null || classes == null) {
                throw new IllegalStateException("call .images(tensorIn01) and .classes(labels) first");
            }
            long[] s = images.shape();
            Preprocessing p = network.preprocessing();
            if (s.length != 4 || s[1] != p.channels() || s[2] != p.crop() || s[3] != p.crop()) {
                throw new IllegalArgumentException("images must be N x " + p.channels() + " x " + p.crop() + " x "
                        + p.crop() + " in [0, 1] for " + network.name() + ", got " + Arrays.toString(s));
            }
            if (s[0] == 0) {
                throw new IllegalArgumentException("the labelled set is empty");
            }
            if (s[0] != classes.length) {
                throw new IllegalArgumentException(s[0] + " images but " + classes.length + " class labels");
            }
            int k = network.info().numClasses();
            for (int c : classes) {
                if (c < 0 || c >= k) {
                    throw new IllegalArgumentException("class " + c + " out of range: " + network.name() + " has "
                            + k + " classes " + network.info().labels());
                }
            }
            return ClassAblation.build(this);
        }
    }

    private static ClassAblation build(Builder b) {
        int n = b.classes.length;
        float[][] means = null;
        int[] predicted = new int[n];
        Forward spec = Forward.capture(b.layer).toOutput();
        for (int from = 0; from < n; from += b.batch) {
            int m = Math.min(b.batch, n - from);
            Tensor x = NetworkDissection.normalize(b.images.rows(from, m), b.network.preprocessing());
            var out = b.network.run(x, spec);
            Tensor a = out.get(b.layer);
            int u = (int) a.dim(1);
            int per = a.size() / (m * u);
            float[] v = a.toFloatArray();
            if (means == null) {
                means = new float[n][u];
            }
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < u; c++) {
                    double s = 0;
                    int base = (i * u + c) * per;
                    for (int p = 0; p < per; p++) {
                        s += v[base + p];
                    }
                    means[from + i][c] = (float) (s / per);
                }
            }
            argMax(out.get(Network.OUTPUT), predicted, from);
        }
        return new ClassAblation(b, means[0].length, means, new Accuracy(b.network.info().labels(), b.classes,
                predicted));
    }

    private static void argMax(Tensor logits, int[] into, int from) {
        for (int i = 0; i < logits.dim(0); i++) {
            into[from + i] = logits.slice(i).argMax();
        }
    }

    public String layer() {
        return layer;
    }

    public int units() {
        return units;
    }

    public int size() {
        return classes.length;
    }

    /** Per-class accuracy with every unit on. */
    public Accuracy baseline() {
        return baseline;
    }

    /**
     * The {@code k} units most specific to {@code className}: ranked by the unit's mean activation (over space) on
     * that class's images minus its mean on the other images, highest first.
     */
    public int[] topUnitsFor(String className, int k) {
        int c = classIndex(className);
        double[] in = new double[units];
        double[] out = new double[units];
        int nIn = 0;
        for (int i = 0; i < classes.length; i++) {
            double[] sum = classes[i] == c ? in : out;
            for (int u = 0; u < units; u++) {
                sum[u] += unitMeans[i][u];
            }
            nIn += classes[i] == c ? 1 : 0;
        }
        if (nIn == 0 || nIn == classes.length) {
            throw new IllegalArgumentException("the set needs images of class '" + className + "' and of others to "
                    + "rank units; it has " + nIn + " of " + classes.length);
        }
        double[] score = new double[units];
        for (int u = 0; u < units; u++) {
            score[u] = in[u] / nIn - out[u] / (classes.length - nIn);
        }
        return IntStream.range(0, units).boxed()
                .sorted(Comparator.comparingDouble((Integer u) -> -score[u]).thenComparing(u -> u))
                .limit(Math.max(0, Math.min(k, units))).mapToInt(Integer::intValue).toArray();
    }

    /** {@code k} distinct units drawn uniformly with {@code seed}. */
    public int[] randomUnits(int k, long seed) {
        if (k < 0 || k > units) {
            throw new IllegalArgumentException("cannot draw " + k + " of " + units + " units");
        }
        List<Integer> all = new ArrayList<>(IntStream.range(0, units).boxed().toList());
        java.util.Collections.shuffle(all, new Random(seed));
        return all.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    /** Accuracy per class with {@code units} of {@link #layer()} zeroed. */
    public Result ablate(int... units) {
        for (int u : units) {
            if (u < 0 || u >= this.units) {
                throw new IllegalArgumentException("unit " + u + " out of range: " + layer + " has " + this.units);
            }
        }
        int n = classes.length;
        int[] predicted = new int[n];
        Forward spec = Forward.plain().hook(layer, LayerHook.zero(units));
        for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            Tensor x = NetworkDissection.normalize(images.rows(from, m), network.preprocessing());
            argMax(network.run(x, spec).get(Network.OUTPUT), predicted, from);
        }
        return new Result(layer, units.clone(), baseline, new Accuracy(classNames, classes, predicted));
    }

    private int classIndex(String name) {
        int c = classNames.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("unknown class '" + name + "'; classes: " + String.join(", ",
                    classNames));
        }
        return c;
    }

    /** Per-class accuracy of predictions against true classes. Immutable. */
    public static final class Accuracy {
        private final List<String> classNames;
        private final int[] count;
        private final int[] correct;

        Accuracy(List<String> classNames, int[] truth, int[] predicted) {
            this.classNames = List.copyOf(classNames);
            this.count = new int[classNames.size()];
            this.correct = new int[classNames.size()];
            for (int i = 0; i < truth.length; i++) {
                count[truth[i]]++;
                if (predicted[i] == truth[i]) {
                    correct[truth[i]]++;
                }
            }
        }

        public double overall() {
            return Arrays.stream(correct).sum() / (double) Math.max(1, Arrays.stream(count).sum());
        }

        /** Accuracy on the images of one class (NaN when the set has none). */
        public double of(String className) {
            int c = classNames.indexOf(className);
            if (c < 0) {
                throw new IllegalArgumentException("unknown class '" + className + "'; classes: "
                        + String.join(", ", classNames));
            }
            return count[c] == 0 ? Double.NaN : correct[c] / (double) count[c];
        }

        public int count(String className) {
            return count[classNames.indexOf(className)];
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "accuracy %.3f (", overall()));
            for (int c = 0; c < count.length; c++) {
                s.append(c == 0 ? "" : ", ").append(classNames.get(c))
                        .append(String.format(Locale.ROOT, " %.3f of %d", of(classNames.get(c)), count[c]));
            }
            return s.append(')').toString();
        }
    }

    /** Accuracy per class before and after one ablation. Immutable; shows a table and bars. */
    public static final class Result implements Displayable {
        private final String layer;
        private final int[] units;
        private final Accuracy before;
        private final Accuracy after;

        Result(String layer, int[] units, Accuracy before, Accuracy after) {
            this.layer = layer;
            this.units = units;
            this.before = before;
            this.after = after;
        }

        public int[] units() {
            return units.clone();
        }

        public Accuracy before() {
            return before;
        }

        public Accuracy after() {
            return after;
        }

        /** Accuracy lost on a class's images (before minus after). */
        public double drop(String className) {
            return before.of(className) - after.of(className);
        }

        /** One row per class: images, accuracy before, after, change. */
        public Table table() {
            StringColumn cls = StringColumn.create("class");
            IntColumn n = IntColumn.create("images");
            DoubleColumn b = DoubleColumn.create("before");
            DoubleColumn a = DoubleColumn.create("after");
            DoubleColumn d = DoubleColumn.create("change");
            for (String c : before.classNames) {
                cls.append(c);
                n.append(before.count(c));
                b.append(round(before.of(c)));
                a.append(round(after.of(c)));
                d.append(round(after.of(c) - before.of(c)));
            }
            return Table.create("ablating " + units.length + " units of " + layer, cls, n, b, a, d);
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }

        /** Per-class accuracy before and after as grouped bars. */
        public ChartImage chart() {
            CategoryChart chart = new CategoryChartBuilder().width(560).height(300)
                    .title("ablating " + units.length + " units of " + layer).xAxisTitle("class")
                    .yAxisTitle("accuracy").build();
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setPlotGridVerticalLinesVisible(false);
            chart.getStyler().setSeriesColors(new Color[] {new Color(0x1F77B4), new Color(0xD62728)});
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(1.0);
            List<Double> b = new ArrayList<>();
            List<Double> a = new ArrayList<>();
            for (String c : before.classNames) {
                b.add(nanToZero(before.of(c)));
                a.add(nanToZero(after.of(c)));
            }
            chart.addSeries("before", before.classNames, b);
            chart.addSeries("after", before.classNames, a);
            return ChartImage.of(chart).size(560, 300);
        }

        private static double nanToZero(double v) {
            return Double.isNaN(v) ? 0 : v;
        }

        @Override
        public MimeBundle mimeBundle() {
            byte[] png = chart().toPng();
            String html = "<div><p>" + Html.escape(toString()) + "</p><img src=\"data:image/png;base64,"
                    + java.util.Base64.getEncoder().encodeToString(png) + "\"/>" + TableHtml.of(table()).html()
                    + "</div>";
            return MimeBundle.png(png, toString()).with(MimeBundle.HTML, html);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "ClassAblation.Result[%s units %s: accuracy %.3f -> %.3f]", layer,
                    Arrays.toString(units), before.overall(), after.overall());
        }
    }
}
