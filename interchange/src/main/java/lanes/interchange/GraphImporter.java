package lanes.interchange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Padding;
import lanes.engine.Reshape;
import lanes.engine.Shape;
import lanes.interchange.OnnxGraph.Attribute;
import lanes.interchange.OnnxGraph.Node;
import lanes.interchange.OnnxGraph.Tensor;

/**
 * Walks an ONNX graph in node order and builds the Lanes layer list, converting NCHW to the engine's NHWC.
 *
 * <p>Every value is either a constant (initializers, Constant nodes, and the shape arithmetic PyTorch
 * emits for {@code x.view(x.size(0), -1)}, folded here with the batch size kept symbolic) or an activation
 * on the one data path. An activation knows its ONNX dims (without the batch) and how the engine's flat
 * data relates to ONNX's: the same order, NCHW images held as HWC, or a C,H,W-flattened image held
 * flattened H,W,C (the next Dense has its input rows permuted to match; Keras and Lanes flatten H,W,C).
 */
final class GraphImporter {
    /** The batch size inside folded shape constants: unknown until run time. */
    static final long BATCH = Long.MIN_VALUE;

    /** How the engine's data for an activation is ordered against ONNX's. */
    enum Order { SAME, NCHW_AS_HWC, FLAT_CHW_AS_HWC }

    sealed interface Value permits Const, Act {}

    /** A constant: float or integer data; integer shape data may hold {@link #BATCH}. */
    record Const(long[] dims, float[] floats, long[] ints) implements Value {
        long size() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    /**
     * @param dims ONNX dims without the batch: [features] or [C, H, W] (NCHW_AS_HWC) or [a, b, c] (SAME)
     * @param chw  for FLAT_CHW_AS_HWC, the C, H, W the features were flattened from
     * @param producer the index of the layer that produced it with no activation yet (Dense or Conv2D
     *                 from a Gemm/MatMul/Conv), or -1; an activation or Add may fold into that layer
     */
    record Act(int[] dims, Order order, int[] chw, int producer, String producerPrefix) implements Value {
        Shape lanes() {
            return switch (order) {
                case NCHW_AS_HWC -> new Shape(dims[1], dims[2], dims[0]);
                case SAME -> dims.length == 1 ? Shape.vector(dims[0]) : new Shape(dims[0], dims[1], dims[2]);
                case FLAT_CHW_AS_HWC -> Shape.vector(dims[0]);
            };
        }

        int size() {
            int n = 1;
            for (int d : dims) n *= d;
            return n;
        }

        Act with(int producer, String prefix) {
            return new Act(dims, order, chw, producer, prefix);
        }
    }

    private final Map<String, Value> values = new HashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    private final long opset;
    private final boolean lanesNames;
    private Act current;
    private String currentName;
    private Node node;

    /**
     * @param lanesNames the file was written by Lanes: an activation folds into the layer before it only
     *                   when their node names say they were one layer (so every layer list round-trips)
     */
    GraphImporter(long opset, boolean lanesNames) {
        this.opset = opset;
        this.lanesNames = lanesNames;
    }

    /** The layers so far; {@link #input} and every node must have been given. */
    List<Layer> layers() {
        return layers;
    }

    void constant(Tensor t) throws Problem {
        values.put(t.name(), constOf(t, "initializer " + t.name()));
    }

    /** The graph's data input: [N, F] or [N, C, H, W]; returns the engine's input shape. */
    Shape input(String name, long[] dims) throws Problem {
        if (dims.length != 2 && dims.length != 4) throw new Problem("input " + name + " has shape " + Arrays.toString(dims)
                + "; expected [batch, features] or [batch, channels, height, width]");
        int[] d = new int[dims.length - 1];
        for (int i = 1; i < dims.length; i++) {
            if (dims[i] < 1 || dims[i] > Integer.MAX_VALUE) throw new Problem("input " + name + ": dimension " + i
                    + " is " + (dims[i] < 0 ? "symbolic" : String.valueOf(dims[i])) + "; Lanes needs fixed sizes after the batch");
            d[i - 1] = (int) dims[i];
        }
        if (d.length != 1 && d.length != 3) throw new Problem("input " + name + " has shape " + Arrays.toString(dims)
                + "; expected [batch, features] or [batch, channels, height, width]");
        Act a = new Act(d, d.length == 1 ? Order.SAME : Order.NCHW_AS_HWC, null, -1, null);
        define(name, a);
        current = a;
        currentName = name;
        return a.lanes();
    }

