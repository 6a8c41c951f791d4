package lanes.interchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.Flatten;
import lanes.engine.MaxPool2D;
import lanes.engine.Padding;
import lanes.engine.Reshape;
import lanes.engine.Shape;
import lanes.interchange.KerasConfig.Invalid;
import lanes.interchange.KerasConfig.Layer;

/**
 * The first pass over a Keras model's layers: what each becomes in the engine, with every shape worked
 * out from the config alone. Every layer is looked at, so that all the problems are reported at once
 * rather than the first; the weights are read only when there are none ({@link KerasImporter}).
 *
 * <p>Keras is NHWC and flattens H, W, C, which is the engine's own layout: nothing is permuted. Keras'
 * shapes (without the batch) map to the engine's {@link Shape} as (n) → 1×1×n, (h, w) → h×w×1,
 * (h, w, c) → h×w×c: the same floats in the same order.
 */
final class KerasLayers {

    /** One Keras layer, planned; those with weights say which and how they are shaped. */
    sealed interface Planned {
        Layer layer();
    }

    record Dense(Layer layer, int inputs, int units, Activation activation, boolean bias) implements Planned {}

    record Conv(Layer layer, Shape input, int filters, int kernelH, int kernelW, int strideH, int strideW,
                Padding padding, Activation activation, boolean bias) implements Planned {}

    record Norm(Layer layer, int channels, boolean scale, boolean center, float epsilon) implements Planned {}

    /** A layer without weights: Flatten, Reshape, MaxPool2D, a separate activation. */
    record Fixed(Layer layer, lanes.engine.Layer engine) implements Planned {}

    /** Layers that are the identity when predicting. */
    private static final Set<String> NO_OPS = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization");

    private static final String SUPPORTED = "Lanes imports InputLayer, Flatten, Reshape, Dense, Conv2D,"
            + " MaxPooling2D, BatchNormalization, Dropout and Activation layers";

    final List<Planned> planned = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    /** The engine's input shape. */
    final Shape input;
    /** Keras' current shape without the batch; null once a problem leaves it unknown. */
    private int[] dims;

    private KerasLayers(int[] inputDims) throws Invalid {
        this.dims = inputDims;
        try {
            this.input = engineShape(inputDims, "the input shape");
        } catch (IllegalArgumentException e) {
            throw new Invalid("the input shape " + render(inputDims) + ": " + e.getMessage());
        }
    }

    static KerasLayers plan(KerasConfig config) throws Invalid {
        if (config.inputShape == null) throw new Invalid("the config does not give the model's input shape;"
                + " build the model with an Input layer (or input_shape= on its first layer) before saving it");
        KerasLayers plan = new KerasLayers(config.inputShape);
        for (int i = 0; i < config.layers.size(); i++) {
            Layer layer = config.layers.get(i);
            try {
                plan.add(layer, i);
            } catch (UnknownInput e) {
                // Checked as far as the config allows; its shapes follow from a layer already reported.
            } catch (Invalid | IllegalArgumentException e) {
                // IllegalArgumentException: an engine record refusing what the config asks (padding over its limit, say).
                plan.problems.add("layer '" + layer.name() + "' (" + layer.className() + "): " + e.getMessage());
                plan.dims = null;
            }
        }
        return plan;
    }

    private void add(Layer layer, int index) throws Invalid {
        Map<String, Object> c = layer.config();
        String cls = layer.className();
        if (NO_OPS.contains(cls)) return;
        switch (cls) {
            case "InputLayer" -> {
                if (index != 0) throw new Invalid("an InputLayer inside the model; only the first layer may be one");
            }
            case "Activation" -> activation(layer, activation(c.get("activation")));
            case "ReLU" -> {
                for (String k : List.of("max_value", "negative_slope", "threshold")) {
                    Object v = c.get(k);
                    if (v != null && !(v instanceof Double d && d == 0))
                        throw new Invalid(k + " " + KerasConfig.render(v) + "; only a plain ReLU (no " + k + ") is supported");
                }
                activation(layer, Activation.RELU);
            }
            case "Softmax" -> {
                lastAxis(c.get("axis"), "axis");
                activation(layer, Activation.SOFTMAX);
            }
            case "Flatten" -> flatten(layer, c);
            case "Reshape" -> reshape(layer, c);
            case "Dense" -> dense(layer, c);
            case "Conv2D", "Convolution2D" -> conv(layer, c);
            case "MaxPooling2D", "MaxPool2D" -> pool(layer, c);
            case "BatchNormalization" -> norm(layer, c);
            default -> throw new Invalid(advice(cls));
        }
    }

