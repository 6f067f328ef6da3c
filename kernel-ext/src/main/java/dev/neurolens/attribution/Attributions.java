package dev.neurolens.attribution;

import dev.neurolens.display.ImageGrid;
import dev.neurolens.model.Model;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The attribution front door: every method with its defaults by name, and a side-by-side grid of methods for
 * one image ({@code Attributions.compare(model, image, Target.predicted(), "gradient", "grad-cam")}).
 */
public final class Attributions {
    private static final Map<String, Supplier<AttributionMethod>> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("gradient", GradientSaliency::create);
        METHODS.put("smoothgrad", SmoothGrad::create);
        METHODS.put("integrated-gradients", IntegratedGradients::create);
        METHODS.put("occlusion", Occlusion::create);
        METHODS.put("guided-backprop", GuidedBackprop::create);
        METHODS.put("grad-cam", GradCam::create);
        METHODS.put("guided-grad-cam", GuidedGradCam::create);
    }

    private Attributions() {
    }

    /** Names accepted by {@link #method(String)}. */
    public static List<String> names() {
        return List.copyOf(METHODS.keySet());
    }

    /** A method with its default options: gradient, smoothgrad, integrated-gradients (or ig), occlusion, ... */
    public static AttributionMethod method(String name) {
        String key = name.toLowerCase(Locale.ROOT).strip().replace('_', '-').replace(' ', '-');
        key = switch (key) {
            case "ig" -> "integrated-gradients";
            case "saliency", "vanilla", "grad" -> "gradient";
            case "gradcam" -> "grad-cam";
            case "guided", "guidedbackprop" -> "guided-backprop";
            case "guided-gradcam", "guidedgradcam" -> "guided-grad-cam";
            default -> key;
        };
        Supplier<AttributionMethod> s = METHODS.get(key);
        if (s == null) {
            throw new IllegalArgumentException("unknown attribution method '" + name + "'; methods: "
                    + String.join(", ", METHODS.keySet()));
        }
        return s.get();
    }

    /** Every method, defaults. */
    public static List<AttributionMethod> all() {
        List<AttributionMethod> list = new ArrayList<>();
        METHODS.values().forEach(s -> list.add(s.get()));
        return list;
    }

    /**
     * The picture, then one overlay per method, for the first image of {@code input}. The input is prepared and
     * the target resolved once, so every method explains the same class without a forward pass of its own for
     * "predicted".
     */
    public static ImageGrid compare(Model model, Tensor input, Target target, List<AttributionMethod> methods) {
        Tensor first = Support.rows(Support.prepare(model, input), 0, 1);
        Target.Resolved resolved = target.resolve(model, first);
        Target fixed = Target.resolved(resolved);
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (AttributionMethod m : methods) {
            Attribution a = m.attribute(model, first, fixed);
            if (cells.isEmpty()) {
                cells.add(a.image(0));
                captions.add("input");
            }
            cells.add(a.overlay(0).colorbar(false).title(null).renderOverlay());
            captions.add(m.name());
        }
        return ImageGrid.of(cells).captions(captions).title(model.info().name() + ": "
                + resolved.descriptions().get(0));
    }

    public static ImageGrid compare(Model model, Tensor input, Target target, String... methods) {
        List<AttributionMethod> list = new ArrayList<>();
        for (String n : methods) {
            list.add(method(n));
        }
        return compare(model, input, target, methods.length == 0 ? all() : list);
    }

    /** A picture of any size, and methods of any kind (a user's own included). */
    public static ImageGrid compare(Model model, BufferedImage image, Target target, List<AttributionMethod> methods) {
        return compare(model, model.preprocessing().toTensor(image), target, methods);
    }

    public static ImageGrid compare(Model model, BufferedImage image, Target target, String... methods) {
        return compare(model, model.preprocessing().toTensor(image), target, methods);
    }
}