    /** The activation the graph ends with, checked to be the graph's output. */
    Act output(String name) throws Problem {
        Value v = values.get(name);
        if (!(v instanceof Act a) || a != current) throw new Problem("output " + name + " is not the result of the last layer");
        if (a.order() == Order.FLAT_CHW_AS_HWC) throw new Problem("output " + name + " is an image flattened in C,H,W "
                + "order; Lanes flattens H,W,C, so it would give the same values in another order (end the model with a Dense layer)");
        return a;
    }

    void node(Node n) throws Problem {
        node = n;
        try {
            dispatch(n);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw fail(e.getMessage());
        }
    }

    private void dispatch(Node n) throws Problem {
        if (n.outputs().isEmpty()) throw fail("no outputs");
        switch (n.opType()) {
            case "Constant" -> define(n.outputs().getFirst(), constantNode(n));
            case "Shape" -> shape(n);
            case "Gather" -> gather(n);
            case "Unsqueeze" -> unsqueeze(n);
            case "Concat" -> concat(n);
            case "Identity", "Dropout" -> passThrough(n);
            case "Relu" -> activation(n, Activation.RELU);
            case "Sigmoid" -> activation(n, Activation.SIGMOID);
            case "Tanh" -> activation(n, Activation.TANH);
            case "Softmax" -> softmax(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matmul(n);
            case "Add" -> add(n);
            case "Conv" -> conv(n);
            case "MaxPool" -> maxPool(n);
            case "BatchNormalization" -> batchNorm(n);
            case "Flatten" -> flatten(n);
            case "Reshape" -> reshape(n);
            case "Transpose" -> transpose(n);
            default -> throw fail("op not supported");
        }
    }

    // ---- constants and the shape subgraph ------------------------------------------------------------

    private Const constantNode(Node n) throws Problem {
        for (Attribute a : n.attributes().values()) {
            switch (a.name()) {
                case "value": return constOf(a.t(), "value");
                case "value_float": return new Const(new long[0], new float[] {a.f()}, null);
                case "value_floats": return new Const(new long[] {a.floats().length}, a.floats(), null);
                case "value_int": return new Const(new long[0], null, new long[] {a.i()});
                case "value_ints": return new Const(new long[] {a.ints().length}, null, a.ints());
                default: break;
            }
        }
        throw fail("no value, value_float(s) or value_int(s) attribute");
    }

    private Const constOf(Tensor t, String what) throws Problem {
        if (t == null) throw fail(what + " has no tensor");
        if (t.external()) throw new Problem(what + " keeps its data in an external file; Lanes reads self-contained "
                + "models only (re-save with onnx.save(model, path, save_as_external_data=False))");
        if (t.floats() == null && t.ints() == null) throw new Problem(what + " is " + OnnxGraph.typeName(t.dataType())
                + "; expected FLOAT (or INT64 for shapes)");
        return new Const(t.dims(), t.floats(), t.ints());
    }

    private void shape(Node n) throws Problem {
        Act a = act(n, 0);
        long[] full = new long[a.dims().length + 1];
        full[0] = BATCH;
        for (int i = 0; i < a.dims().length; i++) full[i + 1] = a.dims()[i];
        int start = (int) clampAxis(intAttr(n, "start", 0), full.length), end = (int) clampAxis(intAttr(n, "end", full.length), full.length);
        long[] out = Arrays.copyOfRange(full, start, Math.max(start, end));
        define(n.outputs().getFirst(), new Const(new long[] {out.length}, null, out));
    }

    private static long clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    private void gather(Node n) throws Problem {
        Const data = ints(n, 0), indices = ints(n, 1);
        if (data.dims().length != 1 || intAttr(n, "axis", 0) != 0) throw fail("only gathering from a 1-D shape on axis 0 is supported");
        long[] out = new long[indices.ints().length];
        for (int i = 0; i < out.length; i++) {
            long k = indices.ints()[i];
            if (k < 0) k += data.ints().length;
            if (k < 0 || k >= data.ints().length) throw fail("index " + indices.ints()[i] + " is outside the " + data.ints().length + " values");
            out[i] = data.ints()[(int) k];
        }
        define(n.outputs().getFirst(), new Const(indices.dims(), null, out));
    }

    private void unsqueeze(Node n) throws Problem {
        Const x = ints(n, 0);
        long[] axes = opset >= 13 ? ints(n, 1).ints() : intsAttr(n, "axes");
        if (axes == null || axes.length == 0) throw fail("no axes");
        int rank = x.dims().length + axes.length;
        if (rank > 1 || axes.length != 1 || (axes[0] != 0 && axes[0] != -1))
            throw fail("only a scalar unsqueezed to 1-D is supported in shape arithmetic");
        define(n.outputs().getFirst(), new Const(new long[] {1}, null, x.ints()));
    }

    private void concat(Node n) throws Problem {
        long axis = intAttr(n, "axis", Long.MIN_VALUE);
        if (axis != 0 && axis != -1) throw fail("axis = " + axis + "; expected 0 (only 1-D shapes are concatenated)");
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Const c = ints(n, i);
            if (c.dims().length != 1) throw fail("input " + n.inputs().get(i) + " is not 1-D");
            for (long v : c.ints()) out.add(v);
        }
        long[] a = out.stream().mapToLong(Long::longValue).toArray();
        define(n.outputs().getFirst(), new Const(new long[] {a.length}, null, a));
    }

