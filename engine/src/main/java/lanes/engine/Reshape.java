package lanes.engine;

/** The same values, seen as {@code target} (row-major, as Keras and ONNX reshape): no data moves. */
public record Reshape(Shape target) implements Layer {

    /** @throws IllegalArgumentException if target is null */
    public Reshape {
        Geometry.notNull("target", target);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != target.size()) throw new IllegalArgumentException("Reshape to " + target + " needs "
                + target.size() + " values, the input " + input + " has " + input.size());
        return target;
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
