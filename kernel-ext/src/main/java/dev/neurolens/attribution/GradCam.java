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

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Grad-CAM (Selvaraju et al. 2017) at any convolutional layer: each channel of the layer's output is weighted
 * by the spatial mean of the target score's gradient there, summed over channels, passed through a ReLU, and
 * upsampled bilinearly to the input. One forward and one backward pass for the batch. The layer-resolution map
 * is kept under the detail "layer map" ({@code [N, h, w]}).
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
        String camLayer = layer == null ? defaultLayer(net) : net.resolve(layer);
        Target.Resolved t = target.resolve(net, x);
        Tensor[] result = layerMaps(net, x, t, camLayer);
        Tensor cam = result[0];
        int n = (int) cam.dim(0);
        int h = (int) cam.dim(1);
        int w = (int) cam.dim(2);
        float[] v = cam.toFloatArray();
        float[][][] low = new float[n][h][w];
        for (int i = 0; i < n; i++) {
            for (int yy = 0; yy < h; yy++) {
                System.arraycopy(v, (i * h + yy) * w, low[i][yy], 0, w);
            }
        }
        float[][][] maps = Support.upsample(low, (int) x.dim(2), (int) x.dim(3));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("layer", camLayer);
        details.put("layer map", cam);
        return new Attribution(name(), net.name(), x, net.preprocessing(), maps, null, t.descriptions(), false,
                details);
    }

    /**
     * The Grad-CAM map at the layer's resolution {@code [N, h, w]} and the channel weights {@code [N, K]}.
     */
    static Tensor[] layerMaps(Network net, Tensor x, Target.Resolved t, String camLayer) {
        try (NDManager scope = net.newScope()) {
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
            NDArray cam = Activation.relu(a.mul(weights).sum(new int[] {1}));
            return new Tensor[] {Tensor.from(cam), Tensor.from(weights.reshape(n, k))};
        }
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