    // ---- element-wise ------------------------------------------------------------------------------

    private void passThrough(Node n) throws Problem {
        if (n.opType().equals("Dropout")) {
            if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) {
                Const mode = constant(n, 2);
                if (mode.ints() != null && mode.ints().length == 1 && mode.ints()[0] != 0 || mode.floats() != null && mode.floats()[0] != 0)
                    throw fail("training_mode is true; expected false (Lanes runs inference)");
            }
        }
        Act a = act(n, 0);
        advance(n, a);
    }

    private void activation(Node n, Activation activation) throws Problem {
        Act a = act(n, 0);
        if (a.producer() >= 0 && folds(n, a)) {
            Layer l = layers.get(a.producer());
            if (l instanceof DenseWeights d) {
                layers.set(a.producer(), new DenseWeights(d.inputs(), d.units(), activation, d.kernel(), d.bias()));
            } else if (l instanceof Conv2D c) {
                layers.set(a.producer(), new Conv2D(c.kernelH(), c.kernelW(), c.inChannels(), c.filters(), c.strideH(),
                        c.strideW(), c.padding(), activation, c.kernel(), c.bias()));
            }
            advance(n, a.with(-1, null));
        } else {
            layers.add(new ActivationLayer(activation));
            advance(n, a.with(-1, null));
        }
    }

    /** Whether an activation node folds into the layer before it (see the constructor). */
    private boolean folds(Node n, Act a) {
        if (!lanesNames) return true;
        return a.producerPrefix() != null && a.producerPrefix().equals(prefix(n));
    }

    static String prefix(Node n) {
        int slash = n.name().indexOf('/');
        return slash < 0 ? n.name() : n.name().substring(0, slash);
    }

    private void softmax(Node n) throws Problem {
        Act a = act(n, 0);
        long axis = intAttr(n, "axis", opset >= 13 ? -1 : 1);
        if (a.dims().length != 1) throw fail("softmax over an image is not supported; expected a [batch, features] input, found " + dimsText(a));
        if (axis != 1 && axis != -1) throw fail("axis = " + axis + "; expected 1 or -1 (over the features)");
        if (a.producer() >= 0 && folds(n, a) && layers.get(a.producer()) instanceof DenseWeights) {
            activation(n, Activation.SOFTMAX);
        } else {
            layers.add(new ActivationLayer(Activation.SOFTMAX));
            advance(n, a.with(-1, null));
        }
    }

