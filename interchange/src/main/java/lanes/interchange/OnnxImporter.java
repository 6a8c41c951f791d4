package lanes.interchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lanes.engine.InputRange;
import lanes.engine.Metadata;
import lanes.engine.Provenance;
import lanes.engine.Shape;
import lanes.engine.Weights;
import lanes.interchange.OnnxGraph.Model;
import lanes.interchange.OnnxGraph.Node;
import lanes.interchange.OnnxGraph.Tensor;
import lanes.interchange.OnnxGraph.ValueInfo;

/**
 * Reads an ONNX model into the engine's {@link Weights}: a chain of Gemm / MatMul(+Add), Conv, MaxPool,
 * BatchNormalization, Relu, Sigmoid, Tanh, Softmax, Flatten and Reshape nodes (with PyTorch's
 * {@code x.view(x.size(0), -1)} shape arithmetic folded), Dropout and Identity, opsets
 * {@value #MIN_OPSET}–{@value #MAX_OPSET}, one float input whose first dimension is the batch.
 *
 * <p>Images are converted from ONNX's NCHW to the engine's NHWC: kernels OIHW → HWIO, and a Dense after
 * a flatten has its input rows permuted from C,H,W to H,W,C order. Everything is checked at load; a
 * file that cannot be run is refused with an {@link ImportException} naming the node, its op, the opset
 * and what was expected against what was found, and every unsupported op at once.
 *
 * <p>Files written by {@link OnnxExporter} carry the input range, labels and provenance in
 * {@code metadata_props}; those are restored, so a Lanes model survives the trip unchanged.
 */
public final class OnnxImporter {
    public static final int MIN_OPSET = 9, MAX_OPSET = 17;

    /** The ops Lanes runs; anything else is refused at load. */
    static final Set<String> SUPPORTED = Set.of("Gemm", "MatMul", "Add", "Conv", "MaxPool", "BatchNormalization",
            "Relu", "Sigmoid", "Tanh", "Softmax", "Flatten", "Reshape", "Shape", "Gather", "Unsqueeze", "Concat",
            "Constant", "Dropout", "Identity", "Transpose");

    private OnnxImporter() {}

