package lanes.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import lanes.engine.Metadata;
import lanes.engine.Predictor;

/**
 * The two prediction APIs over one model: TensorFlow Serving's REST API (v1) and the Open Inference
 * Protocol v2 (KServe, Triton). Both read their numbers with {@link JsonIn#tensor} into one float array,
 * check shape and finiteness (a 400 naming the example and index), predict example by example, and write
 * the answer with {@link JsonOut}. The request's stages are timed into the metrics.
 */
final class Predictions {
    private final Server server;

    Predictions(Server server) {
        this.server = server;
    }

    int handle(HttpExchange ex, Server.Call call, Served s) throws IOException {
        return switch (call.route()) {
            case V1_STATUS -> server.sendJson(ex, 200, v1Status(s));
            case V1_METADATA -> server.sendJson(ex, 200, v1Metadata(s));
            case V2_MODEL -> server.sendJson(ex, 200, v2Metadata(s));
            case V2_MODEL_READY -> server.sendJson(ex, 200, new JsonOut(64).raw('{').key("name").string(server.config.name())
                    .raw(", ").key("ready").raw("true}\n"));
            case V1_PREDICT -> v1Predict(ex, s);
            case V2_INFER -> v2Infer(ex, s);
            default -> throw new IllegalStateException("not a prediction route: " + call.route());
        };
    }

    // ----------------------------------------------------------------------------------------------
    // TensorFlow Serving

    private JsonOut v1Status(Served s) {
        return new JsonOut(160).raw("{\"model_version_status\": [{\"version\": ").string(Long.toString(s.version()))
                .raw(", \"state\": \"AVAILABLE\", \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}\n");
    }

    private JsonOut v1Metadata(Served s) {
        Signature sig = s.signature();
        JsonOut o = new JsonOut(1024).raw("{\"model_spec\": {\"name\": ").string(server.config.name())
                .raw(", \"signature_name\": \"\", \"version\": ").string(Long.toString(s.version())).raw("}, ")
                .raw("\"metadata\": {\"signature_def\": {\"signature_def\": {\"serving_default\": {\"inputs\": {\"input\": ");
        tfTensor(o, "input", sig.declaredShape());
        o.raw("}, \"outputs\": {").string(sig.outputName()).raw(": ");
        tfTensor(o, sig.outputName(), new int[] {sig.outputs()});
        o.raw("}, \"method_name\": \"tensorflow/serving/predict\"}}}, \"lanes\": ");
        provenance(o, s);
        return o.raw("}}\n");
    }

    private static void tfTensor(JsonOut o, String name, int[] shape) {
        o.raw("{\"dtype\": \"DT_FLOAT\", \"tensor_shape\": {\"dim\": [{\"size\": \"-1\", \"name\": \"\"}");
        for (int d : shape) o.raw(", {\"size\": ").string(Integer.toString(d)).raw(", \"name\": \"\"}");
        o.raw("], \"unknown_rank\": false}, \"name\": ").string(name).raw('}');
    }

    /** Where the model came from: the weight file, when it was loaded, and its training metadata. */
    private static void provenance(JsonOut o, Served s) {
        Metadata m = s.model().metadata();
        o.raw("{\"source\": ").string(s.source()).raw(", \"loaded_at\": ").string(s.loadedAt().toString())
                .raw(", \"dataset\": ").string(m.dataset()).raw(", \"epochs\": ").number(m.epochs())
                .raw(", \"validation_accuracy\": ");
        if (Double.isNaN(m.validationAccuracy())) o.raw("null");
        else o.number((float) m.validationAccuracy());
        Signature sig = s.signature();
        o.raw(", \"input_range\": [").number(sig.inputRange().low()).raw(", ").number(sig.inputRange().high()).raw(']');
        if (!sig.labels().isEmpty()) {
            o.raw(", \"labels\": [");
            for (int i = 0; i < sig.labels().size(); i++) o.raw(i > 0 ? ", " : "").string(sig.labels().get(i));
            o.raw(']');
        }
        o.raw('}');
    }

    /**
     * {@code {"instances": [example, ...]}} (row format) or {@code {"inputs": [example, ...]}} (columnar
     * format; with one input the same thing), each example [n], [h, w] or [h, w, c]. Answers
     * {@code {"predictions": [[...], ...]}} or {@code {"outputs": [[...], ...]}} respectively.
     */
    private int v1Predict(HttpExchange ex, Served s) throws IOException {
        Server.requireJson(ex);
        Signature sig = s.signature();
        byte[] body = server.timedBody(ex);
        long t1 = System.nanoTime();

        Request req = parseV1(body, sig, maxValues());
        String key = req.what();
        JsonIn.Floats values = req.values();
        int n = req.examples();
        long t2 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PARSE, t2 - t1);