    /** What to do about a layer class Lanes cannot run. */
    static String advice(String cls) {
        return switch (cls) {
            case "Lambda" -> "its Python code is not in the file and cannot be imported; remove the Lambda layer"
                    + " (do its computation before or after the model) and save the model again";
            case "Sequential", "Functional", "Model" -> "a model nested inside the model; rebuild it as one flat"
                    + " Sequential model and save it again";
            case "Rescaling", "Normalization" -> "not supported; remove it and import with --input-range instead"
                    + " (a model that expects raw 0-255 pixels is imported with --input-range 0,255)";
            case "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D" -> "not supported; " + SUPPORTED
                    + " (use MaxPooling2D and Flatten)";
            default -> "not supported; " + SUPPORTED + ": replace or remove it";
        };
    }

    // -----------------------------------------------------------------------------------------------

    private void activation(Layer layer, Activation a) throws Invalid {
        int[] d = known();
        if (a == Activation.SOFTMAX) softmaxFits(d, "softmax");
        if (a != Activation.LINEAR) planned.add(new Fixed(layer, new ActivationLayer(a)));
    }

    private void flatten(Layer layer, Map<String, Object> c) throws Invalid {
        int[] d = known();
        if ("channels_first".equals(c.get("data_format")) && d.length > 1)
            throw new Invalid("data_format channels_first (it flattens in C,H,W order); save the model with"
                    + " channels_last, Keras' default");
        if (d.length == 1) return; // already flat
        int n = size(d, "the flattened size");
        planned.add(new Fixed(layer, new Flatten()));
        dims = new int[] {n};
    }

