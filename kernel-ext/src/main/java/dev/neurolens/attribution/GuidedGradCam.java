package dev.neurolens.attribution;

import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the guided-backprop gradient, pixel by pixel times the upsampled
 * Grad-CAM map, so fine detail is kept only where the class evidence is. The map is the largest absolute value
 * over colour channels.
 */
public final class GuidedGradCam implements AttributionMethod {
    private final GradCam gradCam;

    private GuidedGradCam(GradCam gradCam) {
        this.gradCam = gradCam;
    }

    public static GuidedGradCam create() {
        return new GuidedGradCam(GradCam.create());
    }

    public static GuidedGradCam at(String layer) {
        return new GuidedGradCam(GradCam.at(layer));
    }

    @Override
    public String name() {
        return "guided grad-cam";
    }

    @Override
    public Attribution attribute(Model model, Tensor input, Target target) {
        Network net = Support.requireNetwork(model, "Guided Grad-CAM");
        Tensor x = Support.prepare(model, input);
        Target.Resolved t = target.resolve(net, x);
        // fix the target once so both halves explain the same class even for "predicted"
        Target fixed = t.layer().equals(Network.OUTPUT) && allSame(t.channels()) ? Target.classIndex(t.channels()[0])
                : null;
        Attribution cam = fixed != null ? gradCam.attribute(net, x, fixed) : gradCam.attribute(net, x, target);
        Tensor g = GuidedBackprop.guidedGradient(net, x, t);
        int n = (int) x.dim(0);
        int c = (int) x.dim(1);
        int h = (int) x.dim(2);
        int w = (int) x.dim(3);
        float[] v = g.toFloatArray();
        for (int i = 0; i < n; i++) {
            float[][] m = cam.map(i);
            for (int ch = 0; ch < c; ch++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        v[((i * c + ch) * h + yy) * w + xx] *= m[yy][xx];
                    }
                }
            }
        }
        Tensor product = Tensor.of(v, x.shape());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("layer", cam.detail("layer"));
        return new Attribution(name(), net.name(), x, net.preprocessing(), Support.maxAbsOverChannels(product),
                product, t.descriptions(), false, details);
    }

    private static boolean allSame(int[] v) {
        for (int a : v) {
            if (a != v[0]) {
                return false;
            }
        }
        return true;
    }
}
