package dev.neurolens.attribution;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.Autograd;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Guided backpropagation (Springenberg et al. 2015) for any target: a class, or a channel or unit of any
 * layer. Every ReLU passes back only positive gradient, and only where its input was positive:
 * {@code g_in = max(g_out, 0) * [x > 0]}.
 *
 * <p>DJL cannot give libtorch's autograd a custom ReLU backward, so the pass is cut at every ReLU:
 * each ReLU's output becomes a fresh leaf. One backward from the score fills the last leaves; then, ReLU by
 * ReLU in reverse order of evaluation, the guided rule turns the leaf's gradient into the gradient at the
 * ReLU's input, which is pushed back through the segment below (a vector-Jacobian product) to earlier leaves
 * and finally the input. The map is the largest absolute value over colour channels.
 */
public final class GuidedBackprop implements AttributionMethod {

    private GuidedBackprop() {
    }

    public static GuidedBackprop create() {
        return new GuidedBackprop();
    }

    @Override
    public String name() {
        return "guided backprop";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Network net = Support.requireNetwork(model, "Guided backprop");
        Tensor x = Support.prepare(model, input);
        Target.Resolved t = target.resolve(net, x);
        Tensor g = guidedGradient(net, x, t);
        try (NDManager scope = net.newScope()) {
            return Attribution.builder(name(), net, x).maps(Support.maxAbsOverChannels(g.toNDArray(scope)))
                    .perChannel(g).targets(t.descriptions()).details(new Attribution.TargetLayer(t.layer())).build();
        }
    }

    private record Cut(NDArray input, NDArray output) {
    }

    /** d(score)/d(input) with every ReLU's backward replaced by the guided rule, {@code [N, C, H, W]}. */
    static Tensor guidedGradient(Network net, Tensor x, Target.Resolved t) {
        try (NDManager scope = net.newScope()) {
            NDArray xa = x.toNDArray(scope);
            xa.setRequiresGradient(true);
            List<Cut> cuts = new ArrayList<>();
            Forward f = Forward.capture(t.layer()).relu((layer, in) -> {
                NDArray out = Activation.relu(in.stopGradient());
                out.setRequiresGradient(true);
                cuts.add(new Cut(in, out));
                return out;
            });
            // the collector only switches recording on; the backward passes below keep the graph
            try (GradientCollector recording = Engine.getEngine("PyTorch").newGradientCollector()) {
                Map<String, NDArray> out = net.forward(xa, f);
                NDArray score = t.scores(out.get(t.layer())).sum();
                backward(score, score.onesLike());
                for (int i = cuts.size() - 1; i >= 0; i--) {
                    Cut c = cuts.get(i);
                    NDArray gOut = gradientOrNull(c.output());
                    if (gOut == null) {
                        continue;
                    }
                    NDArray guided = Activation.relu(gOut).mul(c.input().stopGradient().gt(0));
                    backward(c.input(), guided);
                }
            }
            NDArray g = gradientOrNull(xa);
            return g == null ? Tensor.zeros(x.shape()) : Tensor.from(g);
        }
    }

    /**
     * A vector-Jacobian product into the leaves below {@code root}, keeping the graph: segments can share
     * nodes (ResNet's shortcut reads the same pooled map as the block's first conv).
     */
    private static void backward(NDArray root, NDArray gradient) {
        Autograd.backwardKeepingGraph(root, gradient);
    }

    private static NDArray gradientOrNull(NDArray a) {
        try {
            return a.getGradient();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
