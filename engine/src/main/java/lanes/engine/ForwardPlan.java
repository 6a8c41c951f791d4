package lanes.engine;

import java.util.ArrayList;
import java.util.List;
import lanes.kernels.Bf16;

/**
 * Compiles a network's layers into the {@link Op}s a {@link Model} runs, once, when the model is built:
 * <ul>
 *   <li>Flatten, Reshape and linear activations compile to nothing: NHWC data is already in the order
 *       the next layer reads, so they cost no copy.</li>
 *   <li>Every array an op reads is the plan's own (a copy, or a folded array computed from the layer's):
 *       the {@link Weights} a model was built from, and the ones {@link Model#weights()} returns, are
 *       the caller's to change, and changing them never changes the model's answers.</li>
 *   <li>A BatchNorm right after a Conv2D or Dense with a linear activation is folded into it:
 *       with g = gamma / sqrt(variance + epsilon) per channel (in double), the kernel's column for that
 *       channel becomes kernel·g and its bias (bias − mean)·g + beta, each rounded to float once. The
 *       {@link Weights} (and so any file written from them) keep the BatchNorm as trained; only the
 *       model's private copy is folded, so folding happens exactly once however often a network is
 *       saved and loaded. Any other BatchNorm runs as a per-channel affine op.</li>
 *   <li>An Activation right after a Conv2D or Dense with a linear activation joins it (no second pass).</li>
 *   <li>A 2×2, stride-2 MaxPool2D without padding right after a ReLU Conv2D joins it: one kernel call
 *       ({@code Kernels.conv2dReluPool}), the same bits as the two ops.</li>
 *   <li>The input range [low, high]: Lanes inputs x in [0, 1] become low + x·(high − low). When the first
 *       layer that computes anything is a Dense, or a Conv2D with low = 0 or no padding, the range is
 *       folded into it: the kernel times (high − low), the bias plus low·(the kernel's column sum), so a
 *       Dense keeps skipping zero inputs. Otherwise (a padded Conv2D with low ≠ 0, whose padding is zero
 *       after the mapping, not low; or a first pool, BatchNorm or activation) it is an explicit affine op
 *       before the first layer. Why fold: on the shipped MLP (interleaved in one JVM, a loaded machine) an
 *       explicit [−1, 1] op made a prediction 4.5× slower (28 µs against 6 µs): every input becomes
 *       non-zero, so the first layer's zero-skipping is lost. On LeNet the op cost about 4%.</li>
 *   <li>Softmax runs only as the output, over a flat output: a softmax layer may be followed only by
 *       layers that compile to nothing. The model applies it when probabilities are asked for.</li>
 * </ul>
 */
final class ForwardPlan {
    /** The narrowest Dense layer whose bf16 kernel is packed for single rows: one 32-column group. */
    static final int BF16_MIN_UNITS = 32;
    /** What made a value overflow, for {@link #finite}'s message. */
    private static final String FOLDING = "folding a BatchNorm or the input range";
    final Op[] ops;
    final boolean softmaxOutput;
    /** The most floats any op writes per row. */
    final int maxWidth;

    private ForwardPlan(Op[] ops, boolean softmaxOutput) {
        this.ops = ops;
        this.softmaxOutput = softmaxOutput;
        int w = 1;
        for (Op op : ops) w = Math.max(w, op.outSize);
        this.maxWidth = w;
    }

