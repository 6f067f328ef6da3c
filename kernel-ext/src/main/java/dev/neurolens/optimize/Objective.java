package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.Network;
import dev.neurolens.model.Readout;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loss to minimize, made of named, weighted terms that compose like Lucid's objectives:
 * {@code Objective.channel("fire8", 12).plus(Objective.diversity("fire8").times(0.1))}.
 * Terms that make a unit fire more are negated activations, so minimizing the loss maximizes the unit.
 * Terms with the same name (the style loss of five layers, say) add up to one curve in the loss chart.
 * Immutable.
 */
public final class Objective {

    /** Computes one term's unweighted value, a scalar, from a step's {@link ObjectiveInput}. */
    @FunctionalInterface
    public interface Function {
        NDArray compute(ObjectiveInput features);
    }

    /** One named, weighted term and the layers it reads. */
    public record Term(String name, double weight, List<String> layers, Function function) {
        public Term {
            layers = List.copyOf(layers);
        }
    }

    private final List<Term> terms;

    private Objective(List<Term> terms) {
        this.terms = Collections.unmodifiableList(new ArrayList<>(terms));
    }

    /** A custom term: {@code function} reads the named layers from the {@link ObjectiveInput}. */
    public static Objective of(String name, Function function, String... layers) {
        return new Objective(List.of(new Term(name, 1, List.of(layers), function)));
    }

    /** The sum of this objective and another. */
    public Objective plus(Objective other) {
        List<Term> t = new ArrayList<>(terms);
        t.addAll(other.terms);
        return new Objective(t);
    }

    /** This objective minus another. */
    public Objective minus(Objective other) {
        return plus(other.times(-1));
    }

    /** Every term's weight multiplied by {@code factor}. */
    public Objective times(double factor) {
        List<Term> t = new ArrayList<>();
        for (Term term : terms) {
            t.add(new Term(term.name(), term.weight() * factor, term.layers(), term.function()));
        }
        return new Objective(t);
    }

    /** The same terms under one new name (one curve in the chart). */
    public Objective named(String name) {
        List<Term> t = new ArrayList<>();
        for (Term term : terms) {
            t.add(new Term(name, term.weight(), term.layers(), term.function()));
        }
        return new Objective(t);
    }

    public List<Term> terms() {
        return terms;
    }

    /** Layers the terms read, in first-use order. */
    public List<String> layers() {
        Set<String> s = new LinkedHashSet<>();
        for (Term t : terms) {
            s.addAll(t.layers());
        }
        return List.copyOf(s);
    }

    /** Checks every layer name against the network, so a typo fails before any work with the layer list. */
    public void validate(Network network) {
        for (String l : layers()) {
            network.resolve(l);
        }
    }

