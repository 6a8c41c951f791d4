package lanes.engine;

import java.util.Arrays;

/**
 * Inference-time batch normalization per channel (the last axis):
 * {@code y = gamma · (x − mean) / sqrt(variance + epsilon) + beta}.
 *
 * <p>Weights keep it as trained (a file stores these four vectors unchanged); {@link Model} folds it into
 * the preceding {@link Conv2D} or {@link DenseWeights} when it is built, and runs it as a per-channel
 * affine operation anywhere else. The arrays are not copied; equality looks at their contents bit for bit.
 */
public record BatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon) implements Layer {

    /** @throws IllegalArgumentException if the arrays differ in length or epsilon is negative or not finite */
    public BatchNorm {
        Geometry.notNull("gamma", gamma);
        Geometry.notNull("beta", beta);
        Geometry.notNull("mean", mean);
        Geometry.notNull("variance", variance);
        if (gamma.length < 1) throw new IllegalArgumentException("BatchNorm needs at least one channel");
        if (beta.length != gamma.length || mean.length != gamma.length || variance.length != gamma.length)
            throw new IllegalArgumentException("BatchNorm's gamma, beta, mean and variance must have one value per "
                    + "channel, have " + gamma.length + ", " + beta.length + ", " + mean.length + " and " + variance.length);
        if (!(epsilon >= 0) || !Float.isFinite(epsilon))
            throw new IllegalArgumentException("BatchNorm epsilon must be finite and >= 0, got " + epsilon);
    }

    /** The number of channels. */
    public int channels() {
        return gamma.length;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.channels() != gamma.length) throw new IllegalArgumentException("BatchNorm has " + gamma.length
                + " channels, the input " + input + " has " + input.channels());
        return input;
    }

    @Override
    public long parameterCount() {
        return 4L * gamma.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchNorm b && Float.floatToIntBits(epsilon) == Float.floatToIntBits(b.epsilon)
                && Arrays.equals(gamma, b.gamma) && Arrays.equals(beta, b.beta)
                && Arrays.equals(mean, b.mean) && Arrays.equals(variance, b.variance);
    }

    @Override
    public int hashCode() {
        int h = Float.hashCode(epsilon);
        h = 31 * h + Arrays.hashCode(gamma);
        h = 31 * h + Arrays.hashCode(beta);
        h = 31 * h + Arrays.hashCode(mean);
        return 31 * h + Arrays.hashCode(variance);
    }

    @Override
    public String toString() {
        return "BatchNorm[" + gamma.length + " channels, epsilon " + epsilon + "]";
    }
}
