package lanes.engine;

/**
 * (h, w, c) → a vector of h·w·c values in H, W, C order (Keras' Flatten). NHWC data is already in that
 * order, so the engine moves nothing: this only changes the shape the next layer sees.
 */
public record Flatten() implements Layer {
    @Override
    public Shape outputShape(Shape input) {
        return Shape.vector(input.size());
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