    private void reshape(Layer layer, Map<String, Object> c) throws Invalid {
        int[] d = known();
        List<Object> target = KerasConfig.list(c.get("target_shape"), "target_shape");
        if (target.isEmpty() || target.size() > 3) throw new Invalid("target_shape "
                + KerasConfig.render(target) + "; Lanes reshapes to 1 to 3 dimensions (height, width, channels)");
        int total = size(d, "the input size");
        int[] out = new int[target.size()];
        int free = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            Object t = target.get(i);
            if (t instanceof Double v && v == -1) {
                if (free >= 0) throw new Invalid("target_shape " + KerasConfig.render(target) + " has two -1s");
                free = i;
            } else {
                out[i] = KerasConfig.positiveInt(t, "target_shape");
                known *= out[i];
            }
        }
        if (free >= 0) {
            if (total % known != 0) throw new Invalid("target_shape " + KerasConfig.render(target)
                    + " does not fit the input's " + total + " values");
            out[free] = (int) (total / known);
        }
        if (size(out, "target_shape") != total) throw new Invalid("target_shape " + KerasConfig.render(target)
                + " holds " + size(out, "target_shape") + " values, the input " + total);
        planned.add(new Fixed(layer, new Reshape(engineShape(out, "target_shape"))));
        dims = out;
    }

    private void dense(Layer layer, Map<String, Object> c) throws Invalid {
        unsupportedIfSet(c, "quantization_config", "lora_rank");
        Activation a = activation(c.get("activation"));
        int units = KerasConfig.positiveInt(c.get("units"), "units");
        boolean bias = bool(c, "use_bias", true);
        int[] d = known();
        for (int i = 0; i < d.length - 1; i++) {
            if (d[i] != 1) throw new Invalid("its input is " + render(d) + "; Keras applies a Dense layer to the"
                    + " last axis of each position, Lanes only to a flat input: add a Flatten before it");
        }
        planned.add(new Dense(layer, d[d.length - 1], units, a, bias));
        dims = new int[] {units};
    }

    private void conv(Layer layer, Map<String, Object> c) throws Invalid {
        channelsLast(c);
        unsupportedIfSet(c, "quantization_config", "lora_rank");
        int[] dilation = pair(c.getOrDefault("dilation_rate", 1.0), "dilation_rate");
        if (dilation[0] != 1 || dilation[1] != 1) throw new Invalid("dilation_rate " + render(dilation)
                + "; Lanes runs undilated convolutions only (dilation_rate 1)");
        Object groups = c.get("groups");
        if (groups != null && KerasConfig.positiveInt(groups, "groups") != 1)
            throw new Invalid("groups " + KerasConfig.render(groups) + "; Lanes runs ungrouped convolutions only (groups 1)");
        int filters = KerasConfig.positiveInt(c.get("filters"), "filters");
        int[] k = pair(c.get("kernel_size"), "kernel_size");
        int[] s = pair(c.getOrDefault("strides", 1.0), "strides");
        paddingName(c);
        Activation a = activation(c.get("activation"));
        int[] d = spatial("Conv2D");
        Padding padding = padding(c, d, k, s);
        Shape in = engineShape(d, "the input");
        int outH = outSize(d[0], k[0], s[0], padding.top() + padding.bottom(), "height");
        int outW = outSize(d[1], k[1], s[1], padding.left() + padding.right(), "width");
        if (a == Activation.SOFTMAX) softmaxFits(new int[] {outH, outW, filters}, "softmax");
        planned.add(new Conv(layer, in, filters, k[0], k[1], s[0], s[1], padding, a, bool(c, "use_bias", true)));
        dims = new int[] {outH, outW, filters};
    }

    private void pool(Layer layer, Map<String, Object> c) throws Invalid {
        channelsLast(c);
        int[] p = pair(c.getOrDefault("pool_size", 2.0), "pool_size");
        Object strides = c.get("strides");
        int[] s = strides == null ? p : pair(strides, "strides");
        paddingName(c);
        int[] d = spatial("MaxPooling2D");
        Padding padding = padding(c, d, p, s);
        int outH = outSize(d[0], p[0], s[0], padding.top() + padding.bottom(), "height");
        int outW = outSize(d[1], p[1], s[1], padding.left() + padding.right(), "width");
        planned.add(new Fixed(layer, new MaxPool2D(p[0], p[1], s[0], s[1], padding)));
        dims = new int[] {outH, outW, d[2]};
    }

    private void norm(Layer layer, Map<String, Object> c) throws Invalid {
        if (bool(c, "renorm", false)) throw new Invalid("renorm=True; save the model without batch renormalization");
        int[] d = known();
        Object axis = c.get("axis");
        if (axis instanceof List<?> l && l.size() == 1) axis = l.getFirst();
        if (!(axis instanceof Double a && (a == -1 || a == d.length)))
            throw new Invalid("axis " + KerasConfig.render(axis) + " on a " + render(d) + " input; Lanes normalizes"
                    + " the last axis (channels) only");
        Object eps = c.get("epsilon");
        if (!(eps instanceof Double e && e >= 0 && Double.isFinite(e)))
            throw new Invalid("epsilon " + KerasConfig.render(eps) + ", expected a number >= 0");
        planned.add(new Norm(layer, d[d.length - 1], bool(c, "scale", true), bool(c, "center", true),
                ((Double) eps).floatValue()));
    }

    // -----------------------------------------------------------------------------------------------

    /** Thrown instead of checking shapes when an earlier layer's problem left the input shape unknown. */
    private static final class UnknownInput extends Invalid {
        private static final long serialVersionUID = 1L;

        UnknownInput() {
            super("its input shape is unknown");
        }
    }

    private int[] known() throws Invalid {
        if (dims == null) throw new UnknownInput();
        return dims;
    }

    private int[] spatial(String what) throws Invalid {
        int[] d = known();
        if (d.length != 3) throw new Invalid("its input is " + render(d) + "; " + what
                + " needs an image input (height, width, channels)");
        return d;
    }

    private static void channelsLast(Map<String, Object> c) throws Invalid {
        Object f = c.get("data_format");
        if (f != null && !"channels_last".equals(f)) throw new Invalid("data_format " + KerasConfig.render(f)
                + "; Lanes imports channels_last models (Keras' default): save the model with"
                + " data_format='channels_last'");
    }

    private static void paddingName(Map<String, Object> c) throws Invalid {
        Object p = c.getOrDefault("padding", "valid");
        if (!"valid".equals(p) && !"same".equals(p))
            throw new Invalid("padding " + KerasConfig.render(p) + "; Lanes supports 'valid' and 'same'");
    }

    private static Padding padding(Map<String, Object> c, int[] d, int[] k, int[] s) throws Invalid {
        Object p = c.getOrDefault("padding", "valid");
        if ("valid".equals(p)) return Padding.VALID;
        if ("same".equals(p)) return Padding.same(d[0], d[1], k[0], k[1], s[0], s[1]);
        throw new Invalid("padding " + KerasConfig.render(p) + "; Lanes supports 'valid' and 'same'");
    }

    private static int outSize(int in, int k, int stride, int pads, String what) throws Invalid {
        long span = (long) in + pads - k;
        if (span < 0) throw new Invalid("its window (" + k + ") is larger than the input " + what + " (" + in + ")");
        return (int) (span / stride + 1);
    }

    private static void softmaxFits(int[] d, String what) throws Invalid {
        for (int i = 0; i < d.length - 1; i++) {
            if (d[i] != 1) throw new Invalid(what + " over a " + render(d) + " output (Keras normalizes the last"
                    + " axis at each position); Lanes applies softmax to a flat output only");
        }
    }

    private static void lastAxis(Object axis, String what) throws Invalid {
        if (axis != null && !(axis instanceof Double a && a == -1))
            throw new Invalid(what + " " + KerasConfig.render(axis) + "; only the last axis (-1) is supported");
    }

    private static void unsupportedIfSet(Map<String, Object> c, String... keys) throws Invalid {
        for (String k : keys) {
            Object v = c.get(k);
            if (v != null && !(v instanceof Double d && d == 0))
                throw new Invalid(k + " " + KerasConfig.render(v) + "; save the model without it (a plain float32 layer)");
        }
    }

    static Activation activation(Object value) throws Invalid {
        Object name = value;
        // Keras 3 may serialize a built-in activation as {"module": "keras.activations", "config": "relu", ...}.
        if (value instanceof Map<?, ?> m && m.get("config") instanceof String s) name = s;
        if (value == null) name = "linear";
        if (name instanceof String s) {
            switch (s) {
                case "linear" -> { return Activation.LINEAR; }
                case "relu" -> { return Activation.RELU; }
                case "softmax" -> { return Activation.SOFTMAX; }
                case "sigmoid" -> { return Activation.SIGMOID; }
                case "tanh" -> { return Activation.TANH; }
                default -> { }
            }
        }
        throw new Invalid("activation " + KerasConfig.render(name instanceof String ? name : value)
                + "; Lanes runs relu, sigmoid, tanh, softmax and linear");
    }

    private static boolean bool(Map<String, Object> c, String key, boolean absent) throws Invalid {
        Object v = c.get(key);
        if (v == null) return absent;
        if (v instanceof Boolean b) return b;
        throw new Invalid(key + " " + KerasConfig.render(v) + " is not true or false");
    }

    /** Keras writes sizes as [h, w] or, for a square one, a single number. */
    private static int[] pair(Object v, String what) throws Invalid {
        if (v instanceof Double) {
            int n = KerasConfig.positiveInt(v, what);
            return new int[] {n, n};
        }
        List<Object> l = KerasConfig.list(v, what);
        if (l.size() != 2) throw new Invalid(what + " " + KerasConfig.render(v) + " is not two numbers");
        return new int[] {KerasConfig.positiveInt(l.get(0), what), KerasConfig.positiveInt(l.get(1), what)};
    }

    private static int size(int[] d, String what) throws Invalid {
        long n = 1;
        for (int x : d) {
            n *= x;
            if (n > Integer.MAX_VALUE) throw new Invalid(what + " " + render(d) + " is too large");
        }
        return (int) n;
    }

    static Shape engineShape(int[] d, String what) throws Invalid {
        size(d, what);
        return switch (d.length) {
            case 1 -> Shape.vector(d[0]);
            case 2 -> new Shape(d[0], d[1], 1);
            case 3 -> new Shape(d[0], d[1], d[2]);
            default -> throw new Invalid(what + " " + render(d) + " has " + d.length
                    + " dimensions; Lanes takes up to 3 (height, width, channels)");
        };
    }

    static String render(int[] d) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < d.length; i++) b.append(i == 0 ? "" : "×").append(d[i]);
        return b.toString();
    }
}
