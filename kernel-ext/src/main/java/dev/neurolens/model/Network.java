package dev.neurolens.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.internal.Blocks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CNN as an ordered graph of named {@link Layer}s over weights held in native memory, evaluated
 * functionally: any pass can capture layers, run hooks, change how ReLUs behave or stop early.
 *
 * <p>Two levels. The Tensor methods ({@link #run}, {@link #gradient}, {@link #logits(Tensor)}) open and close
 * their own native scope and copy results out. {@link #forward(NDArray, Forward)} works on the caller's
 * arrays: everything it creates belongs to the input's manager, so a technique scopes it with
 * {@code try (NDManager m = network.newScope())}. Close the network to free its weights.
 */
public final class Network implements Model {
    /** Key of the logits in the map returned by {@link #forward(NDArray, Forward)}. */
    public static final String OUTPUT = "output";

    private final Architecture architecture;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final String source;
    private final Map<String, Layer> layersByName = new LinkedHashMap<>();
    private Map<String, ReceptiveField> receptiveFields;
    private volatile String weightsHash;
    private boolean closed;

    private Network(Architecture architecture, NDManager manager, Map<String, NDArray> parameters, String source) {
        this.architecture = architecture;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.source = source;
        for (Layer l : Blocks.flatten(architecture.layers())) {
            layersByName.put(l.name(), l);
        }
    }

    /**
     * Checks every key and shape against the architecture before touching native memory, so a bad file
     * leaves nothing half-loaded; then copies the weights to the current device.
     */
    static Network create(Architecture arch, Map<String, RawTensor> weights, String source) {
        Map<String, long[]> expected = arch.parameterShapes();
        List<String> problems = new ArrayList<>();
        int missing = 0;
        int wrongShape = 0;
        int unexpected = 0;
        for (var e : expected.entrySet()) {
            RawTensor t = weights.get(e.getKey());
            if (t == null) {
                missing++;
                problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                wrongShape++;
                problems.add(e.getKey() + " has shape " + t.shapeString() + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        for (String k : weights.keySet()) {
            if (!expected.containsKey(k) && !k.endsWith("num_batches_tracked")) {
                unexpected++;
                problems.add("unexpected " + k + " " + weights.get(k).shapeString());
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsException("weights from " + source + " do not fit " + arch.name() + ": " + missing
                    + " missing, " + wrongShape + " with wrong shape, " + unexpected + " unexpected; first: "
                    + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
                    + ". Nothing was loaded.");
        }
        NDManager manager = NDManager.newBaseManager(Devices.current(), "PyTorch");
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (String key : expected.keySet()) {
                RawTensor t = weights.get(key);
                NDArray a = manager.create(t.data().duplicate(), new Shape(t.shape()), DataType.FLOAT32);
                a.setName(key);
                params.put(key, a);
            }
            return new Network(arch, manager, params, source);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public Architecture architecture() {
        return architecture;
    }

    public String name() {
        return architecture.name();
    }

    /** Where the weights came from (a file, a cache entry, "random init"). */
    public String source() {
        return source;
    }

    /** Whether the weights are a random initialization ({@link Architecture#randomInit}), not trained ones. */
    public boolean randomWeights() {
        return source.startsWith(Architecture.RANDOM_SOURCE);
    }

    /**
     * The name for titles: "vgg16", "vgg16 (random weights)" or "fashion_cnn (adversarially trained)", so a picture
     * made without trained weights, or with the robust built-in model, says so wherever it is shown.
     */
    public String label() {
        if (randomWeights()) {
            return name() + " (random weights)";
        }
        return source.endsWith(AdversarialTraining.NOTE) ? name() + AdversarialTraining.NOTE : name();
    }

    @Override
    public ModelInfo info() {
        return architecture.info();
    }

    public Device device() {
        return manager.getDevice();
    }

    /** A fresh native scope on this network's device, for callers of {@link #forward(NDArray, Forward)}. */
    public NDManager newScope() {
        checkOpen();
        return manager.newSubManager();
    }

    /** Top-level layers in evaluation order. */
    public List<Layer> layers() {
        return architecture.layers();
    }

    /** Every layer, containers before their children, depth first in evaluation order. */
    public List<Layer> allLayers() {
        return Blocks.flatten(layers());
    }

    /** All layer names, containers before their children, in evaluation order. */
    @Override
    public List<String> layerNames() {
        return List.copyOf(layersByName.keySet());
    }

    public Map<String, String> aliases() {
        return architecture.aliases();
    }

    /** The torchvision name for a name or alias; {@link #OUTPUT} stands for the logits. */
    public String resolve(String nameOrAlias) {
        if (layersByName.containsKey(nameOrAlias) || OUTPUT.equals(nameOrAlias)) {
            return nameOrAlias;
        }
        String a = architecture.aliases().get(nameOrAlias);
        if (a != null) {
            return a;
        }
        List<String> all = new ArrayList<>(architecture.aliases().keySet());
        all.addAll(layersByName.keySet());
        throw new LayerNotFoundException(name(), nameOrAlias, Names.closest(nameOrAlias, all, 5), overview());
    }

    public Layer layer(String nameOrAlias) {
        String n = resolve(nameOrAlias);
        if (OUTPUT.equals(n)) {
            n = lastLayerName();
        }
        return layersByName.get(n);
    }

    /** Weights by state_dict name; native arrays owned by this network (do not close them). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * The first 16 hex digits of the SHA-256 of the weights (names, shapes and float bytes, in state_dict order),
     * computed once, on first use: a key for caches of what the network computes, so a retrained model with the
     * same name never reuses stale results. The trainers here change weights in place only before they return a
     * network; code that changes them afterwards must not rely on this.
     */
    public String weightsHash() {
        String h = weightsHash;
        if (h == null) {
            checkOpen();
            java.security.MessageDigest sha;
            try {
                sha = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no SHA-256", e);
            }
            for (var e : parameters.entrySet()) {
                sha.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Arrays.toString(e.getValue().getShape().getShape())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(e.getValue().toByteBuffer());
            }
            h = java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            weightsHash = h;
        }
        return h;
    }

    /**
     * A new network with this one's weights except those in {@code replacements} (by state_dict name), e.g. for
     * the model-randomization sanity check. Every weight is copied; close the result when done.
     */
    public Network withParameters(Map<String, Tensor> replacements, String newSource) {
        checkOpen();
        Map<String, RawTensor> w = new LinkedHashMap<>();
        for (var e : parameters.entrySet()) {
            Tensor r = replacements.get(e.getKey());
            long[] shape = e.getValue().getShape().getShape();
            if (r != null && !Arrays.equals(r.shape(), shape)) {
                throw new IllegalArgumentException("replacement for " + e.getKey() + " has shape "
                        + Arrays.toString(r.shape()) + ", expected " + Arrays.toString(shape));
            }
            float[] v = r != null ? r.toFloatArray() : e.getValue().toFloatArray();
            w.put(e.getKey(), RawTensor.ofFloats(v, shape));
        }
        for (String k : replacements.keySet()) {
            if (!parameters.containsKey(k)) {
                throw new IllegalArgumentException("no parameter '" + k + "' in " + name() + "; closest: "
                        + String.join(", ", Names.closest(k, new ArrayList<>(parameters.keySet()), 5)));
            }
        }
        return create(architecture, w, newSource);
    }

    /** The receptive field of a layer's units, from the architecture (independent of the weights). */
    public ReceptiveField receptiveField(String nameOrAlias) {
        if (receptiveFields == null) {
            Map<String, ReceptiveField> sink = new LinkedHashMap<>();
            ReceptiveField rf = ReceptiveField.INPUT;
            for (Layer l : architecture.layers()) {
                rf = l.receptiveField(rf, sink);
            }
            receptiveFields = sink;
        }
        String n = resolve(nameOrAlias);
        return OUTPUT.equals(n) ? ReceptiveField.whole() : receptiveFields.get(n);
    }

    /**
     * Evaluates the network on {@code x} as {@code spec} says. Returns the captured outputs by their names as
     * given in the spec, plus the logits under {@link #OUTPUT} when the pass ran to the end. All arrays
     * created belong to {@code x}'s manager.
     */
    public Map<String, NDArray> forward(NDArray x, Forward spec) {
        checkOpen();
        checkInput(x.getShape());
        Map<String, String> requested = new LinkedHashMap<>();
        for (String c : spec.captures()) {
            requested.put(c, resolve(c));
        }
        Map<String, LayerHook> hooks = new LinkedHashMap<>();
        for (var e : spec.hooks().entrySet()) {
            String n = resolve(e.getKey());
            hooks.merge(OUTPUT.equals(n) ? lastLayerName() : n, e.getValue(), LayerHook::andThen);
        }
        Set<String> captureSet = new HashSet<>();
        boolean needOutput = !spec.stopEarly() || requested.isEmpty();
        for (String n : requested.values()) {
            if (OUTPUT.equals(n)) {
                needOutput = true;
            } else {
                captureSet.add(n);
            }
        }
        ForwardPass pass = new ForwardPass(parameters, hooks, captureSet, spec.relu(), spec.training(),
                !needOutput);
        NDArray y = x;
        for (Layer l : architecture.layers()) {
            y = l.forward(y, pass);
            if (pass.done()) {
                break;
            }
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (var e : requested.entrySet()) {
            NDArray a = OUTPUT.equals(e.getValue()) ? y : pass.captured().get(e.getValue());
            out.put(e.getKey(), a);
        }
        if (needOutput) {
            out.put(OUTPUT, y);
        }
        return out;
    }

    /** The logits for a batch already on this network's device. */
    public NDArray logits(NDArray x) {
        return forward(x, Forward.plain()).get(OUTPUT);
    }

    @Override
    public Tensor logits(Tensor input) {
        try (NDManager scope = newScope()) {
            return Tensor.from(logits(input.requireFinite("the input").toNDArray(scope)));
        }
    }

    @Override
    public Activations run(Tensor input, String... layers) {
        return run(input, Forward.capture(layers));
    }

    /** Outputs of the spec's captures (and the logits, under "output", when it ran to the end). */
    public Activations run(Tensor input, Forward spec) {
        try (NDManager scope = newScope()) {
            Map<String, NDArray> arrays = forward(input.requireFinite("the input").toNDArray(scope), spec);
            Map<String, Tensor> copied = new LinkedHashMap<>();
            Map<String, String> canonical = new LinkedHashMap<>();
            for (var e : arrays.entrySet()) {
                copied.put(e.getKey(), Tensor.from(e.getValue()));
                canonical.put(e.getKey(), OUTPUT.equals(e.getKey()) ? OUTPUT : resolve(e.getKey()));
            }
            return new Activations(copied, canonical);
        }
    }

    @Override
    public Gradient gradient(Tensor input, String layer, Scalar scalar) {
        return gradient(input, Forward.plain(), layer, scalar, "input");
    }

    /** Gradient of {@code scalar} at {@code layer} with respect to the output of layer {@code wrt}. */
    public Gradient gradient(Tensor input, String layer, Scalar scalar, String wrt) {
        return gradient(input, Forward.plain(), layer, scalar, wrt);
    }

    /**
     * The general form: the pass runs with {@code spec}'s hooks and ReLU; {@code wrt} is "input" or a layer
     * that comes before {@code layer}.
     */
    public Gradient gradient(Tensor input, Forward spec, String layer, Scalar scalar, String wrt) {
        checkOpen();
        boolean wrtInput = "input".equals(wrt);
        try (NDManager scope = newScope()) {
            NDArray x = input.requireFinite("the input").toNDArray(scope);
            NDArray[] leaf = new NDArray[1];
            Forward f = spec.andCapture(layer);
            if (wrtInput) {
                x.setRequiresGradient(true);
                leaf[0] = x;
            } else {
                String w = resolve(wrt);
                String target = resolve(layer);
                List<String> order = evaluationOrder();
                if (OUTPUT.equals(w) || (!OUTPUT.equals(target) && order.indexOf(w) >= order.indexOf(target))) {
                    throw new IllegalArgumentException("cannot take the gradient of '" + layer + "' with respect to '"
                            + wrt + "': " + wrt + " is computed after " + layer);
                }
                // cut the graph at wrt: its output becomes a fresh leaf whose gradient we read
                f = f.hook(w, out -> {
                    NDArray l = out.stopGradient();
                    l.setRequiresGradient(true);
                    leaf[0] = l;
                    return l;
                });
            }
            float value;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                Map<String, NDArray> out = forward(x, f);
                NDArray s = scalar.of(out.get(layer));
                if (s.getShape().size() != 1) {
                    throw new IllegalArgumentException("the scalar read at " + layer + " has shape " + s.getShape()
                            + "; it must be a single value");
                }
                value = s.toType(DataType.FLOAT32, false).getFloat();
                collector.backward(s);
            }
            if (leaf[0] == null) {
                throw new IllegalArgumentException("layer '" + wrt + "' was not reached before '" + layer
                        + "'; the gradient needs wrt to come first");
            }
            return new Gradient(Tensor.from(leaf[0].getGradient()), value, layer, wrt);
        }
    }

    @Override
    public Preprocessing preprocessing() {
        return info().preprocessing();
    }

    /** One line per layer: name, alias, what it computes, receptive field. */
    public String summary() {
        Map<String, String> aliasOf = new LinkedHashMap<>();
        architecture.aliases().forEach((a, n) -> aliasOf.putIfAbsent(n, a));
        StringBuilder sb = new StringBuilder(name() + " (" + source + ", " + device() + ")\n");
        for (String n : layersByName.keySet()) {
            Layer l = layersByName.get(n);
            ReceptiveField rf = receptiveField(n);
            sb.append(String.format("%-28s %-9s %-48s %s%n", n, aliasOf.getOrDefault(n, ""), l.describe(),
                    rf.global() ? "global" : "rf " + rf.size() + " stride " + rf.stride()));
        }
        return sb.toString();
    }

    /** Arrays owned directly by this network's manager (weights, plus anything leaked into it); for leak tests. */
    int ownedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    @Override
    public String toString() {
        return "Network[" + name() + ", " + layersByName.size() + " layers, " + source + "]";
    }

    /** Layer names in the order their outputs are produced (children before their container). */
    private List<String> evaluationOrder() {
        List<String> order = new ArrayList<>();
        addPostOrder(architecture.layers(), order);
        return order;
    }

    private static void addPostOrder(List<Layer> layers, List<String> order) {
        for (Layer l : layers) {
            addPostOrder(l.children(), order);
            order.add(l.name());
        }
    }

    private String lastLayerName() {
        List<Layer> top = architecture.layers();
        return top.get(top.size() - 1).name();
    }

    private String overview() {
        List<String> top = new ArrayList<>();
        for (Layer l : architecture.layers()) {
            List<Layer> ch = l.children();
            top.add(ch.isEmpty() ? l.name()
                    : ch.get(0).name() + " … " + ch.get(ch.size() - 1).name());
        }
        List<String> aliases = new ArrayList<>(architecture.aliases().keySet());
        return String.join(", ", top) + (aliases.isEmpty() ? "" : "; aliases: " + aliases.get(0) + " … "
                + aliases.get(aliases.size() - 1));
    }

    private void checkInput(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != info().channels()) {
            throw new IllegalArgumentException(name() + " takes input [N, " + info().channels()
                    + ", H, W]; got " + shape);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
    }
}
