package lanes.engine;

import java.util.List;

/**
 * A trained feed-forward network: dense layers applied in order to an input vector of {@code inputSize}
 * floats. This is what {@link WeightFile} writes and reads.
 *
 * @param inputSize the number of input features (784 for a 28×28 image)
 * @param layers    the layers in order; layer {@code i} takes layer {@code i-1}'s units as inputs, the
 *                  first takes {@code inputSize}. Copied with {@link List#copyOf}.
 * @param metadata  provenance of the weights
 */
public record Weights(int inputSize, List<DenseWeights> layers, Metadata metadata) {

    /** @throws IllegalArgumentException if there are no layers or consecutive layers do not fit */
    public Weights {
        if (inputSize < 1) throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        if (layers == null) throw new IllegalArgumentException("layers is null");
        if (metadata == null) throw new IllegalArgumentException("metadata is null (use Metadata.unknown())");
        layers = List.copyOf(layers); // also rejects null elements
        if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer");
        int previous = inputSize;
        for (int i = 0; i < layers.size(); i++) {
            DenseWeights layer = layers.get(i);
            if (layer.inputs() != previous) throw new IllegalArgumentException(
                    "layer " + i + " takes " + layer.inputs() + " inputs but "
                            + (i == 0 ? "the input size is " : "layer " + (i - 1) + " has ") + previous
                            + (i == 0 ? "" : " units"));
            previous = layer.units();
        }
    }

    /** The number of outputs: the last layer's units. */
    public int outputSize() {
        return layers.getLast().units();
    }

    /** The total number of trained parameters over all layers. */
    public long parameterCount() {
        long n = 0;
        for (DenseWeights layer : layers) n += layer.parameterCount();
        return n;
    }
}
