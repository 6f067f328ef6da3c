package dev.neurolens.model;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What every model offers, whether built here from an {@link Architecture} ({@link Network}) or loaded from
 * a user's TorchScript file ({@link TorchScriptModel}). Inputs are batches {@code [N, C, H, W]}, already
 * preprocessed; results are copied out and owned by the caller. Not thread-safe.
 */
public interface Model extends AutoCloseable {

    ModelInfo info();

    /** Names of the layers whose outputs can be captured, in evaluation order. */
    List<String> layerNames();

    /** The logits {@code [N, classes]}. */
    Tensor logits(Tensor input);

    /** Outputs of the given layers from one pass. */
    Activations run(Tensor input, String... layers);

    /** Gradient of {@code scalar} read at {@code layer} ("output" for the logits) with respect to the input. */
    Gradient gradient(Tensor input, String layer, Scalar scalar);

    default Preprocessing preprocessing() {
        return info().preprocessing();
    }

    /** The {@code k} most probable classes for a picture, preprocessed the way the model expects. */
    default Prediction predict(BufferedImage image, int k) {
        Tensor logits = logits(preprocessing().toTensor(image));
        return Prediction.fromLogits(logits.slice(0).toFloatArray(), info().labels(), k);
    }

    default Prediction predict(BufferedImage image) {
        return predict(image, 5);
    }

    @Override
    void close();
}
