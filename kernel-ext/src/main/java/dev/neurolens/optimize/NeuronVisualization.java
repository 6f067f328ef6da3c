package dev.neurolens.optimize;

import dev.neurolens.model.Network;
import dev.neurolens.run.RunBuilder;

/**
 * What an intermediate unit responds to: gradient ascent on a channel's mean activation (or on the single
 * neuron at the feature map's centre), with jitter and rescaling for robustness. With {@code batch(n)} and
 * {@code diversity(w)} several different images are optimized at once and pushed apart (Lucid's diversity).
 *
 * <pre>{@code NeuronVisualization.channel(net, "fire6", 17).steps(128).run()}</pre>
 */
public final class NeuronVisualization extends RunBuilder<NeuronVisualization> {
    private final Network network;
    private final String layer;
    private final int channel;
    private final boolean neuron;
    private double lr = 0.05;
    private int size;
    private int batch = 1;
    private double diversity;
    private double l2 = 1e-3;
    private double blurSigma;
    private int blurEvery = 4;

    private NeuronVisualization(Network network, String layer, int channel, boolean neuron) {
        super(128);
        network.resolve(layer);
        this.network = network;
        this.layer = layer;
        this.channel = channel;
        this.neuron = neuron;
        this.size = network.preprocessing().crop();
    }

    /** A whole channel (feature map): its mean activation. */
    public static NeuronVisualization channel(Network network, String layer, int channel) {
        return new NeuronVisualization(network, layer, channel, false);
    }

    /** One neuron: the channel's unit at the centre of the feature map. */
    public static NeuronVisualization neuron(Network network, String layer, int channel) {
        return new NeuronVisualization(network, layer, channel, true);
    }

    public NeuronVisualization lr(double v) {
        this.lr = v;
        return this;
    }

    public NeuronVisualization size(int pixels) {
        this.size = pixels;
        return this;
    }

    /** Optimize n images together. */
    public NeuronVisualization batch(int n) {
        this.batch = n;
        return this;
    }

    /** Weight of the diversity term (needs batch &gt; 1). */
    public NeuronVisualization diversity(double weight) {
        this.diversity = weight;
        return this;
    }

    public NeuronVisualization l2(double weight) {
        this.l2 = weight;
        return this;
    }

    public NeuronVisualization blur(double sigma, int every) {
        this.blurSigma = sigma;
        this.blurEvery = every;
        return this;
    }

    public RenderResult run() {
        Objective o = neuron ? Objective.neuron(layer, channel) : Objective.channel(layer, channel);
        if (diversity != 0 && batch > 1) {
            o = o.plus(Objective.diversity(layer).times(diversity));
        }
        if (l2 > 0) {
            o = o.plus(Objective.l2().times(l2));
        }
        int j = Math.max(1, size / 28);
        Constraint clip = Constraint.clip(network.preprocessing());
        Constraint[] cs = blurSigma > 0 ? new Constraint[] {clip, Constraint.blur(blurSigma, blurEvery)}
                : new Constraint[] {clip};
        return Render.builder(network).objective(o).parameterization(Parameterization.pixels(0.1))
                .batch(batch).size(size, size)
                .transforms(Transform.jitter(j), Transform.scale(0.95, 1.0, 1.05), Transform.jitter(Math.max(1, j / 2)))
                .constraints(cs).optimizer(Optimizer.adam(lr)).options(options())
                .technique(neuron ? "neuron visualization" : "channel visualization")
                .title((neuron ? "neuron " : "channel ") + layer + ":" + channel + " · " + network.name()).run();
    }
}