    // ---- dense ------------------------------------------------------------------------------------

    private void gemm(Node n) throws Problem {
        Act a = act(n, 0);
        if (intAttr(n, "transA", 0) != 0) throw fail("transA = 1 on the data input; expected 0 (the batch must stay the first axis)");
        float alpha = floatAttr(n, "alpha", 1f), beta = floatAttr(n, "beta", 1f);
        boolean transB = intAttr(n, "transB", 0) != 0;
        Const b = floats(n, 1);
        int in = a.size();
        if (b.dims().length != 2) throw fail("B has " + b.dims().length + " dimensions; expected 2");
        long k = transB ? b.dims()[1] : b.dims()[0], units = transB ? b.dims()[0] : b.dims()[1];
        if (a.dims().length != 1) throw fail("A is " + dimsText(a) + "; expected [batch, features] (flatten it first)");
        if (k != in) throw fail("B has " + k + " inputs; the data has " + in + " features");
        float[] kernel = new float[(int) (in * units)];
        for (int i = 0; i < in; i++)
            for (int j = 0; j < units; j++)
                kernel[i * (int) units + j] = alpha * b.floats()[transB ? j * in + i : i * (int) units + j];
        float[] bias = new float[(int) units];
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) {
            Const c = floats(n, 2);
            broadcast(c, (int) units, "C", bias);
            for (int j = 0; j < units; j++) bias[j] *= beta;
        }
        dense(n, a, kernel, bias, (int) units);
    }

    private void matmul(Node n) throws Problem {
        Act a = act(n, 0);
        Const b = floats(n, 1);
        if (a.dims().length != 1) throw fail("A is " + dimsText(a) + "; expected [batch, features] (flatten it first)");
        if (b.dims().length != 2 || b.dims()[0] != a.size()) throw fail("B is " + Arrays.toString(b.dims())
                + "; expected [" + a.size() + ", units]");
        dense(n, a, b.floats().clone(), new float[(int) b.dims()[1]], (int) b.dims()[1]);
    }

    private void dense(Node n, Act a, float[] kernel, float[] bias, int units) throws Problem {
        int in = a.size();
        if (a.order() == Order.FLAT_CHW_AS_HWC) kernel = rowsChwToHwc(kernel, a.chw(), units);
        layers.add(new DenseWeights(in, units, Activation.LINEAR, kernel, bias));
        advance(n, new Act(new int[] {units}, Order.SAME, null, layers.size() - 1, prefix(n)));
    }

    /** Rows of a [C·H·W][units] kernel reordered so that row (h, w, c) holds what row (c, h, w) held. */
    static float[] rowsChwToHwc(float[] kernel, int[] chw, int units) {
        int c = chw[0], h = chw[1], w = chw[2];
        float[] out = new float[kernel.length];
        for (int ci = 0; ci < c; ci++)
            for (int hi = 0; hi < h; hi++)
                for (int wi = 0; wi < w; wi++)
                    System.arraycopy(kernel, ((ci * h + hi) * w + wi) * units, out, ((hi * w + wi) * c + ci) * units, units);
        return out;
    }

    private void add(Node n) throws Problem {
        int data = values.get(n.inputs().get(0)) instanceof Act ? 0 : 1;
        Act a = act(n, data);
        Const c = floats(n, 1 - data);
        if (a.producer() < 0) throw fail("Add is supported only as the bias right after MatMul, Gemm or Conv");
        Layer l = layers.get(a.producer());
        if (l instanceof DenseWeights d) {
            float[] bias = new float[d.units()];
            broadcast(c, d.units(), "the addend", bias);
            for (int j = 0; j < bias.length; j++) bias[j] += d.bias()[j];
            layers.set(a.producer(), new DenseWeights(d.inputs(), d.units(), d.activation(), d.kernel(), bias));
        } else if (l instanceof Conv2D cv) {
            if (c.size() != cv.filters() && c.size() != 1) throw fail("the addend has " + c.size() + " values; expected "
                    + cv.filters() + " (one per channel)");
            float[] bias = cv.bias().clone();
            for (int j = 0; j < bias.length; j++) bias[j] += c.floats()[c.size() == 1 ? 0 : j];
            layers.set(a.producer(), new Conv2D(cv.kernelH(), cv.kernelW(), cv.inChannels(), cv.filters(), cv.strideH(),
                    cv.strideW(), cv.padding(), cv.activation(), cv.kernel(), bias));
        }
        advance(n, a);
    }

    private void broadcast(Const c, int units, String what, float[] out) throws Problem {
        if (c.size() == units) {
            System.arraycopy(c.floats(), 0, out, 0, units);
        } else if (c.size() == 1) {
            Arrays.fill(out, c.floats()[0]);
        } else {
            throw fail(what + " has " + c.size() + " values; expected " + units + " (one per unit) or 1");
        }
    }

    // ---- images -----------------------------------------------------------------------------------

    private void conv(Node n) throws Problem {
        Act a = image(n, act(n, 0));
        Const w = floats(n, 1);
        if (w.dims().length != 4) throw fail("W has " + w.dims().length + " dimensions; expected 4 (a 2-D convolution)");
        int filters = (int) w.dims()[0], inC = (int) w.dims()[1], kH = (int) w.dims()[2], kW = (int) w.dims()[3];
        int c = a.dims()[0], h = a.dims()[1], wd = a.dims()[2];
        if (intAttr(n, "group", 1) != 1) throw fail("group = " + intAttr(n, "group", 1) + "; expected 1 (grouped convolution is not supported)");
        if (inC != c) throw fail("W takes " + inC + " input channels; the data has " + c);
        long[] ks = intsAttr(n, "kernel_shape");
        if (ks != null && (ks.length != 2 || ks[0] != kH || ks[1] != kW)) throw fail("kernel_shape " + Arrays.toString(ks)
                + " does not match W " + Arrays.toString(w.dims()));
        int[] s = strides(n);
        Padding p = padding(n, h, wd, kH, kW, s);
        float[] kernel = new float[w.floats().length];
        for (int o = 0; o < filters; o++)
            for (int i = 0; i < inC; i++)
                for (int y = 0; y < kH; y++)
                    for (int x = 0; x < kW; x++)
                        kernel[((y * kW + x) * inC + i) * filters + o] = w.floats()[((o * inC + i) * kH + y) * kW + x];
        float[] bias = new float[filters];
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) broadcast(floats(n, 2), filters, "B", bias);
        Conv2D layer = new Conv2D(kH, kW, inC, filters, s[0], s[1], p, Activation.LINEAR, kernel, bias);
        Shape out = shapeOf(layer, a);
        layers.add(layer);
        advance(n, new Act(new int[] {out.channels(), out.height(), out.width()}, Order.NCHW_AS_HWC, null, layers.size() - 1, prefix(n)));
    }

    private void maxPool(Node n) throws Problem {
        Act a = image(n, act(n, 0));
        long[] ks = intsAttr(n, "kernel_shape");
        if (ks == null || ks.length != 2) throw fail("kernel_shape " + (ks == null ? "missing" : Arrays.toString(ks)) + "; expected 2 values");
        int kH = (int) ks[0], kW = (int) ks[1];
        int[] s = strides(n);
        Padding p = padding(n, a.dims()[1], a.dims()[2], kH, kW, s);
        MaxPool2D layer;
        try {
            layer = new MaxPool2D(kH, kW, s[0], s[1], p);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        Shape out = shapeOf(layer, a);
        if (intAttr(n, "ceil_mode", 0) != 0) {
            int ceilH = ceilOut(a.dims()[1], p.top() + p.bottom(), kH, s[0]), ceilW = ceilOut(a.dims()[2], p.left() + p.right(), kW, s[1]);
            if (ceilH != out.height() || ceilW != out.width()) throw fail("ceil_mode = 1 gives " + ceilH + "×" + ceilW
                    + " here, not " + out.height() + "×" + out.width() + "; expected ceil_mode = 0");
        }
        layers.add(layer);
        advance(n, new Act(new int[] {out.channels(), out.height(), out.width()}, Order.NCHW_AS_HWC, null, -1, null));
    }

    private static int ceilOut(int in, int pads, int k, int s) {
        return (int) Math.ceil((double) (in + pads - k) / s) + 1;
    }

    private Shape shapeOf(Layer layer, Act a) throws Problem {
        try {
            return layer.outputShape(a.lanes());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    private int[] strides(Node n) throws Problem {
        long[] s = intsAttr(n, "strides");
        if (s == null) return new int[] {1, 1};
        if (s.length != 2 || s[0] < 1 || s[1] < 1 || s[0] > 65535 || s[1] > 65535) throw fail("strides " + Arrays.toString(s) + "; expected two positive values");
        long[] d = intsAttr(n, "dilations");
        if (d != null) for (long v : d) if (v != 1) throw fail("dilations " + Arrays.toString(d) + "; expected 1 (dilated convolution is not supported)");
        return new int[] {(int) s[0], (int) s[1]};
    }

    private Padding padding(Node n, int h, int w, int kH, int kW, int[] s) throws Problem {
        String auto = stringAttr(n, "auto_pad", "NOTSET");
        try {
            switch (auto) {
                case "NOTSET": {
                    long[] p = intsAttr(n, "pads");
                    if (p == null) return Padding.VALID;
                    if (p.length != 4) throw fail("pads " + Arrays.toString(p) + "; expected 4 values (top, left, bottom, right)");
                    for (long v : p) if (v < 0 || v > Padding.MAX) throw fail("pads " + Arrays.toString(p) + "; expected values in 0.." + Padding.MAX);
                    return new Padding((int) p[0], (int) p[1], (int) p[2], (int) p[3]);
                }
                case "VALID": return Padding.VALID;
                case "SAME_UPPER": return Padding.same(h, w, kH, kW, s[0], s[1]);
                case "SAME_LOWER": {
                    Padding u = Padding.same(h, w, kH, kW, s[0], s[1]);
                    return new Padding(u.bottom(), u.right(), u.top(), u.left());
                }
                default: throw fail("auto_pad = " + auto + "; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER");
            }
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
    }

    private void batchNorm(Node n) throws Problem {
        Act a = act(n, 0);
        if (a.dims().length == 3) a = image(n, a);
        int channels = a.dims()[0];
        if (intAttr(n, "training_mode", 0) != 0) throw fail("training_mode = 1; expected 0 (Lanes runs inference)");
        if (intAttr(n, "spatial", 1) != 1) throw fail("spatial = 0; expected 1");
        float[][] p = new float[4][];
        String[] names = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            Const c = floats(n, i + 1);
            if (c.size() != channels) throw fail(names[i] + " has " + c.size() + " values; expected " + channels + " (one per channel)");
            p[i] = a.order() == Order.FLAT_CHW_AS_HWC ? chwToHwc(c.floats(), a.chw()) : c.floats().clone();
        }
        float epsilon = floatAttr(n, "epsilon", 1e-5f);
        try {
            layers.add(new BatchNorm(p[0], p[1], p[2], p[3], epsilon));
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        advance(n, a.with(-1, null));
    }

    private static float[] chwToHwc(float[] v, int[] chw) {
        return rowsChwToHwc(v, chw, 1);
    }

    /** An image activation in NCHW order: identity-ordered [C, H, W] data becomes one where it can. */
    private Act image(Node n, Act a) throws Problem {
        if (a.dims().length != 3) throw fail("the input is " + dimsText(a) + "; expected an image [batch, channels, height, width]");
        if (a.order() == Order.NCHW_AS_HWC) return a;
        int c = a.dims()[0], h = a.dims()[1], w = a.dims()[2];
        if (c != 1 && h * w != 1) throw fail("the input's data is in H,W,C order (a Reshape or Transpose before it); "
                + "expected N,C,H,W");
        Shape target = new Shape(h, w, c);
        if (!target.equals(a.lanes())) layers.add(new Reshape(target));
        return new Act(a.dims(), Order.NCHW_AS_HWC, null, -1, null);
    }

    // ---- layout -----------------------------------------------------------------------------------

    private void flatten(Node n) throws Problem {
        Act a = act(n, 0);
        long axis = intAttr(n, "axis", 1);
        if (axis < 0) axis += a.dims().length + 1;
        if (axis != 1) throw fail("axis = " + intAttr(n, "axis", 1) + "; expected 1 (keep the batch, flatten the rest)");
        advance(n, toVector(a));
    }

    private Act toVector(Act a) {
        if (a.dims().length == 1) return a.with(-1, null);
        layers.add(new Flatten());
        int[] d = a.dims();
        boolean chw = a.order() == Order.NCHW_AS_HWC && d[0] != 1 && d[1] * d[2] != 1;
        return new Act(new int[] {a.size()}, chw ? Order.FLAT_CHW_AS_HWC : Order.SAME, chw ? d.clone() : null, -1, null);
    }

    private void reshape(Node n) throws Problem {
        Act a = act(n, 0);
        Const shape = ints(n, 1);
        long[] t = shape.ints();
        if (t.length < 2) throw fail("target shape " + shapeText(t) + "; expected the batch first and then the features");
        int size = a.size();
        // The batch must stay the first axis: BATCH itself, 0 (copy it), or -1 / a literal with the rest fixed.
        long restKnown = 1;
        int inferred = -1;
        for (int i = 1; i < t.length; i++) {
            if (t[i] == -1 && inferred < 0) inferred = i;
            else if (t[i] == 0 && intAttr(n, "allowzero", 0) == 0 && i <= a.dims().length) restKnown = Math.multiplyExact(restKnown, (long) a.dims()[i - 1]);
            else if (t[i] > 0) restKnown = Math.multiplyExact(restKnown, t[i]);
            else throw fail("target shape " + shapeText(t) + " cannot keep the batch apart");
        }
        boolean batchFirst = t[0] == BATCH || t[0] == 0 || (inferred < 0 && (t[0] == -1 || t[0] == 1) && restKnown == size);
        if (!batchFirst) throw fail("target shape " + shapeText(t) + " mixes examples of the batch; expected it to keep the first axis");
        int[] dims = new int[t.length - 1];
        long total = 1;
        for (int i = 1; i < t.length; i++) {
            long v = t[i] == 0 ? a.dims()[i - 1] : t[i];
            if (i == inferred) {
                if (restKnown <= 0 || size % restKnown != 0) throw fail("target shape " + shapeText(t) + " does not fit " + size + " values per example");
                v = size / restKnown;
            }
            if (v < 1 || v > size) throw fail("target shape " + shapeText(t) + " does not fit " + size + " values per example");
            dims[i - 1] = (int) v;
            total *= v;
            if (total > size) break;
        }
        if (total != size) throw fail("target shape " + shapeText(t) + " holds " + total + " values per example; the data has " + size);
        if (dims.length == 1) {
            advance(n, toVector(a));
        } else if (dims.length == 3) {
            Act from = a;
            if (from.order() == Order.FLAT_CHW_AS_HWC && Arrays.equals(from.chw(), dims)) {
                layers.add(new Reshape(new Shape(dims[1], dims[2], dims[0])));
                advance(n, new Act(dims, Order.NCHW_AS_HWC, null, -1, null));
                return;
            }
            if (from.order() == Order.NCHW_AS_HWC) {
                int[] d = from.dims();
                if (d[0] != 1 && d[1] * d[2] != 1) throw fail("reshaping a " + dimsText(from) + " image in place is not supported");
            } else if (from.order() == Order.FLAT_CHW_AS_HWC) {
                throw fail("reshaping a C,H,W-flattened " + Arrays.toString(from.chw()) + " image to " + shapeText(t) + " is not supported");
            }
            Shape target = new Shape(dims[0], dims[1], dims[2]);
            if (!target.equals(a.lanes())) layers.add(new Reshape(target));
            advance(n, new Act(dims, Order.SAME, null, -1, null));
        } else {
            throw fail("target shape " + shapeText(t) + "; expected [batch, features] or [batch, C, H, W]");
        }
    }

    /** The two transposes that move between NCHW and NHWC (as Lanes' own exports write them). */
    private void transpose(Node n) throws Problem {
        Act a = act(n, 0);
        long[] perm = intsAttr(n, "perm");
        if (a.dims().length == 3 && Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
            Act img = image(n, a);
            int[] d = img.dims();
            advance(n, new Act(new int[] {d[1], d[2], d[0]}, Order.SAME, null, -1, null));
        } else if (a.dims().length == 3 && a.order() == Order.SAME && Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
            int[] d = a.dims();
            Shape target = new Shape(d[0], d[1], d[2]);
            if (!target.equals(a.lanes())) layers.add(new Reshape(target));
            advance(n, new Act(new int[] {d[2], d[0], d[1]}, Order.NCHW_AS_HWC, null, -1, null));
        } else {
            throw fail("perm " + Arrays.toString(perm) + " on " + dimsText(a) + "; only NCHW <-> NHWC ([0,2,3,1], [0,3,1,2]) is supported");
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------

    private void advance(Node n, Act a) throws Problem {
        define(n.outputs().getFirst(), a);
        current = a;
        currentName = n.outputs().getFirst();
    }

    private void define(String name, Value v) throws Problem {
        if (values.putIfAbsent(name, v) != null) throw new Problem("value " + name + " is defined twice");
    }

    private Act act(Node n, int i) throws Problem {
        if (i >= n.inputs().size()) throw fail("input " + i + " is missing");
        String name = n.inputs().get(i);
        Value v = values.get(name);
        if (v == null) throw fail("input " + name + " is not defined before it (nodes must be in topological order)");
        if (!(v instanceof Act a)) throw fail("input " + name + " is a constant; expected the data");
        if (a != current && !n.opType().equals("Shape")) throw fail("reads " + name + ", not the latest result " + currentName
                + "; Lanes runs a chain of layers (no branches, no skip connections)");
        return a;
    }

    private Const constant(Node n, int i) throws Problem {
        if (i >= n.inputs().size() || n.inputs().get(i).isEmpty()) throw fail("input " + i + " is missing");
        String name = n.inputs().get(i);
        Value v = values.get(name);
        if (v == null) throw fail("input " + name + " is not defined before it");
        if (!(v instanceof Const c)) throw fail("input " + name + " depends on the data; expected a constant (an initializer)");
        return c;
    }

    private Const floats(Node n, int i) throws Problem {
        Const c = constant(n, i);
        if (c.floats() == null) throw fail("input " + n.inputs().get(i) + " is not FLOAT");
        return c;
    }

    private Const ints(Node n, int i) throws Problem {
        Const c = constant(n, i);
        if (c.ints() == null) throw fail("input " + n.inputs().get(i) + " is not INT64");
        return c;
    }

    static long intAttr(Node n, String name, long otherwise) {
        Attribute a = n.attributes().get(name);
        return a == null ? otherwise : a.i();
    }

    static float floatAttr(Node n, String name, float otherwise) {
        Attribute a = n.attributes().get(name);
        return a == null ? otherwise : a.f();
    }

    static long[] intsAttr(Node n, String name) {
        Attribute a = n.attributes().get(name);
        return a == null ? null : a.ints();
    }

    static String stringAttr(Node n, String name, String otherwise) {
        Attribute a = n.attributes().get(name);
        return a == null || a.s() == null ? otherwise : a.s();
    }

    private static String dimsText(Act a) {
        StringBuilder b = new StringBuilder("[batch");
        for (int d : a.dims()) b.append(", ").append(d);
        return b.append(']').toString();
    }

    private static String shapeText(long[] t) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < t.length; i++) b.append(i > 0 ? ", " : "").append(t[i] == BATCH ? "batch" : String.valueOf(t[i]));
        return b.append(']').toString();
    }

    private Problem fail(String what) {
        return new Problem("node " + node.label() + " (" + node.opType() + ", opset " + opset + "): " + what);
    }

    /** What is wrong, ready to follow the file name. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message);
        }
    }
}