    /** Reads an ONNX file. */
    public static Weights read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImportException(file.toString(), "no such file");
        }
        Path name = file.getFileName();
        return read(bytes, file.toString(), name == null ? "" : name.toString());
    }

    /**
     * Reads ONNX bytes.
     *
     * @param source   how to name the input in errors (a path)
     * @param fileName recorded in the provenance
     */
    public static Weights read(byte[] bytes, String source, String fileName) throws ImportException {
        Model model;
        try {
            model = OnnxParser.model(bytes);
        } catch (ProtoReader.ProtoException e) {
            throw new ImportException(source, notOnnx(bytes, e));
        }
        try {
            return convert(model, fileName);
        } catch (GraphImporter.Problem e) {
            throw new ImportException(source, e.getMessage());
        }
    }

    private static String notOnnx(byte[] bytes, ProtoReader.ProtoException e) {
        String hint = "";
        if (bytes.length == 0) return "not an ONNX model: the file is empty";
        if (startsWith(bytes, "PK")) hint = " (it looks like a zip file: a .keras model?)";
        else if (startsWith(bytes, "\u0089HDF")) hint = " (it looks like HDF5: a Keras .h5 model?)";
        else if (startsWith(bytes, "LNW")) hint = " (it looks like a Lanes weight file: use the .lnw extension)";
        return "not an ONNX model, or damaged: " + e.getMessage() + " at byte " + e.offset + " of " + bytes.length + hint;
    }

    private static boolean startsWith(byte[] b, String prefix) {
        if (b.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if ((b[i] & 0xff) != prefix.charAt(i)) return false;
        return true;
    }

    private static Weights convert(Model model, String fileName) throws GraphImporter.Problem {
        Long opsetBoxed = model.opsets().get("");
        long opset = opsetBoxed == null ? -1 : opsetBoxed;
        List<String> problems = new ArrayList<>();
        if (opset < MIN_OPSET || opset > MAX_OPSET) problems.add("the model uses opset " + (opset < 0 ? "(none declared)" : opset)
                + " of ai.onnx; Lanes reads opsets " + MIN_OPSET + "-" + MAX_OPSET + " (re-export with opset 13)");
        var graph = model.graph();
        if (graph.sparseInitializers() > 0) problems.add("the graph has sparse initializers; Lanes reads dense ones only");
        for (Node n : graph.nodes()) {
            String problem = unsupported(n);
            if (problem != null) problems.add("node " + n.label() + " (" + n.opType()
                    + (n.domain().isEmpty() ? "" : ", domain " + n.domain()) + ", opset " + opset + "): " + problem);
        }
        if (!problems.isEmpty()) {
            String what = problems.size() == 1 ? problems.getFirst()
                    : problems.size() + " problems:\n  " + String.join("\n  ", problems);
            throw new GraphImporter.Problem(what + "\nLanes runs " + supportedText()
                    + "; re-export the model without the others (or with opset 13), or change the layers that use them");
        }

        Map<String, String> meta = model.metadata();
        GraphImporter g = new GraphImporter(opset, meta.containsKey(OnnxExporter.KEY_FORMAT));
        Set<String> constants = new HashSet<>();
        for (Tensor t : graph.initializers()) {
            g.constant(t);
            constants.add(t.name());
        }
        List<ValueInfo> inputs = graph.inputs().stream().filter(v -> !constants.contains(v.name())).toList();
        if (inputs.size() != 1) throw new GraphImporter.Problem("the graph has " + inputs.size() + " inputs ("
                + String.join(", ", inputs.stream().map(ValueInfo::name).toList()) + "); Lanes runs models with exactly one");
        ValueInfo in = inputs.getFirst();
        if (in.elemType() != OnnxGraph.FLOAT) throw new GraphImporter.Problem("input " + in.name() + " is "
                + OnnxGraph.typeName(in.elemType()) + "; expected FLOAT");
        if (!in.hasShape()) throw new GraphImporter.Problem("input " + in.name() + " has no shape; expected [batch, ...]");
        Shape inputShape = g.input(in.name(), in.dims());
        for (Node n : graph.nodes()) g.node(n);
        if (graph.outputs().size() != 1) throw new GraphImporter.Problem("the graph has " + graph.outputs().size()
                + " outputs; Lanes runs models with exactly one");
        g.output(graph.outputs().getFirst().name());
        if (g.layers().isEmpty()) throw new GraphImporter.Problem("the graph has no layers");

        try {
            return new Weights(inputShape, g.layers(), metadata(meta), range(meta), labels(meta), provenance(model, meta, fileName));
        } catch (IllegalArgumentException e) {
            throw new GraphImporter.Problem(e.getMessage());
        }
    }

    /** Why a node cannot run, known from its op and attributes alone; null when it may. */
    private static String unsupported(Node n) {
        if (!n.domain().isEmpty() || !SUPPORTED.contains(n.opType())) return "op not supported";
        switch (n.opType()) {
            case "Conv": {
                long group = GraphImporter.intAttr(n, "group", 1);
                if (group != 1) return "group = " + group + "; expected 1 (grouped convolution is not supported)";
                return dilations(n, "dilated convolution");
            }
            case "MaxPool": {
                if (GraphImporter.intAttr(n, "storage_order", 0) != 0) return "storage_order = 1; expected 0";
                return dilations(n, "dilated pooling");
            }
            case "BatchNormalization":
                if (GraphImporter.intAttr(n, "training_mode", 0) != 0) return "training_mode = 1; expected 0 (Lanes runs inference)";
                return null;
            default:
                return null;
        }
    }

    private static String dilations(Node n, String what) {
        long[] d = GraphImporter.intsAttr(n, "dilations");
        if (d != null) for (long v : d) if (v != 1) return "dilations = " + java.util.Arrays.toString(d) + "; expected 1 (" + what + " is not supported)";
        return null;
    }

    private static String supportedText() {
        return "Gemm, MatMul + Add, Conv, MaxPool, BatchNormalization, Relu, Sigmoid, Tanh, Softmax, Flatten, Reshape, "
                + "Dropout, Identity (and Shape, Gather, Unsqueeze, Concat, Constant for shapes)";
    }

    private static Metadata metadata(Map<String, String> meta) throws GraphImporter.Problem {
        if (!meta.containsKey(OnnxExporter.KEY_CREATED)) return Metadata.unknown();
        try {
            return new Metadata(meta.getOrDefault(OnnxExporter.KEY_DATASET, ""),
                    Integer.parseInt(meta.getOrDefault(OnnxExporter.KEY_EPOCHS, "0")),
                    Double.parseDouble(meta.getOrDefault(OnnxExporter.KEY_ACCURACY, "NaN")),
                    Instant.ofEpochMilli(Long.parseLong(meta.get(OnnxExporter.KEY_CREATED))));
        } catch (RuntimeException e) {
            throw new GraphImporter.Problem("metadata_props lanes.*: " + e.getMessage());
        }
    }

    static InputRange range(Map<String, String> meta) throws GraphImporter.Problem {
        String r = meta.get(OnnxExporter.KEY_INPUT_RANGE);
        if (r == null) return InputRange.UNIT;
        String[] p = r.split(",");
        try {
            if (p.length != 2) throw new IllegalArgumentException("expected LOW,HIGH");
            return new InputRange(Float.parseFloat(p[0]), Float.parseFloat(p[1]));
        } catch (IllegalArgumentException e) {
            throw new GraphImporter.Problem("metadata_props " + OnnxExporter.KEY_INPUT_RANGE + " = " + r + ": " + e.getMessage());
        }
    }

    private static List<String> labels(Map<String, String> meta) {
        String l = meta.get(OnnxExporter.KEY_LABELS);
        return l == null ? List.of() : OnnxExporter.splitLabels(l);
    }

    private static Provenance provenance(Model model, Map<String, String> meta, String fileName) {
        if (meta.containsKey(OnnxExporter.KEY_FORMAT)) return new Provenance(meta.get(OnnxExporter.KEY_FORMAT),
                meta.getOrDefault(OnnxExporter.KEY_FILE, ""), meta.getOrDefault(OnnxExporter.KEY_VERSION, ""));
        String version = (model.producer() + " " + model.producerVersion()).strip();
        return new Provenance("onnx", fileName, version);
    }
}