    /** The weighted terms by name (same names summed), each a scalar array. */
    public Map<String, NDArray> evaluate(ObjectiveInput f) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Term t : terms) {
            NDArray v = t.function().compute(f);
            if (v.getShape().size() != 1) {
                throw new IllegalStateException("term '" + t.name() + "' gave shape " + v.getShape()
                        + "; a term must be a single value");
            }
            v = v.reshape(new Shape());
            NDArray w = t.weight() == 1 ? v : v.mul((float) t.weight());
            out.merge(t.name(), w, NDArray::add);
        }
        return out;
    }

    // ---- what to look for ----

    /**
     * Any {@link Readout}'s batch mean, negated (to be maximized): the one way to say what to look for. Named after
     * the readout in the loss chart.
     */
    public static Objective maximize(Readout readout) {
        return maximize(readout, readout.toString());
    }

    private static Objective maximize(Readout readout, String name) {
        return of(name, f -> readout.mean(f.layer(readout.layer())).neg(), readout.layer());
    }

    /** Mean activation of one channel, over batch and space, negated (to be maximized). */
    public static Objective channel(String layer, int channel) {
        return maximize(Readout.channel(layer, channel), "channel " + layer + ":" + channel);
    }

    /** One unit: channel {@code c} at the centre of the feature map, negated (to be maximized). */
    public static Objective neuron(String layer, int channel) {
        return maximize(Readout.centre(layer, channel), "neuron " + layer + ":" + channel);
    }

    /** A class's logit (pre-softmax score), negated (to be maximized). */
    public static Objective classLogit(int classIndex) {
        return maximize(Readout.logit(classIndex), "class " + classIndex);
    }

    /**
     * A class's log-probability (log-softmax of the logits), negated: the condition term of Plug &amp; Play sampling.
     * Unlike the logit it also pushes the other classes down, so two of these at once ask for both classes.
     */
    public static Objective classLogProb(int classIndex) {
        return of("log p(class " + classIndex + ")", f -> {
            NDArray a = f.layer(Network.OUTPUT);
            checkChannel(a, classIndex, "the logits");
            return a.logSoftmax(1).get(new NDIndex(":, {}", classIndex)).mean().neg();
        }, Network.OUTPUT);
    }

    /** Mean squared activation of a whole layer, negated: DeepDream's "make everything fire more". */
    public static Objective layer(String layer) {
        return of("dream " + layer, f -> f.layer(layer).square().mean().neg(), layer);
    }

    /** Content loss against fixed target features ({@link Losses#content}). */
    public static Objective content(String layer, Tensor target) {
        return of("content", f -> Losses.content(f.layer(layer), f.constant(target)), layer);
    }

    /** Style loss against a fixed target Gram matrix ({@link Losses#style}). */
    public static Objective gram(String layer, Tensor targetGram) {
        return of("style", f -> Losses.style(f.layer(layer), f.constant(targetGram)), layer);
    }

    /** Total variation of the image (smoothness prior, {@link Losses#tv}). */
    public static Objective tv() {
        return of("tv", f -> Losses.tv(f.image()));
    }

    /** L2 norm of the image in input space ("L2 decay"), as a mean of squares. */
    public static Objective l2() {
        return of("l2", f -> Losses.l2(f.image()));
    }

    /**
     * L2 norm of the picture in pixel units [0, 1] (before normalization), so decay pulls toward black, the
     * background of data sets such as Fashion-MNIST.
     */
    public static Objective l2(dev.neurolens.model.Preprocessing p) {
        float[] mean = p.mean();
        float[] std = p.std();
        return of("l2", f -> {
            NDArray x = f.image();
            int c = mean.length;
            NDArray mu = x.getManager().create(mean, new Shape(1, c, 1, 1));
            NDArray sd = x.getManager().create(std, new Shape(1, c, 1, 1));
            return Losses.l2(x.mul(sd).add(mu));
        });
    }

    /**
     * Lucid's diversity: the mean cosine similarity between the Gram matrices of the batch's images at
     * {@code layer}; adding it (with a positive weight) pushes a batch of visualizations apart.
     */
    public static Objective diversity(String layer) {
        return of("diversity", f -> {
            NDArray a = f.layer(layer);
            long n = a.getShape().get(0);
            if (n < 2) {
                return a.getManager().zeros(new Shape());
            }
            NDArray g = Losses.gram(a).reshape(n, -1);
            NDArray unit = g.div(g.norm(new int[] {1}, true).add(1e-8f));
            NDArray sim = unit.matMul(unit.transpose());
            NDArray diagonal = sim.mul(a.getManager().eye((int) n)).sum();
            return sim.sum().sub(diagonal).div((float) (n * (n - 1)));
        }, layer);
    }

    private static void checkChannel(NDArray a, int channel, String layer) {
        long c = a.getShape().get(1);
        if (channel < 0 || channel >= c) {
            throw new IllegalArgumentException("channel " + channel + " out of range: " + layer + " has " + c
                    + " channels (0 … " + (c - 1) + ")");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Term t : terms) {
            if (sb.length() > 0) {
                sb.append(" + ");
            }
            sb.append(t.weight() == 1 ? "" : t.weight() + "·").append(t.name());
        }
        return "Objective[" + sb + "]";
    }
}
