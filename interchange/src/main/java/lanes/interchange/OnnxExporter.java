package lanes.interchange;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Reshape;
import lanes.engine.Shape;
import lanes.engine.Weights;

/**
 * Writes any Lanes model as ONNX (opset {@value #OPSET}), in ONNX's own NCHW layout, so that Netron,
 * ONNX Runtime and other tools open it. The graph's input is what the network was trained on (the input
 * range's values, not Lanes' [0, 1]); the range, labels, provenance and training metadata go into
 * {@code metadata_props}, and nodes are named {@code layer<i>/<Op>} so that {@link OnnxImporter} gives
 * back the same layers: {@code .lnw → .onnx → .lnw} keeps the weights bit for bit.
 *
 * <p>Conversions: HWIO kernels → OIHW; a Flatten followed by a Dense becomes ONNX's Flatten (C,H,W
 * order) with the Dense's input rows permuted to match; any other move between images and vectors is
 * written as a Transpose to NHWC around a Reshape, which keeps Lanes' H,W,C order.
 */
public final class OnnxExporter {
    public static final int OPSET = 13;
    static final String KEY_FORMAT = "lanes.provenance.format", KEY_FILE = "lanes.provenance.file",
            KEY_VERSION = "lanes.provenance.framework_version", KEY_INPUT_RANGE = "lanes.input_range",
            KEY_LABELS = "lanes.labels", KEY_DATASET = "lanes.dataset", KEY_EPOCHS = "lanes.epochs",
            KEY_ACCURACY = "lanes.validation_accuracy", KEY_CREATED = "lanes.created_ms";

    private OnnxExporter() {}

