package lanes.interchange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Keras model config (the JSON in {@code config.json} or the {@code model_config} attribute) as the
 * chain of layers it describes, first to last, plus the input shape.
 *
 * <p>Keras 2 and Keras 3 write different dialects of the same thing: Keras 3 wraps each layer with
 * {@code module}/{@code registered_name}, writes {@code batch_shape} rather than {@code batch_input_shape},
 * and records a Functional model's connections as {@code keras_history} entries rather than
 * {@code [name, node, tensor, kwargs]} lists. Both are read here, so the importer sees one form.
 */
final class KerasConfig {

    /** One layer: its name, its class ({@code "Dense"}) and its own config object. */
    record Layer(String name, String className, Map<String, Object> config) {}

    /** A problem with the config as a whole (not one layer's), already worded for the user. */
    static class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    final String modelClass;
    /** The layers in the order they run. */
    final List<Layer> layers;
    /** The layers in the order the config lists them: the order Keras saves their weights in. */
    final List<Layer> listed;
    /** Keras' input shape without the batch dimension; null when the config does not give one. */
    final int[] inputShape;

    private KerasConfig(String modelClass, List<Layer> layers, List<Layer> listed, int[] inputShape) {
        this.modelClass = modelClass;
        this.layers = layers;
        this.listed = listed;
        this.inputShape = inputShape;
    }

