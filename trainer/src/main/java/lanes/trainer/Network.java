package lanes.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import lanes.engine.Activation;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.InputRange;
import lanes.engine.MaxPool2D;
import lanes.engine.Metadata;
import lanes.engine.Padding;
import lanes.engine.Provenance;
import lanes.engine.Shape;
import lanes.engine.Weights;

/**
 * A stack of layers, Keras Sequential style: {@code Network.builder(784).dense(128, RELU).dense(10, SOFTMAX).build(seed)},
 * or on images {@code Network.builder(28, 28, 1).conv2d(16, 5, RELU).maxPool(2).dense(10, SOFTMAX).build(seed)}.
 * All parameters live in one flat array, layer by layer: kernel, then bias (see each {@link Layer}).
 */
public final class Network {

    /**
     * The most parameters a network may have: they live in one float[], and this is the largest array a JVM
     * reliably allocates. A network that should be saved must also keep within {@link lanes.engine.WeightFile}'s
     * limits on units, inputs and file size, which are smaller and are checked when it is saved.
     */
    public static final int MAX_PARAMETERS = Integer.MAX_VALUE - 8;

    final Shape inputShape;
    final int inputSize;
    final List<Layer> layers;
    final float[] params;

    private Network(Shape inputShape, List<Layer> layers, float[] params) {
        this.inputShape = inputShape;
        this.inputSize = inputShape.size();
        this.layers = List.copyOf(layers);
        this.params = params;
    }

    /** A network on a vector of {@code inputSize} features. */
    public static Builder builder(int inputSize) {
        if (inputSize < 1) throw new IllegalArgumentException("input size must be >= 1, got " + inputSize);
        return new Builder(Shape.vector(inputSize));
    }

    /** A network on images of height × width × channels, NHWC, pixels as x/255 (784 bytes per 28×28×1 image). */
    public static Builder builder(int height, int width, int channels) {
        if (height < 1 || width < 1 || channels < 1) throw new IllegalArgumentException(
                "image height, width and channels must be >= 1, got " + height + "×" + width + "×" + channels);
        if ((long) height * width * channels > MAX_PARAMETERS) throw new IllegalArgumentException("an image of "
                + height + "×" + width + "×" + channels + " has more values than a Java array holds");
        return new Builder(new Shape(height, width, channels));
    }

    /**
     * Adds layers in order, each on the previous one's output, checking as it goes that each fits; a dense
     * layer on an image flattens it (NHWC order, as Keras' Flatten). Parameter offsets are assigned as the
     * layers are added.
     */
    public static final class Builder {
        private final Shape input;
        private final List<Layer> layers = new ArrayList<>();
        /** The output shape of the layers so far (a vector after {@link #flatten}). */
        private Shape current;
        /** Whether the layers so far end in a vector: a vector input, a flatten or a dense layer. */
        private boolean flat;
        /** Parameters of the layers so far, in long: in × out of two ints overflows an int. */
        private long parameters;

        private Builder(Shape input) {
            this.input = input;
            this.current = input;
            this.flat = input.isVector();
        }

        /**
         * A 2-D convolution: {@code filters} square kernels of {@code kernel} × {@code kernel}, stride 1,
         * valid padding (the output is kernel − 1 smaller on each axis), relu or linear.
         */
        public Builder conv2d(int filters, int kernel, Activation activation) {
            String layer = "conv2d layer " + layers.size();
            if (filters < 1) throw new IllegalArgumentException(layer + ": filters must be >= 1, got " + filters);
            if (kernel < 1) throw new IllegalArgumentException(layer + ": kernel must be >= 1, got " + kernel);
            if (activation == null) throw new IllegalArgumentException(layer + ": activation is null");
            if (activation != Activation.RELU && activation != Activation.LINEAR) throw new IllegalArgumentException(
                    layer + ": the trainer trains relu and linear convolutions, not " + activation);
            if (kernel > current.height() || kernel > current.width()) throw new IllegalArgumentException(layer
                    + ": its " + kernel + "×" + kernel + " kernel is larger than its " + dims() + " input" + imageHint());
            long oh = current.height() - kernel + 1, ow = current.width() - kernel + 1;
            long window = (long) kernel * kernel * current.channels();
            check(layer, "outputs per example", oh * ow * filters);
            check(layer, "im2col floats per example (output pixels × kernel × kernel × channels)", oh * ow * window);
            add(layer, Conv.parameterCount(kernel, current.channels(), filters),
                    offset -> new Conv(current, filters, kernel, activation, offset, layers.isEmpty()));
            return this;
        }

