package lanes.engine;

/**
 * An activation as a layer of its own (Keras' Activation, ONNX's Relu/Sigmoid/Tanh/Softmax).
 * {@link Activation#LINEAR} is a no-op: it is how a Dropout or Identity can be kept in a file.
 */
public record ActivationLayer(Activation activation) implements Layer {

    /** @throws IllegalArgumentException if activation is null */
    public ActivationLayer {
        Geometry.notNull("activation", activation);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
