package dev.neurolens.attribution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Model;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;


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
        // one resolved target for both halves, so they explain the same class even for "predicted"
        Tensor g = GuidedBackprop.guidedGradient(net, x, t);
        try (NDManager scope = net.newScope()) {
            GradCam.Result cam = gradCam.compute(scope, net, x, t);
            NDArray product = g.toNDArray(scope).mul(cam.maps().expandDims(1));
            return Attribution.builder(name(), net, x).maps(Support.maxAbsOverChannels(product))
                    .perChannel(Tensor.from(product)).targets(t.descriptions())
                    .details(new GradCam.Details(cam.layer(), Tensor.from(cam.layerMap()))).build();
        }
    }
}