        /** Max pooling over {@code size} × {@code size} windows, stride {@code size}, valid (rows and columns left over are dropped). */
        public Builder maxPool(int size) {
            String layer = "maxPool layer " + layers.size();
            if (size < 1) throw new IllegalArgumentException(layer + ": size must be >= 1, got " + size);
            if (size > current.height() || size > current.width()) throw new IllegalArgumentException(layer
                    + ": its " + size + "×" + size + " window is larger than its " + dims() + " input" + imageHint());
            add(layer, 0, offset -> new MaxPool(current, size));
            return this;
        }

        /** Flattens an image into a vector (optional before {@link #dense}, which flattens an image itself). */
        public Builder flatten() {
            current = Shape.vector(current.size());
            flat = true;
            return this;
        }

        public Builder dense(int units, Activation activation) {
            if (units < 1) throw new IllegalArgumentException("units must be >= 1, got " + units);
            if (activation == null) throw new IllegalArgumentException("activation is null");
            if (activation != Activation.RELU && activation != Activation.LINEAR && activation != Activation.SOFTMAX)
                throw new IllegalArgumentException("the trainer trains relu, linear and softmax layers, not " + activation);
            int in = current.size();
            // The first layer reads the input batch: it runs in row blocks, fused with its update.
            add("dense layer " + layers.size() + " (" + in + " inputs × " + units + " units + " + units + " biases)",
                    Dense.parameterCount(in, units), offset -> layers.isEmpty()
                            ? new RowBlockedDense(in, units, activation, offset) : new Dense(in, units, activation, offset));
            return this;
        }

        /** The current shape as height × width × channels (Shape prints a 1×1 image as a vector). */
        private String dims() {
            return current.height() + "×" + current.width() + "×" + current.channels();
        }

        private String imageHint() {
            if (!flat) return "";
            return input.isVector() ? " (a vector: for images use Network.builder(height, width, channels))"
                    : " (flattened: conv2d and maxPool go before flatten and dense)";
        }

        private static void check(String layer, String what, long n) {
            if (n > MAX_PARAMETERS) throw new IllegalArgumentException(
                    layer + " has " + n + " " + what + ", more than a Java array holds");
        }

        private interface AtOffset {
            Layer at(int offset);
        }

        /** Adds a layer of {@code count} parameters, placed after those so far, once the total is known to fit. */
        private void add(String layer, long count, AtOffset make) {
            if (count > MAX_PARAMETERS) throw new IllegalArgumentException(layer + " has " + count
                    + " parameters, more than the " + MAX_PARAMETERS + " a network can hold");
            if (parameters + count > MAX_PARAMETERS) throw new IllegalArgumentException(layer
                    + " brings the network to " + (parameters + count) + " parameters, more than the "
                    + MAX_PARAMETERS + " a network can hold");
            Layer made = make.at((int) parameters);
            parameters += count;
            layers.add(made);
            current = made.outputShape();
            flat = made instanceof Dense;
        }

        /**
         * Glorot-uniform kernels (the Keras default: ±√(6 / (fan_in + fan_out)), for a convolution
         * fan_in = k·k·channels and fan_out = k·k·filters) and zero biases, drawn from {@code seed} layer by layer.
         *
         * @throws IllegalStateException if there is no layer, or a softmax layer is not the last one
         */
        public Network build(long seed) {
            if (layers.isEmpty()) throw new IllegalStateException("a network needs at least one layer");
            for (int i = 0; i < layers.size() - 1; i++) {
                if (layers.get(i) instanceof Dense d && d.activation == Activation.SOFTMAX) {
                    throw new IllegalStateException("softmax is supported on the last layer only (layer " + i
                            + " of " + layers.size() + " is softmax)");
                }
            }
            float[] params = new float[(int) parameters];
            SplittableRandom rnd = new SplittableRandom(seed);
            for (Layer layer : layers) {
                switch (layer) {
                    case Dense d -> glorot(rnd, params, d.weightOffset, d.in * d.out, d.in, d.out);
                    case Conv c -> {
                        int taps = c.kernel * c.kernel;
                        glorot(rnd, params, c.weightOffset, taps * c.channels * c.filters, taps * c.channels, taps * c.filters);
                    }
                    case MaxPool p -> { }
                }
            }
            return new Network(input, layers, params);
        }

        private static void glorot(SplittableRandom rnd, float[] params, int offset, int count, int fanIn, int fanOut) {
            double limit = Math.sqrt(6.0 / ((double) fanIn + fanOut));
            for (int j = 0; j < count; j++) params[offset + j] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
    }