    /**
     * The plan for {@code w}. With {@code bf16}, every Dense kernel (after folding) is rounded to bfloat16,
     * and those of {@value #BF16_MIN_UNITS} units or more are also packed for single rows ({@link Op.Dense}).
     * Narrower ones (an output layer of 10) would gain nothing: their rows are a vector or less. Either way
     * the op computes on the rounded values, so whether a layer is packed changes no bit.
     *
     * @throws IllegalArgumentException if the network uses softmax anywhere but as a flat output, or a
     *                                  folded or rounded weight overflows to infinity
     */
    static ForwardPlan of(Weights w, boolean bf16) {
        List<Layer> layers = w.layers();
        List<Op> ops = new ArrayList<>();
        InputRange range = w.inputRange();
        // The input range waiting to be folded into the first kernel: x·scale + low, per input.
        double rowScale = 1, low = 0;
        if (!range.isUnit()) {
            Layer first = firstComputing(layers);
            boolean fold = first instanceof DenseWeights
                    || first instanceof Conv2D c && (range.low() == 0 || c.padding().equals(Padding.VALID));
            if (fold) {
                rowScale = range.scale();
                low = range.low();
            } else {
                ops.add(new Op.Affine(w.inputSize(), new float[] {range.scale()}, new float[] {range.low()},
                        "input range " + range));
            }
        }
        Shape s = w.inputShape();
        int softmaxAt = -1;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Shape out = layer.outputShape(s); // folding and joining below change no shape, but for a joined pooling
            boolean noOp = layer instanceof Flatten || layer instanceof Reshape
                    || layer instanceof ActivationLayer a && a.activation() == Activation.LINEAR;
            if (softmaxAt >= 0 && !noOp) throw new IllegalArgumentException("softmax is supported as the output "
                    + "only: layer " + softmaxAt + " has it and layer " + i + " (" + Weights.name(layer) + ") follows");
            Activation act = null;
            switch (layer) {
                case DenseWeights d -> {
                    BatchNorm bn = foldable(layers, i, d.activation());
                    if (bn != null) i++;
                    act = fused(layers, i, d.activation());
                    if (act != d.activation()) i++;
                    boolean fold = bn != null || rowScale != 1 || low != 0; // else copies of its own arrays
                    float[] kernel = fold ? scaled(d.kernel(), d.units(), rowScale, bn) : d.kernel().clone();
                    int[] packed = null;
                    if (bf16) {
                        for (int j = 0; j < kernel.length; j++) kernel[j] = Bf16.round(kernel[j]);
                        finite(kernel, "kernel", "rounding to bf16");
                        if (d.units() >= BF16_MIN_UNITS) packed = Bf16.pack(kernel, d.inputs(), d.units());
                    }
                    ops.add(new Op.Dense(d.inputs(), d.units(), kernel,
                            fold ? shifted(d.bias(), d.kernel(), low, bn) : d.bias().clone(), act, packed));
                    rowScale = 1;
                    low = 0;
                }
                case Conv2D c -> {
                    BatchNorm bn = foldable(layers, i, c.activation());
                    if (bn != null) i++;
                    act = fused(layers, i, c.activation());
                    if (act != c.activation()) i++;
                    boolean fold = bn != null || rowScale != 1 || low != 0;
                    float[] kernel = fold ? scaled(c.kernel(), c.filters(), rowScale, bn) : c.kernel().clone(),
                            bias = fold ? shifted(c.bias(), c.kernel(), low, bn) : c.bias().clone();
                    if (act == Activation.RELU && pool2x2(layers, i) && out.height() >= 2 && out.width() >= 2) {
                        Shape pooled = layers.get(++i).outputShape(out);
                        ops.add(new Op.ConvReluPool(new Op.Conv(s, out, c, kernel, bias, act), pooled));
                        out = pooled;
                    } else {
                        ops.add(new Op.Conv(s, out, c, kernel, bias, act));
                    }
                    rowScale = 1;
                    low = 0;
                }
                case MaxPool2D p -> ops.add(new Op.MaxPool(s, out, p));
                case BatchNorm b -> ops.add(affine(b, s.size()));
                case ActivationLayer a -> {
                    act = a.activation();
                    if (act != Activation.LINEAR && act != Activation.SOFTMAX) ops.add(new Op.Act(s.size(), act));
                }
                case Flatten f -> { }
                case Reshape r -> { }
            }
            if (act == Activation.SOFTMAX) {
                if (!out.isVector()) throw new IllegalArgumentException("softmax over the " + out + " output of layer "
                        + i + ": the engine runs softmax over a flat output only (add a Flatten before it)");
                softmaxAt = i;
            }
            s = out;
        }
        if (ops.isEmpty()) ops.add(new Op.Copy(w.inputSize()));
        return new ForwardPlan(ops.toArray(new Op[0]), softmaxAt >= 0);
    }

    /** Whether layer i + 1 is a 2×2 max pooling at stride 2 without padding (joined to a ReLU convolution). */
    private static boolean pool2x2(List<Layer> layers, int i) {
        return i + 1 < layers.size() && layers.get(i + 1) instanceof MaxPool2D p && p.poolH() == 2 && p.poolW() == 2
                && p.strideH() == 2 && p.strideW() == 2 && p.padding().equals(Padding.VALID);
    }

    /** The first layer that compiles to an op, or null. */
    private static Layer firstComputing(List<Layer> layers) {
        for (Layer l : layers) {
            if (l instanceof Flatten || l instanceof Reshape) continue;
            if (l instanceof ActivationLayer a && a.activation() == Activation.LINEAR) continue;
            return l;
        }
        return null;
    }

    /** The BatchNorm right after layer i when it can be folded into it, else null. */
    private static BatchNorm foldable(List<Layer> layers, int i, Activation act) {
        return act == Activation.LINEAR && i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm b ? b : null;
    }

    /** The activation a Conv2D or Dense at i ends with: an Activation layer right after it joins a linear one. */
    private static Activation fused(List<Layer> layers, int i, Activation act) {
        if (act == Activation.LINEAR && i + 1 < layers.size() && layers.get(i + 1) instanceof ActivationLayer a)
            return a.activation();
        return act;
    }

    /** kernel[..][j]·rowScale·g_j, laid out with the output channel j fastest (Dense [in][units], Conv HWIO). */
    private static float[] scaled(float[] kernel, int cols, double rowScale, BatchNorm bn) {
        double[] g = bn == null ? null : factors(bn);
        float[] out = new float[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            out[i] = (float) (kernel[i] * rowScale * (g == null ? 1 : g[i % cols]));
        }
        return finite(out, "kernel", FOLDING);
    }

    /**
     * The bias after folding, in double, rounded once: first the input range's low (every input is
     * low + x·scale, so column j gains low·Σ_i kernel[i][j]), then the BatchNorm, (b − mean)·g + beta.
     */
    private static float[] shifted(float[] bias, float[] kernel, double low, BatchNorm bn) {
        int cols = bias.length;
        double[] b = new double[cols];
        for (int j = 0; j < cols; j++) b[j] = bias[j];
        if (low != 0) {
            for (int i = 0; i < kernel.length; i++) b[i % cols] += low * kernel[i];
        }
        if (bn != null) {
            double[] g = factors(bn);
            for (int j = 0; j < cols; j++) b[j] = (b[j] - bn.mean()[j]) * g[j] + bn.beta()[j];
        }
        float[] out = new float[cols];
        for (int j = 0; j < cols; j++) out[j] = (float) b[j];
        return finite(out, "bias", FOLDING);
    }

    /** g = gamma / sqrt(variance + epsilon) per channel, in double. */
    private static double[] factors(BatchNorm bn) {
        double[] g = new double[bn.channels()];
        for (int j = 0; j < g.length; j++) {
            double v = (double) bn.variance()[j] + bn.epsilon();
            if (!(v > 0)) throw new IllegalArgumentException("BatchNorm channel " + j + " has variance + epsilon = "
                    + v + ": it divides by zero");
            g[j] = bn.gamma()[j] / Math.sqrt(v);
        }
        return g;
    }

    /** A BatchNorm with nothing to fold into: y = x·g + (beta − mean·g) per channel. */
    private static Op affine(BatchNorm bn, int size) {
        double[] g = factors(bn);
        float[] scale = new float[g.length], shift = new float[g.length];
        for (int j = 0; j < g.length; j++) {
            scale[j] = (float) g[j];
            shift[j] = (float) (bn.beta()[j] - bn.mean()[j] * g[j]);
        }
        return new Op.Affine(size, finite(scale, "scale", FOLDING), finite(shift, "shift", FOLDING), "BatchNorm " + g.length + " channels");
    }

    /** A folded value that overflowed float would make every prediction fail: refuse the network instead. */
    private static float[] finite(float[] a, String what, String how) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) throw new IllegalArgumentException(how + " makes " + what + " value " + i + " "
                    + a[i] + " (it overflows float)");
        }
        return a;
    }

}
