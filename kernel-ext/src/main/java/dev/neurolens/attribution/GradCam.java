package dev.neurolens.attribution;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Layer;
import dev.neurolens.model.LayerKind;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.Map;
import java.util.Set;

/**
 * Grad-CAM (Selvaraju et al. 2017) at any convolutional layer: each channel of the layer's output is weighted
 * by the spatial mean of the target score's gradient there, summed over channels, passed through a ReLU, and
 * upsampled bilinearly to the input. One forward and one backward pass for the batch. The layer-resolution map
 * is kept in the {@link Details} ({@code [N, h, w]}).
 */
public final class GradCam implements AttributionMethod {
    private final String layer;

    private GradCam(String layer) {
        this.layer = layer;
    }

    /** At the last convolutional stage of the network (features' last block, or layer4). */
    public static GradCam create() {
        return new GradCam(null);
    }

    public static GradCam at(String layer) {
        return new GradCam(layer);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "grad-cam";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Network net = Support.requireNetwork(model, "Grad-CAM");
        Tensor x = Support.prepare(model, input);
        Target.Resolved t = target.resolve(net, x);
        try (NDManager scope = net.newScope()) {
            Result cam = compute(scope, net, x, t);
            return Attribution.builder(name(), net, x).maps(cam.maps()).targets(t.descriptions())
                    .details(new Details(cam.layer(), Tensor.from(cam.layerMap()))).build();
        }
    }

    /**
     * What Grad-CAM reports besides its maps: the layer it ran at and its map there {@code [N, h, w]}, before
     * upsampling.
     */
    public record Details(String layer, Tensor layerMap) implements Attribution.Details {
        @Override
        public String summary() {
            return Attribution.Details.format("layer", layer);
        }
    }

    /** The layer, its maps at its own resolution {@code [N, h, w]} and upsampled to the input's. */
    record Result(String layer, NDArray layerMap, NDArray maps) {
    }

    /** Grad-CAM for a resolved target at this method's layer, in {@code scope}. */
    Result compute(NDManager scope, Network net, Tensor x, Target.Resolved t) {
        String camLayer = layer == null ? defaultLayer(net) : net.resolve(layer);
        NDArray cam = layerMap(scope, net, x, t, camLayer);
        return new Result(camLayer, cam, Support.resize(cam, (int) x.dim(2), (int) x.dim(3)));
    }

    /** The Grad-CAM map at the layer's resolution {@code [N, h, w]}, in {@code scope}. */
    static NDArray layerMap(NDManager scope, Network net, Tensor x, Target.Resolved t, String camLayer) {
        NDArray xa = x.toNDArray(scope);
        NDArray[] leaf = new NDArray[1];
        // cut the graph at the layer: its output becomes a leaf whose gradient we read
        Forward f = Forward.capture(t.layer()).hook(camLayer, out -> {
            NDArray l = out.stopGradient();
            l.setRequiresGradient(true);
            leaf[0] = l;
            return l;
        });
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            Map<String, NDArray> out = net.forward(xa, f);
            if (leaf[0] == null) {
                throw new IllegalArgumentException("layer '" + camLayer + "' is not computed before the target "
                        + t.layer() + "; Grad-CAM needs a layer that comes before what it explains");
            }
            collector.backward(t.scores(out.get(t.layer())).sum());
        }
        NDArray a = leaf[0];
        if (a.getShape().dimension() != 4) {
            throw new IllegalArgumentException("Grad-CAM needs a layer with a spatial map [N, C, H, W]; '"
                    + camLayer + "' outputs " + a.getShape() + ". Pick a convolutional layer.");
        }
        long n = a.getShape().get(0);
        long k = a.getShape().get(1);
        NDArray weights = a.getGradient().reshape(n, k, -1).mean(new int[] {2}).reshape(n, k, 1, 1);
        return Activation.relu(a.mul(weights).sum(new int[] {1}));
    }

    /** The last spatial stage before global pooling: the last block of "features", or e.g. ResNet's layer4. */
    static String defaultLayer(Network net) {
        Set<LayerKind> spatial = Set.of(LayerKind.CONV2D, LayerKind.RELU, LayerKind.FIRE, LayerKind.BATCH_NORM2D,
                LayerKind.BASIC_BLOCK);
        String best = null;
        for (Layer l : net.layers()) {
            if (l.kind() == LayerKind.FLATTEN || l.kind() == LayerKind.LINEAR
                    || l.kind() == LayerKind.ADAPTIVE_AVG_POOL2D || l.name().equals("classifier")) {
                break;
            }
            if (l.kind() == LayerKind.SEQUENTIAL && l.name().equals("features")) {
                for (Layer ch : l.children()) {
                    if (spatial.contains(ch.kind())) {
                        best = ch.name();
                    }
                }
            } else if (spatial.contains(l.kind()) || l.kind() == LayerKind.SEQUENTIAL) {
                best = l.name();
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no convolutional layer found in " + net.name()
                    + "; pass one with GradCam.at(layer)");
        }
        return best;
    }

    public static final class Builder {
        private String layer;

        /** The convolutional layer (name or alias); by default the last spatial stage. */
        public Builder layer(String name) {
            layer = name;
            return this;
        }

        public GradCam build() {
            return new GradCam(layer);
        }
    }
}