    static KerasConfig parse(Object json) throws Invalid {
        Map<String, Object> root = object(json, "the model config");
        String modelClass = string(root.get("class_name"), "the model's class_name");
        Map<String, Object> config;
        List<Object> list;
        if (modelClass.equals("Sequential") && root.get("config") instanceof List<?>) {
            // Keras up to 2.2.4 wrote a Sequential model's config as the bare list of its layers.
            config = Map.of();
            list = list(root.get("config"), "the model's layers");
        } else {
            config = object(root.get("config"), "the model's config");
            list = list(config.get("layers"), "the model's layers");
        }
        List<Layer> all = new ArrayList<>();
        List<Map<String, Object>> raw = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> l = object(list.get(i), "layer " + i);
            Map<String, Object> lc = object(l.get("config"), "layer " + i + "'s config");
            String cls = string(l.get("class_name"), "layer " + i + "'s class_name");
            Object name = lc.containsKey("name") ? lc.get("name") : l.get("name");
            all.add(new Layer(string(name, "layer " + i + "'s name"), cls, lc));
            raw.add(l);
        }
        switch (modelClass) {
            case "Sequential" -> {
                return new KerasConfig(modelClass, List.copyOf(all), List.copyOf(all), sequentialInput(all, raw, config));
            }
            case "Functional", "Model" -> {
                List<Layer> chain = chain(all, raw, config);
                return new KerasConfig(modelClass, chain, List.copyOf(all), shapeOf(chain.getFirst().config()));
            }
            default -> throw new Invalid("the model is a subclassed Keras model (class " + modelClass
                    + "), whose Python code is not in the file; Lanes imports Sequential and Functional models:"
                    + " rebuild it as one of those and save it again");
        }
    }

    /**
     * Where a {@code .keras} archive keeps each layer's variables, below {@code layers/} (Keras 3) or
     * {@code _layer_checkpoint_dependencies/} (Keras 2.13+): not under the layer's name but under its class
     * name in snake case, numbered in the order the model lists its layers ({@code dense}, {@code dense_1},
     * ...), because Keras chose names that stay the same across two instances of one model. A model whose
     * layers keep their default names looks as if it used the names; one with named layers does not.
     */
    Map<String, String> archivePaths() {
        Map<String, String> paths = new HashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (Layer layer : listed) {
            String name = snakeCase(layer.className());
            Integer n = used.merge(name, 0, (a, b) -> a + 1);
            paths.put(layer.name(), n == 0 ? name : name + "_" + n);
        }
        return paths;
    }

    /** Keras' {@code naming.to_snake_case}: "MaxPooling2D" → "max_pooling2d", "BatchNormalization" → "batch_normalization". */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    // -----------------------------------------------------------------------------------------------
    // Input shape

    /**
     * A Sequential model's input shape: on its InputLayer or first layer, else the shape Keras 2.13+ and 3
     * record a layer was built with ({@code build_config}), else the model's {@code build_input_shape}.
     */
    private static int[] sequentialInput(List<Layer> layers, List<Map<String, Object>> raw, Map<String, Object> model)
            throws Invalid {
        if (layers.isEmpty()) return null;
        int[] shape = shapeOf(layers.getFirst().config());
        if (shape != null) return shape;
        if (raw.getFirst().get("build_config") instanceof Map<?, ?> build && build.get("input_shape") != null)
            return batchShape(build.get("input_shape"), "build_config input_shape");
        Object built = model.get("build_input_shape");
        return built == null ? null : batchShape(built, "build_input_shape");
    }

    /** The shape an input layer or a first layer declares ({@code batch_input_shape}, {@code batch_shape}), or null. */
    static int[] shapeOf(Map<String, Object> layerConfig) throws Invalid {
        for (String key : List.of("batch_input_shape", "batch_shape")) {
            if (layerConfig.get(key) != null) return batchShape(layerConfig.get(key), key);
        }
        return null;
    }

    private static int[] batchShape(Object value, String key) throws Invalid {
        List<Object> dims = list(value, key);
        if (dims.size() < 2) throw new Invalid(key + " " + value + " has no dimension besides the batch");
        int[] shape = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            Object d = dims.get(i);
            if (d == null) throw new Invalid("the input shape " + render(dims) + " has a free dimension (None);"
                    + " Lanes needs a fixed input size: save the model with a fixed Input shape");
            shape[i - 1] = positiveInt(d, key);
        }
        return shape;
    }

    // -----------------------------------------------------------------------------------------------
    // Functional models: only a chain

    private static List<Layer> chain(List<Layer> layers, List<Map<String, Object>> raw, Map<String, Object> config)
            throws Invalid {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (index.put(layers.get(i).name(), i) != null)
                throw new Invalid("two layers are named '" + layers.get(i).name() + "'");
        }
        List<String> inputs = endpoints(config.get("input_layers"), "input_layers");
        List<String> outputs = endpoints(config.get("output_layers"), "output_layers");
        if (inputs.size() != 1 || outputs.size() != 1) throw new Invalid("the Functional model has "
                + inputs.size() + " inputs and " + outputs.size() + " outputs; Lanes imports a Functional model"
                + " only when it is a single chain of layers from one input to one output");
        Map<String, List<String>> inbound = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Object nodes = raw.get(i).get("inbound_nodes");
            List<Object> nodeList = nodes == null ? List.of() : list(nodes, "inbound_nodes of " + layer.name());
            if (nodeList.size() > 1) throw new Invalid("layer '" + layer.name() + "' (" + layer.className()
                    + ") is called " + nodeList.size() + " times (a shared layer); Lanes imports a Functional"
                    + " model only when it is a single chain of layers, each used once");
            List<String> sources = new ArrayList<>();
            if (!nodeList.isEmpty()) collectSources(nodeList.getFirst(), sources, 0);
            inbound.put(layer.name(), sources);
        }
        // Walk back from the output to the input, one inbound layer at a time.
        List<Layer> reversed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String at = outputs.getFirst();
        while (true) {
            Integer i = index.get(at);
            if (i == null) throw new Invalid("the Functional model refers to a layer '" + at + "' it does not list");
            if (!seen.add(at)) throw new Invalid("the Functional model's layers form a cycle at '" + at + "'");
            reversed.add(layers.get(i));
            List<String> sources = inbound.get(at);
            if (at.equals(inputs.getFirst())) {
                if (!sources.isEmpty()) throw new Invalid("the input layer '" + at + "' has inbound layers");
                break;
            }
            if (sources.size() != 1) throw new Invalid(sources.isEmpty()
                    ? "layer '" + at + "' (" + layers.get(i).className() + ") has no inbound layer but is not the model's input"
                    : "the Functional model branches: layer '" + at + "' (" + layers.get(i).className() + ") takes "
                            + sources.size() + " inputs (" + String.join(", ", sources) + "); Lanes imports a Functional"
                            + " model only when it is a single chain of layers, each feeding the next");
            at = sources.getFirst();
        }
        if (reversed.size() != layers.size()) {
            List<String> off = new ArrayList<>();
            for (Layer l : layers) if (!seen.contains(l.name())) off.add(l.name());
            throw new Invalid("the Functional model branches: layers " + String.join(", ", off)
                    + " are not on the chain from its input to its output; Lanes imports a Functional model"
                    + " only when it is a single chain of layers");
        }
        return List.copyOf(reversed.reversed());
    }

    /**
     * The layer names a node's inputs come from: Keras 2 writes a node as a list of
     * {@code [name, node_index, tensor_index, kwargs]}; Keras 3 as {@code {"args": [...], "kwargs": {...}}}
     * with each tensor an object whose config holds {@code keras_history: [name, node, tensor]}.
     */
    private static void collectSources(Object node, List<String> sources, int depth) throws Invalid {
        if (depth > 20) throw new Invalid("inbound_nodes nest too deep");
        if (node instanceof Map<?, ?> m) {
            Object cfg = m.get("config");
            if (cfg instanceof Map<?, ?> c && c.get("keras_history") instanceof List<?> h && !h.isEmpty()
                    && h.getFirst() instanceof String name) {
                sources.add(name);
                return;
            }
            for (Object v : m.values()) collectSources(v, sources, depth + 1);
        } else if (node instanceof List<?> l) {
            if (l.size() >= 3 && l.get(0) instanceof String name && l.get(1) instanceof Double) {
                sources.add(name); // Keras 2: [name, node_index, tensor_index, kwargs]
                return;
            }
            for (Object v : l) collectSources(v, sources, depth + 1);
        }
    }

    /** {@code [["name", 0, 0], ...]} or, in Keras 3 with one endpoint, {@code ["name", 0, 0]}. */
    private static List<String> endpoints(Object value, String key) throws Invalid {
        List<Object> list = list(value, key);
        if (!list.isEmpty() && list.getFirst() instanceof String name) return List.of(name);
        List<String> names = new ArrayList<>();
        for (Object o : list) {
            List<Object> e = list(o, key);
            if (e.isEmpty()) throw new Invalid(key + " has an empty entry");
            names.add(string(e.getFirst(), key));
        }
        return names;
    }

    // -----------------------------------------------------------------------------------------------
    // Typed access, with errors that say what was expected

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object o, String what) throws Invalid {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new Invalid(what + " is not a JSON object");
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) throws Invalid {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw new Invalid(what + " is not a JSON list");
    }

    static String string(Object o, String what) throws Invalid {
        if (o instanceof String s) return s;
        throw new Invalid(what + " is not a string");
    }

    static int positiveInt(Object o, String what) throws Invalid {
        if (o instanceof Double d && d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d)) return d.intValue();
        throw new Invalid(what + " must be a whole number >= 1, found " + render(o));
    }

    static String render(Object o) {
        if (o == null) return "None";
        if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        if (o instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) b.append(i == 0 ? "" : ", ").append(render(l.get(i)));
            return b.append(']').toString();
        }
        if (o instanceof String s) return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
        return String.valueOf(o);
    }
}
