package lanes.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import lanes.engine.Activation;
import lanes.engine.DenseWeights;
import lanes.engine.Metadata;
import lanes.engine.Weights;

/**
 * A stack of Dense layers, Keras Sequential style:
 * {@code Network.builder(784).dense(128, RELU).dense(10, SOFTMAX).build(seed)}.
 * All parameters live in one flat array (layer by layer: kernel [in×out], then bias [out]).
 */
public final class Network {

    /**
     * The most parameters a network may have: they live in one float[], and this is the largest array a JVM
     * reliably allocates. A network that should be saved must also keep within {@link lanes.engine.WeightFile}'s
     * limits on units, inputs and file size, which are smaller and are checked when it is saved.
     */
    public static final int MAX_PARAMETERS = Integer.MAX_VALUE - 8;

    final int inputSize;
    final List<Dense> layers;
    final float[] params;

    private Network(int inputSize, List<Dense> layers, float[] params) {
        this.inputSize = inputSize;
        this.layers = List.copyOf(layers);
        this.params = params;
    }

    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    public static final class Builder {
        private final int inputSize;
        private final List<Integer> units = new ArrayList<>();
        private final List<Activation> activations = new ArrayList<>();
        /** Parameters of the layers so far, in long: in × out of two ints overflows an int. */
        private long parameters;

        private Builder(int inputSize) {
            if (inputSize < 1) throw new IllegalArgumentException("input size must be >= 1, got " + inputSize);
            this.inputSize = inputSize;
        }

        public Builder dense(int units, Activation activation) {
            if (units < 1) throw new IllegalArgumentException("units must be >= 1, got " + units);
            if (activation == null) throw new IllegalArgumentException("activation is null");
            if (activation != Activation.RELU && activation != Activation.LINEAR && activation != Activation.SOFTMAX)
                throw new IllegalArgumentException("the trainer trains relu, linear and softmax layers, not " + activation);
            int in = this.units.isEmpty() ? inputSize : this.units.get(this.units.size() - 1);
            long layer = Dense.parameterCount(in, units);
            if (layer > MAX_PARAMETERS) throw new IllegalArgumentException("dense layer " + this.units.size() + " ("
                    + in + " inputs × " + units + " units + " + units + " biases) has " + layer
                    + " parameters, more than the " + MAX_PARAMETERS + " a network can hold");
            if (parameters + layer > MAX_PARAMETERS) throw new IllegalArgumentException("dense layer "
                    + this.units.size() + " brings the network to " + (parameters + layer)
                    + " parameters, more than the " + MAX_PARAMETERS + " a network can hold");
            parameters += layer;
            this.units.add(units);
            activations.add(activation);
            return this;
        }

        /** Glorot-uniform kernels and zero biases (the Keras defaults), drawn from {@code seed}. */
        public Network build(long seed) {
            if (units.isEmpty()) throw new IllegalStateException("a network needs at least one dense layer");
            for (int i = 0; i < activations.size() - 1; i++) {
                if (activations.get(i) == Activation.SOFTMAX) {
                    throw new IllegalStateException("softmax is supported on the last layer only");
                }
            }
            List<Dense> layers = new ArrayList<>();
            int in = inputSize, offset = 0;
            for (int i = 0; i < units.size(); i++) {
                // The first layer reads the input batch: it runs in row blocks, fused with its update.
                Dense d = i == 0 ? new RowBlockedDense(in, units.get(i), activations.get(i), offset)
                        : new Dense(in, units.get(i), activations.get(i), offset);
                layers.add(d);
                offset += d.parameterCount();
                in = d.out;
            }
            float[] params = new float[offset];
            SplittableRandom rnd = new SplittableRandom(seed);
            for (Dense d : layers) {
                double limit = Math.sqrt(6.0 / (d.in + d.out));
                for (int j = 0; j < d.in * d.out; j++) {
                    params[d.weightOffset + j] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
                }
            }
            return new Network(inputSize, layers, params);
        }
    }

    public int inputSize() { return inputSize; }

    public int outputSize() { return layers.get(layers.size() - 1).out; }

    public int parameterCount() { return params.length; }

    /** Largest layer width, for sizing activation buffers. */
    int maxWidth() {
        int w = inputSize;
        for (Dense d : layers) w = Math.max(w, d.out);
        return w;
    }

    /** A copy of all parameters (tests compare networks bit for bit). */
    public float[] parameters() {
        return params.clone();
    }

    /** The weights in the engine's file model, with the given metadata. */
    public Weights toWeights(Metadata metadata) {
        List<DenseWeights> out = new ArrayList<>();
        for (Dense d : layers) {
            float[] kernel = java.util.Arrays.copyOfRange(params, d.weightOffset, d.weightOffset + d.in * d.out);
            float[] bias = java.util.Arrays.copyOfRange(params, d.biasOffset, d.biasOffset + d.out);
            out.add(new DenseWeights(d.in, d.out, d.activation, kernel, bias));
        }
        return new Weights(inputSize, out, metadata);
    }

    /**
     * A network holding the given weights (to continue training or to evaluate a saved model).
     *
     * @throws IllegalArgumentException if the weights are not a chain of dense layers on a vector input in
     *                                  [0, 1] (the only networks the trainer trains)
     */
    public static Network fromWeights(Weights w) {
        Objects.requireNonNull(w, "weights");
        if (!w.inputShape().isVector() || !w.inputRange().isUnit()) throw new IllegalArgumentException(
                "the trainer takes a vector input in [0, 1], the weights take " + w.inputShape() + " in " + w.inputRange());
        List<DenseWeights> dense = new ArrayList<>();
        for (int i = 0; i < w.layers().size(); i++) {
            if (!(w.layers().get(i) instanceof DenseWeights d)) throw new IllegalArgumentException(
                    "the trainer trains dense layers only, layer " + i + " is " + w.layers().get(i));
            dense.add(d);
        }
        Builder b = builder(w.inputSize());
        for (DenseWeights d : dense) b.dense(d.units(), d.activation());
        Network net = b.build(0);
        for (int i = 0; i < net.layers.size(); i++) {
            Dense d = net.layers.get(i);
            DenseWeights dw = dense.get(i);
            System.arraycopy(dw.kernel(), 0, net.params, d.weightOffset, dw.kernel().length);
            System.arraycopy(dw.bias(), 0, net.params, d.biasOffset, dw.bias().length);
        }
        return net;
    }
}