    /** Writes {@code weights} to {@code file} atomically: a reader sees the old file or the whole new one. */
    public static void write(Weights weights, Path file) throws IOException {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(file, "file");
        byte[] bytes = toBytes(weights);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) throw new IOException("cannot save ONNX to " + file + ": not a file path");
        if (!Files.isDirectory(dir)) throw new IOException("cannot save ONNX to " + file + ": directory " + dir
                + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        if (Files.isDirectory(target)) throw new IOException("cannot save ONNX to " + file + ": it is a directory");
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                var buffer = java.nio.ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) ch.write(buffer);
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) throw new IOException("cannot save ONNX to " + file + ": " + io.getMessage(), io);
            throw e;
        }
    }

    /** The ONNX ModelProto bytes for {@code weights}. */
    public static byte[] toBytes(Weights weights) throws IOException {
        Builder b = new Builder();
        Shape in = weights.inputShape();
        b.image = !in.isVector();
        b.dims = b.image ? new int[] {in.channels(), in.height(), in.width()} : new int[] {in.size()};
        ProtoWriter graph = new ProtoWriter().string(2, "lanes");
        graph.message(11, valueInfo("input", b.dims));
        List<Layer> layers = weights.layers();
        for (int i = 0; i < layers.size(); i++) b.layer(i, layers.get(i), i + 1 < layers.size() ? layers.get(i + 1) : null);
        if (b.nodes.isEmpty()) b.node("output/Identity", "Identity", List.of(b.current), "output");
        b.renameLastOutput("output");
        for (ProtoWriter n : b.nodes) graph.message(1, n);
        for (ProtoWriter t : b.initializers) graph.message(5, t);
        graph.message(12, valueInfo("output", b.dims));

        ProtoWriter model = new ProtoWriter()
                .varint(1, 8)
                .string(2, "lanes")
                .string(3, version())
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        var m = weights.metadata();
        meta(model, KEY_INPUT_RANGE, weights.inputRange().low() + "," + weights.inputRange().high());
        if (!weights.labels().isEmpty()) meta(model, KEY_LABELS, joinLabels(weights.labels()));
        meta(model, KEY_FORMAT, weights.provenance().format());
        meta(model, KEY_FILE, weights.provenance().fileName());
        meta(model, KEY_VERSION, weights.provenance().frameworkVersion());
        meta(model, KEY_DATASET, m.dataset());
        meta(model, KEY_EPOCHS, String.valueOf(m.epochs()));
        meta(model, KEY_ACCURACY, String.valueOf(m.validationAccuracy()));
        meta(model, KEY_CREATED, String.valueOf(m.created().toEpochMilli()));
        return model.toByteArray();
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "" : v;
    }

    private static void meta(ProtoWriter model, String key, String value) {
        model.message(14, new ProtoWriter().string(1, key).string(2, value));
    }

    /** Labels as one text: comma-separated, with backslash escaping backslash and comma. */
    static String joinLabels(List<String> labels) {
        StringBuilder s = new StringBuilder();
        for (String l : labels) {
            if (!s.isEmpty()) s.append(',');
            s.append(l.replace("\\", "\\\\").replace(",", "\\,"));
        }
        return s.toString();
    }

    static List<String> splitLabels(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) cur.append(text.charAt(++i));
            else if (c == ',') { out.add(cur.toString()); cur.setLength(0); }
            else cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    private static ProtoWriter valueInfo(String name, int[] dims) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "batch"));
        for (int d : dims) shape.message(1, new ProtoWriter().varint(1, d));
        ProtoWriter tensorType = new ProtoWriter().varint(1, OnnxGraph.FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    /** The graph as it is built: nodes, initializers, and the current value's name and NCHW dims. */
    private static final class Builder {
        final List<ProtoWriter> nodes = new ArrayList<>();
        final List<ProtoWriter> initializers = new ArrayList<>();
        final List<Object[]> nodeSpecs = new ArrayList<>();
        String current = "input";
        boolean image;
        int[] dims; // [C, H, W] or [features]
        int[] permuteNextDense; // C, H, W of an image ONNX flattened C,H,W first

        void layer(int i, Layer layer, Layer next) throws IOException {
            String p = "layer" + i + "/";
            switch (layer) {
                case DenseWeights d -> {
                    float[] kernel = d.kernel();
                    if (image) {
                        permuteNextDense = flattenOnnx(p);
                    }
                    if (permuteNextDense != null) {
                        kernel = rowsHwcToChw(kernel, permuteNextDense, d.units());
                        permuteNextDense = null;
                    }
                    String w = tensor(p + "kernel", kernel, d.inputs(), d.units());
                    String bias = tensor(p + "bias", d.bias(), d.units());
                    step(p + "Gemm", "Gemm", List.of(current, w, bias));
                    dims = new int[] {d.units()};
                    activation(p, d.activation());
                }
                case Conv2D c -> {
                    float[] oihw = new float[c.kernel().length];
                    int kH = c.kernelH(), kW = c.kernelW(), in = c.inChannels(), out = c.filters();
                    for (int y = 0; y < kH; y++)
                        for (int x = 0; x < kW; x++)
                            for (int ic = 0; ic < in; ic++)
                                for (int o = 0; o < out; o++)
                                    oihw[((o * in + ic) * kH + y) * kW + x] = c.kernel()[((y * kW + x) * in + ic) * out + o];
                    String w = tensor(p + "kernel", oihw, out, in, kH, kW);
                    String bias = tensor(p + "bias", c.bias(), out);
                    Shape o = c.outputShape(new Shape(dims[1], dims[2], dims[0]));
                    var pd = c.padding();
                    step(p + "Conv", "Conv", List.of(current, w, bias),
                            ints("kernel_shape", kH, kW), ints("strides", c.strideH(), c.strideW()),
                            ints("pads", pd.top(), pd.left(), pd.bottom(), pd.right()), ints("dilations", 1, 1), intAttr("group", 1));
                    dims = new int[] {o.channels(), o.height(), o.width()};
                    activation(p, c.activation());
                }
                case MaxPool2D m -> {
                    Shape o = m.outputShape(new Shape(dims[1], dims[2], dims[0]));
                    var pd = m.padding();
                    step(p + "MaxPool", "MaxPool", List.of(current), ints("kernel_shape", m.poolH(), m.poolW()),
                            ints("strides", m.strideH(), m.strideW()), ints("pads", pd.top(), pd.left(), pd.bottom(), pd.right()));
                    dims = new int[] {o.channels(), o.height(), o.width()};
                }
                case Flatten f -> {
                    if (!image) break;
                    if (next instanceof DenseWeights || dims[0] == 1 || dims[1] * dims[2] == 1) {
                        int[] chw = flattenOnnx(p);
                        if (next instanceof DenseWeights && chw != null) permuteNextDense = chw;
                    } else {
                        toNhwcVector(p);
                    }
                }
                case Reshape r -> reshape(p, r.target());
                case ActivationLayer a -> {
                    if (a.activation() == Activation.LINEAR) step(p + "Identity", "Identity", List.of(current));
                    else activation(p, a.activation());
                }
                case BatchNorm bn -> {
                    int ch = bn.channels();
                    String[] names = {"scale", "bias", "mean", "var"};
                    float[][] v = {bn.gamma(), bn.beta(), bn.mean(), bn.variance()};
                    List<String> ins = new ArrayList<>(List.of(current));
                    for (int k = 0; k < 4; k++) ins.add(tensor(p + names[k], v[k], ch));
                    step(p + "BatchNormalization", "BatchNormalization", ins, floatAttr("epsilon", bn.epsilon()));
                }
            }
        }

        /** ONNX Flatten of the current image; the C,H,W it flattened when that order differs from H,W,C. */
        private int[] flattenOnnx(String p) {
            int[] chw = dims;
            step(p + "Flatten", "Flatten", List.of(current), intAttr("axis", 1));
            dims = new int[] {chw[0] * chw[1] * chw[2]};
            image = false;
            return chw[0] != 1 && chw[1] * chw[2] != 1 ? chw : null;
        }

        private void toNhwcVector(String p) {
            step(p + "Transpose", "Transpose", List.of(current), ints("perm", 0, 2, 3, 1));
            int n = dims[0] * dims[1] * dims[2];
            String shape = longs(p + "shape", -1, n);
            step(p + "Reshape", "Reshape", List.of(current, shape));
            dims = new int[] {n};
            image = false;
        }

        private void reshape(String p, Shape target) {
            if (target.isVector()) {
                if (image) toNhwcVector(p);
                return;
            }
            if (image) step(p + "Transpose", "Transpose", List.of(current), ints("perm", 0, 2, 3, 1));
            String shape = longs(p + "shape", -1, target.height(), target.width(), target.channels());
            step(p + "Reshape", "Reshape", List.of(current, shape));
            step(p + "Transpose_back", "Transpose", List.of(current), ints("perm", 0, 3, 1, 2));
            dims = new int[] {target.channels(), target.height(), target.width()};
            image = true;
        }

        private void activation(String p, Activation a) throws IOException {
            switch (a) {
                case LINEAR -> { }
                case RELU -> step(p + "Relu", "Relu", List.of(current));
                case SIGMOID -> step(p + "Sigmoid", "Sigmoid", List.of(current));
                case TANH -> step(p + "Tanh", "Tanh", List.of(current));
                case SOFTMAX -> {
                    if (image) throw new IOException(p + "softmax over an image has no ONNX equivalent that Lanes writes");
                    step(p + "Softmax", "Softmax", List.of(current), intAttr("axis", -1));
                }
            }
        }

        /** Adds a node reading {@code inputs} whose one output becomes the current value. */
        private void step(String name, String op, List<String> inputs, ProtoWriter... attributes) {
            String out = name + "_output";
            node(name, op, inputs, out, attributes);
            current = out;
        }

        void node(String name, String op, List<String> inputs, String out, ProtoWriter... attributes) {
            nodeSpecs.add(new Object[] {name, op, inputs, attributes});
            nodes.add(build(name, op, inputs, out, attributes));
        }

        private static ProtoWriter build(String name, String op, List<String> inputs, String out, ProtoWriter... attributes) {
            ProtoWriter n = new ProtoWriter();
            for (String in : inputs) n.string(1, in);
            n.string(2, out).string(3, name).string(4, op);
            for (ProtoWriter a : attributes) n.message(5, a);
            return n;
        }

        @SuppressWarnings("unchecked")
        void renameLastOutput(String name) {
            int last = nodes.size() - 1;
            Object[] s = nodeSpecs.get(last);
            nodes.set(last, build((String) s[0], (String) s[1], (List<String>) s[2], name, (ProtoWriter[]) s[3]));
        }

        private String tensor(String name, float[] data, int... dims) {
            ProtoWriter t = new ProtoWriter();
            t.packed(1, Arrays.stream(dims).asLongStream().toArray());
            t.varint(2, OnnxGraph.FLOAT).string(8, name).bytes(9, ProtoWriter.rawFloats(data));
            initializers.add(t);
            return name;
        }

        private String longs(String name, long... values) {
            ProtoWriter t = new ProtoWriter().packed(1, values.length).varint(2, OnnxGraph.INT64).string(8, name);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (long v : values) b.putLong(v);
            t.bytes(9, b.array());
            initializers.add(t);
            return name;
        }
    }

    /** Rows of a [H·W·C][units] kernel reordered to C,H,W: the inverse of the importer's permutation. */
    static float[] rowsHwcToChw(float[] kernel, int[] chw, int units) {
        int c = chw[0], h = chw[1], w = chw[2];
        float[] out = new float[kernel.length];
        for (int ci = 0; ci < c; ci++)
            for (int hi = 0; hi < h; hi++)
                for (int wi = 0; wi < w; wi++)
                    System.arraycopy(kernel, ((hi * w + wi) * c + ci) * units, out, ((ci * h + hi) * w + wi) * units, units);
        return out;
    }

    private static ProtoWriter ints(String name, long... values) {
        return new ProtoWriter().string(1, name).varint(20, OnnxGraph.Attribute.INTS).packed(8, values);
    }

    private static ProtoWriter intAttr(String name, long value) {
        return new ProtoWriter().string(1, name).varint(20, OnnxGraph.Attribute.INT).varint(3, value);
    }

    private static ProtoWriter floatAttr(String name, float value) {
        return new ProtoWriter().string(1, name).varint(20, OnnxGraph.Attribute.FLOAT).fixed32(2, value);
    }
}