    public int inputSize() { return inputSize; }

    /** The shape of one input example: a vector, or an image (height × width × channels, NHWC). */
    public Shape inputShape() { return inputShape; }

    public int outputSize() { return layers.get(layers.size() - 1).out; }

    public int parameterCount() { return params.length; }

    /** Largest layer width, for sizing activation buffers. */
    int maxWidth() {
        int w = inputSize;
        for (Layer layer : layers) w = Math.max(w, layer.out);
        return w;
    }

    /** A copy of all parameters (tests compare networks bit for bit). */
    public float[] parameters() {
        return params.clone();
    }

    /**
     * The weights in the engine's file model, with the given metadata: input range [0, 1], a Flatten before
     * a layer that reads an image as a vector. A chain of dense layers on a vector input is what a version 1
     * file holds.
     */
    public Weights toWeights(Metadata metadata) {
        List<lanes.engine.Layer> out = new ArrayList<>();
        Shape shape = inputShape;
        for (Layer layer : layers) {
            if (!layer.inputShape().equals(shape)) out.add(new Flatten());
            out.add(switch (layer) {
                case Dense d -> new DenseWeights(d.in, d.out, d.activation, copy(d.weightOffset, d.in * d.out),
                        copy(d.biasOffset, d.out));
                case Conv c -> new Conv2D(c.kernel, c.kernel, c.channels, c.filters, 1, 1, Padding.VALID, c.activation,
                        copy(c.weightOffset, c.biasOffset - c.weightOffset), copy(c.biasOffset, c.filters));
                case MaxPool p -> new MaxPool2D(p.size, p.size, p.size, p.size, Padding.VALID);
            });
            shape = layer.outputShape();
        }
        return new Weights(inputShape, out, metadata, InputRange.UNIT, List.of(), Provenance.lanes());
    }

    private float[] copy(int from, int count) {
        return Arrays.copyOfRange(params, from, from + count);
    }

    /**
     * A network holding the given weights (to continue training or to evaluate a saved model).
     *
     * @throws IllegalArgumentException if the weights are not a network the trainer trains: an input in
     *                                  [0, 1]; dense, flatten, conv2d (square kernel, stride 1, valid
     *                                  padding, relu or linear) and max-pool (square window, stride = window,
     *                                  valid) layers
     */
    public static Network fromWeights(Weights w) {
        Objects.requireNonNull(w, "weights");
        if (!w.inputRange().isUnit()) throw new IllegalArgumentException(
                "the trainer takes inputs in [0, 1], the weights take " + w.inputShape() + " in " + w.inputRange());
        Shape in = w.inputShape();
        Builder b = new Builder(in);
        List<float[][]> kernelsAndBiases = new ArrayList<>();
        for (int i = 0; i < w.layers().size(); i++) {
            lanes.engine.Layer layer = w.layers().get(i);
            try {
                switch (layer) {
                    case DenseWeights d -> {
                        b.dense(d.units(), d.activation());
                        kernelsAndBiases.add(new float[][] {d.kernel(), d.bias()});
                    }
                    case Conv2D c when c.kernelH() == c.kernelW() && c.strideH() == 1 && c.strideW() == 1
                            && c.padding().equals(Padding.VALID) -> {
                        b.conv2d(c.filters(), c.kernelH(), c.activation());
                        kernelsAndBiases.add(new float[][] {c.kernel(), c.bias()});
                    }
                    case MaxPool2D p when p.poolH() == p.poolW() && p.strideH() == p.poolH() && p.strideW() == p.poolW()
                            && p.padding().equals(Padding.VALID) -> {
                        b.maxPool(p.poolH());
                        kernelsAndBiases.add(null);
                    }
                    case Flatten f -> b.flatten();
                    default -> throw new IllegalArgumentException("the trainer trains dense, flatten, conv2d (square "
                            + "kernel, stride 1, valid padding) and max-pool (square window, stride = window, valid) "
                            + "layers, not " + layer);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + ": " + e.getMessage(), e);
            }
        }
        Network net = b.build(0);
        for (int i = 0; i < net.layers.size(); i++) {
            float[][] kb = kernelsAndBiases.get(i);
            int weights = switch (net.layers.get(i)) {
                case Dense d -> d.weightOffset;
                case Conv c -> c.weightOffset;
                case MaxPool p -> -1;
            };
            if (kb == null) continue;
            System.arraycopy(kb[0], 0, net.params, weights, kb[0].length);
            System.arraycopy(kb[1], 0, net.params, weights + kb[0].length, kb[1].length);
        }
        return net;
    }
}
