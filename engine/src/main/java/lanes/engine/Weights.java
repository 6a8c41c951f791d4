package lanes.engine;

import java.util.List;

/**
 * A trained network: layers applied in order to one example of {@code inputShape}. This is what
 * {@link WeightFile} writes and reads and what {@link Model} runs.
 *
 * @param inputShape the shape of one input (a vector of 784 for an MLP on 28×28 images, 28×28×1 for a CNN)
 * @param layers     the layers in order, each taking the previous one's output shape; copied with
 *                   {@link List#copyOf}
 * @param metadata   training provenance of the weights (data set, epochs, accuracy, date)
 * @param inputRange the range the network was trained on; Lanes inputs in [0, 1] are mapped to it
 * @param labels     empty, or one class name per output
 * @param provenance where the network came from (trained by Lanes, or imported)
 */
public record Weights(Shape inputShape, List<Layer> layers, Metadata metadata, InputRange inputRange,
                      List<String> labels, Provenance provenance) {

    /** The longest class label, in UTF-8 bytes (the weight file's limit). */
    public static final int MAX_LABEL_BYTES = 256;

    /** @throws IllegalArgumentException if there are no layers, a layer does not fit its input, or labels do not match */
    public Weights {
        if (inputShape == null) throw new IllegalArgumentException("inputShape is null");
        if (layers == null) throw new IllegalArgumentException("layers is null");
        if (metadata == null) throw new IllegalArgumentException("metadata is null (use Metadata.unknown())");
        if (inputRange == null) throw new IllegalArgumentException("inputRange is null (use InputRange.UNIT)");
        if (labels == null) throw new IllegalArgumentException("labels is null (use List.of())");
        if (provenance == null) throw new IllegalArgumentException("provenance is null (use Provenance.lanes())");
        layers = List.copyOf(layers); // also rejects null elements
        labels = List.copyOf(labels);
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        Shape out = walk(inputShape, layers);
        if (!labels.isEmpty() && labels.size() != out.size()) throw new IllegalArgumentException(
                "labels must be empty or one per output (" + out.size() + "), there are " + labels.size());
        for (int i = 0; i < labels.size(); i++) {
            int bytes = Provenance.utf8("label " + i, labels.get(i)).length;
            if (bytes > MAX_LABEL_BYTES) throw new IllegalArgumentException(
                    "label " + i + " is " + bytes + " bytes of UTF-8, at most " + MAX_LABEL_BYTES + " are allowed");
        }
    }

    /**
     * A chain of dense layers on a vector input, as version 1 files hold: input range {@link InputRange#UNIT},
     * no labels, {@link Provenance#lanes()}.
     */
    public Weights(int inputSize, List<DenseWeights> layers, Metadata metadata) {
        this(vectorOf(inputSize), layers == null ? null : List.<Layer>copyOf(layers), metadata, InputRange.UNIT,
                List.of(), Provenance.lanes());
    }

    private static Shape vectorOf(int inputSize) {
        if (inputSize < 1) throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        return Shape.vector(inputSize);
    }

    /** Each layer's output shape in turn; the last one's. */
    private static Shape walk(Shape input, List<Layer> layers) {
        Shape s = input;
        for (int i = 0; i < layers.size(); i++) {
            try {
                s = layers.get(i).outputShape(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + name(layers.get(i)) + ") does not fit "
                        + (i == 0 ? "the input " : "layer " + (i - 1) + "'s output ") + s + ": " + e.getMessage(), e);
            }
        }
        return s;
    }

    /** A layer's type as people call it. */
    static String name(Layer layer) {
        return switch (layer) {
            case DenseWeights d -> "Dense";
            case Conv2D c -> "Conv2D";
            case MaxPool2D p -> "MaxPool2D";
            case Flatten f -> "Flatten";
            case Reshape r -> "Reshape";
            case ActivationLayer a -> "Activation";
            case BatchNorm b -> "BatchNorm";
        };
    }

    /** The number of input values: the input shape's size. */
    public int inputSize() {
        return inputShape.size();
    }

    /** The shape of the last layer's output. */
    public Shape outputShape() {
        return walk(inputShape, layers);
    }

    /** The number of outputs. */
    public int outputSize() {
        return outputShape().size();
    }

    /** The total number of trained parameters over all layers. */
    public long parameterCount() {
        long n = 0;
        for (Layer layer : layers) n += layer.parameterCount();
        return n;
    }

    /**
     * The activation that makes the outputs: the last layer's own, looking through the layers that do not
     * change values (Flatten, Reshape, a linear Activation). {@link Activation#SOFTMAX} means the outputs are
     * class probabilities; a pooling or batch-norm output counts as {@link Activation#LINEAR}.
     */
    public Activation outputActivation() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Activation a = switch (layers.get(i)) {
                case DenseWeights d -> d.activation();
                case Conv2D c -> c.activation();
                case ActivationLayer l -> l.activation() == Activation.LINEAR ? null : l.activation();
                case Flatten f -> null;
                case Reshape r -> null;
                case MaxPool2D p -> Activation.LINEAR;
                case BatchNorm b -> Activation.LINEAR;
            };
            if (a != null) return a;
        }
        return Activation.LINEAR;
    }

    /**
     * Whether a version 1 file can hold these weights: dense layers only on a vector input, activations
     * of version 1 (linear, relu, softmax), input range [0, 1], no labels, trained by Lanes.
     */
    public boolean isVersion1() {
        if (!inputShape.isVector() || !inputRange.isUnit() || !labels.isEmpty() || !provenance.isLanes()) return false;
        for (Layer l : layers) {
            if (!(l instanceof DenseWeights d) || d.activation().code() > Activation.SOFTMAX.code()) return false;
        }
        return true;
    }
}
