package lanes.engine;

/**
 * One step of a network, applied to one example of a known {@link Shape}. Layers are plain data (what a
 * weight file holds); {@link Model} compiles them into the operations it runs.
 */
public sealed interface Layer permits DenseWeights, Conv2D, MaxPool2D, Flatten, Reshape, ActivationLayer, BatchNorm {

    /**
     * The shape this layer produces from {@code input}.
     *
     * @throws IllegalArgumentException naming what does not fit, if the layer cannot take {@code input}
     */
    Shape outputShape(Shape input);

    /** The number of trained parameters (0 for layers without any). */
    long parameterCount();
}
