package lanes.engine;

import java.util.Arrays;

/**
 * The trained parameters of one fully connected layer: {@code y = activation(x · kernel + bias)}.
 *
 * <p>{@code kernel} is [inputs × units] row-major, the Keras layout: {@code kernel[i * units + j]} connects
 * input {@code i} to unit {@code j}. {@code bias} has one entry per unit.
 *
 * <p>It takes its input flat: any input shape of {@code inputs} values (a Dense after a Flatten, or straight
 * on an image, reads the NHWC values in order).
 *
 * <p>The arrays are not copied: the record takes them over as they are, so callers must not change them
 * afterwards. {@link #equals}, {@link #hashCode} and {@link #toString} look at the array contents
 * ({@link Arrays#equals(float[], float[])}: bit-exact, so {@code -0.0f != 0.0f} and NaN equals NaN).
 */
public record DenseWeights(int inputs, int units, Activation activation, float[] kernel, float[] bias)
        implements Layer {

    /** @throws IllegalArgumentException if a size is not positive or an array does not match the sizes */
    public DenseWeights {
        if (inputs < 1) throw new IllegalArgumentException("inputs must be >= 1, got " + inputs);
        if (units < 1) throw new IllegalArgumentException("units must be >= 1, got " + units);
        if (activation == null) throw new IllegalArgumentException("activation is null");
        if (kernel == null) throw new IllegalArgumentException("kernel is null");
        if (bias == null) throw new IllegalArgumentException("bias is null");
        long expected = (long) inputs * units;
        if (kernel.length != expected) throw new IllegalArgumentException(
                "kernel must have inputs × units = " + inputs + " × " + units + " = " + expected
                        + " elements, has " + kernel.length);
        if (bias.length != units) throw new IllegalArgumentException(
                "bias must have one element per unit (" + units + "), has " + bias.length);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != inputs) throw new IllegalArgumentException("Dense takes " + inputs
                + " inputs, gets " + input.size());
        return Shape.vector(units);
    }

    /** The number of trained parameters: kernel plus bias. */
    @Override
    public long parameterCount() {
        return (long) inputs * units + units;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseWeights d
                && inputs == d.inputs && units == d.units && activation == d.activation
                && Arrays.equals(kernel, d.kernel) && Arrays.equals(bias, d.bias);
    }

    @Override
    public int hashCode() {
        int h = 31 * inputs + units;
        h = 31 * h + activation.hashCode();
        h = 31 * h + Arrays.hashCode(kernel);
        return 31 * h + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "DenseWeights[" + inputs + " -> " + units + ", " + activation + "]";
    }
}