        float[] out = predict(s, values, n, key);
        long t3 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PREDICT, t3 - t2);

        JsonOut o = new JsonOut(32 + n * sig.outputs() * 16).raw('{').key(key.equals("instances") ? "predictions" : "outputs").raw('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) o.raw(", ");
            o.floats(out, i * sig.outputs(), sig.outputs());
        }
        o.raw("]}\n");
        return server.sendAnswer(ex, o, t3);
    }

    /** A parsed prediction request: its examples' values one after another, how many, and what they were called. */
    record Request(String what, JsonIn.Floats values, int examples, String id) {}

    /**
     * Parses a TF Serving predict body and checks it against the model: shape, finiteness. Throws
     * {@link HttpError} 400 for anything wrong, and nothing else (the robustness test holds it to that).
     */
    static Request parseV1(byte[] body, Signature sig, int maxValues) {
        JsonIn in = new JsonIn(body, body.length);
        JsonIn.Floats values = new JsonIn.Floats(sig.inputSize());
        int[] shape = null;
        String key = null;
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            if (k.equals("instances") || k.equals("inputs")) {
                if (shape != null) throw HttpError.badRequest("give either \"instances\" or \"inputs\", not both");
                key = k;
                shape = k.equals("inputs") && in.peek() == '{' ? namedInput(in, values, maxValues)
                        : k.equals("instances") && in.peekNested() == '{' ? namedInstances(in, values, maxValues)
                        : in.tensor(k, values, maxValues);
            } else {
                in.skipValue(); // signature_name and anything else: one signature here
            }
        }
        in.expectEnd();
        if (shape == null) throw HttpError.badRequest("the request needs \"instances\" (a list of examples) or \"inputs\"");
        int n = batch(key, shape, sig, false);
        checkFinite(key, values, sig.inputSize());
        return new Request(key, values, n, null);
    }

    /**
     * TF Serving's columnar form with named inputs, {@code {"inputs": {"input": [...]}}}: this model has
     * one input, so the object must hold one tensor (whatever its name).
     */
    private static int[] namedInput(JsonIn in, JsonIn.Floats values, int maxValues) {
        in.beginObject();
        String name = in.nextKey();
        if (name == null) throw HttpError.badRequest("\"inputs\" names no input; this model has one");
        int[] shape = in.tensor("inputs." + name, values, maxValues);
        if (in.nextKey() != null) throw HttpError.badRequest("\"inputs\" names more than one input; this model has one");
        return shape;
    }

    /**
     * TF Serving's row form with named inputs, {@code {"instances": [{"input": [...]}, ...]}}: one tensor
     * per instance object, every instance the same shape; returns [instances, that shape...].
     */
    private static int[] namedInstances(JsonIn in, JsonIn.Floats values, int maxValues) {
        in.expect('[');
        int n = 0;
        int[] first = null;
        do {
            String what = "instances[" + n + "]";
            in.beginObject();
            String name = in.nextKey();
            if (name == null) throw HttpError.badRequest(what + " names no input; this model has one");
            int[] shape = in.tensor(what + "." + name, values, maxValues - values.size);
            if (in.nextKey() != null) throw HttpError.badRequest(what + " names more than one input; this model has one");
            if (first == null) first = shape;
            else if (!java.util.Arrays.equals(first, shape)) throw HttpError.badRequest(what + " has shape "
                    + java.util.Arrays.toString(shape) + ", instances[0] has " + java.util.Arrays.toString(first));
            n++;
        } while (in.consume(','));
        in.expect(']');
        int[] shape = new int[first.length + 1];
        shape[0] = n;
        System.arraycopy(first, 0, shape, 1, first.length);
        return shape;
    }

    /** Parses a v2 infer body and checks it against the model, as {@link #parseV1}. */
    static Request parseV2(byte[] body, Signature sig, int maxValues) {
        JsonIn in = new JsonIn(body, body.length);
        JsonIn.Floats values = new JsonIn.Floats(sig.inputSize());
        String id = null;
        int[] shape = null, dataShape = null;
        String inputName = null, datatype = null;
        int inputs = -1;
        in.beginObject();
        for (String k; (k = in.nextKey()) != null; ) {
            switch (k) {
                case "id" -> id = in.string();
                case "inputs" -> {
                    if (in.peek() != '[') throw HttpError.badRequest("\"inputs\" must be a list of input tensors");
                    in.expect('[');
                    inputs = 0;
                    if (!in.consume(']')) {
                        do {
                            if (++inputs > 1) throw HttpError.badRequest("this model has one input; the request has more");
                            in.beginObject();
                            for (String f; (f = in.nextKey()) != null; ) {
                                switch (f) {
                                    case "name" -> inputName = in.string();
                                    case "datatype" -> datatype = in.string();
                                    case "shape" -> shape = shapeOf(in);
                                    case "data" -> {
                                        if (dataShape != null) throw HttpError.badRequest("the input has \"data\" twice");
                                        dataShape = in.tensor("data", values, maxValues);
                                    }
                                    default -> in.skipValue();
                                }
                            }
                        } while (in.consume(','));
                        in.expect(']');
                    }
                }
                case "outputs" -> checkRequestedOutputs(in, sig);
                default -> in.skipValue();
            }
        }
        in.expectEnd();
        if (inputs < 1) throw HttpError.badRequest("the request needs \"inputs\": [{\"name\": \"input\", \"shape\": [1, "
                + sig.inputSize() + "], \"datatype\": \"FP32\", \"data\": [...]}]");
        if (datatype == null || !datatype.equals("FP32")) throw HttpError.badRequest(
                "input " + (inputName == null ? "" : "'" + inputName + "' ") + "has datatype "
                        + (datatype == null ? "(none)" : datatype) + "; this model takes FP32");
        if (shape == null) throw HttpError.badRequest("the input needs a \"shape\"");
        if (dataShape == null) throw HttpError.badRequest("the input needs \"data\"");
        long declared = 1;
        for (int d : shape) declared = Math.min(declared * d, 1L << 40); // 8 dims of 2^31 would overflow a long
        if (declared != values.size) throw HttpError.badRequest("the input's shape " + java.util.Arrays.toString(shape)
                + " holds " + declared + " values, its data has " + values.size);
        if (dataShape.length > 1 && !java.util.Arrays.equals(dataShape, shape)) throw HttpError.badRequest(
                "the input's data is nested as " + java.util.Arrays.toString(dataShape) + " but its shape is "
                        + java.util.Arrays.toString(shape) + " (give data flat, or nested as the shape)");
        int n = batch("input", shape, sig, true);
        checkFinite("input", values, sig.inputSize());
        return new Request("input", values, n, id);
    }

    /** The most values a request can hold: the body limit allows no more than one per two bytes ("0,"). */
    private int maxValues() {
        return (int) Math.min(Integer.MAX_VALUE - 16, server.config.maxBody() / 2 + 1);
    }

    /**
     * The number of examples in a tensor of this shape: {@code [N, example...]}; with {@code single},
     * one example without the batch dimension is N = 1.
     */
    static int batch(String what, int[] shape, Signature sig, boolean single) {
        if (shape.length >= 2 && sig.isExample(shape, 1)) {
            if (shape[0] == 0) throw HttpError.badRequest(what + " holds no examples");
            return shape[0];
        }
        if (single && sig.isExample(shape, 0)) return 1;
        String got = java.util.Arrays.toString(shape);
        if (sig.isExample(shape, 0)) throw HttpError.badRequest(what + " has the shape of one example, " + got
                + "; it must be a list of examples: wrap it in [ ]");
        if (shape.length == 1 && shape[0] == 0) throw HttpError.badRequest(what + " holds no examples");
        throw HttpError.badRequest(what + " has shape " + got + "; each example must be " + sig.acceptedShapes()
                + " (" + sig.inputSize() + " values)");
    }

    /** A NaN or infinity is refused with its place: example i, value j. */
    static void checkFinite(String what, JsonIn.Floats values, int perExample) {
        float[] a = values.a;
        for (int i = 0; i < values.size; i++) {
            if (!Float.isFinite(a[i])) throw HttpError.badRequest(what + ": example " + (i / perExample) + ", value "
                    + (i % perExample) + " is " + a[i] + "; inputs must be finite numbers");
        }
    }

    /** Predicts {@code n} examples with a borrowed predictor; returns their outputs one after another. */
    private static float[] predict(Served s, JsonIn.Floats values, int n, String what) {
        int in = s.signature().inputSize(), k = s.signature().outputs();
        float[] out = new float[n * k];
        Predictor predictor = s.predictors().take();
        try {
            if (n == 1 && values.a.length == in) { // the common case: the parse buffer is the input, no copy
                predictOne(predictor, values.a, out, what, 0);
                return out;
            }
            float[] x = new float[in];
            float[] p = n > 1 ? new float[k] : out;
            for (int i = 0; i < n; i++) {
                System.arraycopy(values.a, i * in, x, 0, in);
                predictOne(predictor, x, p, what, i);
                if (p != out) System.arraycopy(p, 0, out, i * k, k);
            }
            return out;
        } finally {
            s.predictors().give(predictor);
        }
    }

    private static void predictOne(Predictor predictor, float[] x, float[] out, String what, int example) {
        try {
            predictor.predict(x, out);
        } catch (IllegalArgumentException e) { // outputs overflowed: inputs far outside the training range
            throw HttpError.badRequest(what + ": example " + example + ": " + e.getMessage());
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Open Inference Protocol v2

    private JsonOut v2Metadata(Served s) {
        Signature sig = s.signature();
        JsonOut o = new JsonOut(512).raw('{').key("name").string(server.config.name()).raw(", ").key("versions")
                .raw('[').string(Long.toString(s.version())).raw("], ").key("platform").string("lanes")
                .raw(", \"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1");
        for (int d : sig.declaredShape()) o.raw(", ").number(d);
        o.raw("]}], \"outputs\": [{\"name\": ").string(sig.outputName()).raw(", \"datatype\": \"FP32\", \"shape\": [-1, ")
                .number(sig.outputs()).raw("]}], \"lanes\": ");
        provenance(o, s);
        return o.raw("}\n");
    }

    /**
     * {@code {"id"?, "inputs": [{"name", "shape": [N, ...], "datatype": "FP32", "data": [...]}], "outputs"?}}:
     * one input tensor, data flat or nested (its own shape must then be the declared one). Answers with
     * the model name and version, the id, and one output tensor [N, outputs].
     */
    private int v2Infer(HttpExchange ex, Served s) throws IOException {
        Server.requireJson(ex);
        Signature sig = s.signature();
        byte[] body = server.timedBody(ex);
        long t1 = System.nanoTime();

        Request req = parseV2(body, sig, maxValues());
        JsonIn.Floats values = req.values();
        String id = req.id();
        int n = req.examples();
        long t2 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PARSE, t2 - t1);

        float[] out = predict(s, values, n, "input");
        long t3 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PREDICT, t3 - t2);

        JsonOut o = new JsonOut(160 + n * sig.outputs() * 16).raw('{').key("model_name").string(server.config.name())
                .raw(", ").key("model_version").string(Long.toString(s.version()));
        if (id != null) o.raw(", ").key("id").string(id);
        o.raw(", \"outputs\": [{\"name\": ").string(sig.outputName()).raw(", \"datatype\": \"FP32\", \"shape\": [")
                .number(n).raw(", ").number(sig.outputs()).raw("], \"data\": ").floats(out, 0, out.length).raw("}]}\n");
        return server.sendAnswer(ex, o, t3);
    }

    /** A v2 "shape": a list of non-negative integers. */
    private static int[] shapeOf(JsonIn in) {
        if (in.peek() != '[') throw HttpError.badRequest("\"shape\" must be a list of integers");
        in.expect('[');
        int[] dims = new int[JsonIn.MAX_RANK];
        int n = 0;
        if (!in.consume(']')) {
            do {
                if (n == dims.length) throw HttpError.badRequest("\"shape\" has more than " + JsonIn.MAX_RANK + " dimensions");
                int d = in.integer();
                if (d < 0) throw HttpError.badRequest("\"shape\" has a negative dimension: " + d);
                dims[n++] = d;
            } while (in.consume(','));
            in.expect(']');
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    /** The optional "outputs" list may only name the one output there is. */
    private static void checkRequestedOutputs(JsonIn in, Signature sig) {
        if (in.peek() != '[') throw HttpError.badRequest("\"outputs\" must be a list of {\"name\": ...}");
        in.expect('[');
        if (in.consume(']')) return;
        do {
            in.beginObject();
            for (String f; (f = in.nextKey()) != null; ) {
                if (f.equals("name")) {
                    String name = in.string();
                    if (!name.equals(sig.outputName())) throw HttpError.badRequest("no output named '" + name
                            + "'; this model has one output, '" + sig.outputName() + "'");
                } else {
                    in.skipValue();
                }
            }
        } while (in.consume(','));
        in.expect(']');
    }
}
