package dev.neurolens.model;


import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The front door: {@code Models.model("squeezenet1_1")} for pretrained ImageNet networks (local folder,
 * cache or download), {@code Models.defaultModel()} for the built-in Fashion-MNIST classifier that needs
 * nothing outside the jar, {@code Models.torchScript(path)} for a user's own model.
 */
public final class Models {
    /** Resource holding the built-in model's weights (safetensors), trained by {@code TrainDefaultModel}. */
    static final String DEFAULT_WEIGHTS = "fashion_cnn.safetensors";
    /** The same architecture adversarially trained (L2 radius 1.5, PGD-2; {@code TrainDefaultModel}'s 4th argument). */
    static final String ROBUST_WEIGHTS = "fashion_cnn_robust.safetensors";

    private Models() {
    }

    /** A pretrained network by registry name: squeezenet1_1, alexnet, vgg16, vgg19, resnet18. */
    public static Network model(String name) {
        return WeightStore.fromEnvironment().load(WeightStore.entry(name));
    }

    /** The built-in Fashion-MNIST CNN (28x28 gray, 10 classes), weights read from the jar. */
    public static Network defaultModel() {
        return builtIn(DEFAULT_WEIGHTS, "");
    }

    /**
     * The built-in Fashion-MNIST CNN trained on adversarial examples (test accuracy 78.7% against the default's 91.0%): its
     * input gradients follow garment shapes, so class visualizations of it look like garments (Santurkar et al.,
     * "Image Synthesis with a Single (Robust) Classifier", NeurIPS 2019). Titles call it "fashion_cnn (adversarially
     * trained)".
     */
    public static Network robustDefaultModel() {
        return builtIn(ROBUST_WEIGHTS, AdversarialTraining.NOTE);
    }

    private static Network builtIn(String resource, String note) {
        try (InputStream in = Models.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new WeightsException(resource + " is missing from the jar; run TrainDefaultModel");
            }
            return Network.create(Architecture.of("fashion_cnn"), WeightsFiles.readSafetensors(in, resource),
                    "built-in " + resource + note);
        } catch (IOException e) {
            throw new WeightsException("cannot read the built-in weights: " + e.getMessage(), e);
        }
    }

    /** An architecture with weights from a state_dict file (torch.save zip, or safetensors). */
    public static Network load(String architecture, Path weights) {
        return Architecture.of(architecture).load(weights);
    }

    /** An architecture with random weights, e.g. for random-feature pictures when no weights are at hand. */
    public static Network random(String architecture, long seed) {
        return Architecture.of(architecture).randomInit(seed);
    }

    /** A TorchScript file ({@code torch.jit.script} or {@code trace}, saved with {@code .save}). */
    public static TorchScriptModel torchScript(Path file, ModelInfo info) {
        return TorchScriptModel.load(file, info);
    }

    /** Names in the weights registry. */
    public static List<String> available() {
        return WeightStore.entries().stream().map(WeightsEntry::name).toList();
    }
}
