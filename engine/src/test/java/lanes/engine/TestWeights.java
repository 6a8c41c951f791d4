package lanes.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Weights for tests, here and in the fuzz module (through the engine's test-jar): seeded random models, and
 * the bytes the writer makes of weights.
 */
public final class TestWeights {
    private TestWeights() {}

    /**
     * A dense network {@code inputSize -> units[0] -> ...}, ReLU on every layer but the last, with Gaussian
     * kernels and small Gaussian biases drawn from {@code seed}.
     */
    public static Weights model(long seed, Metadata meta, int inputSize, Activation last, int... units) {
        Random rnd = new Random(seed);
        List<DenseWeights> layers = new ArrayList<>();
        int in = inputSize;
        for (int i = 0; i < units.length; i++) {
            float[] kernel = new float[in * units[i]];
            float[] bias = new float[units[i]];
            for (int k = 0; k < kernel.length; k++) kernel[k] = (float) rnd.nextGaussian();
            for (int k = 0; k < bias.length; k++) bias[k] = (float) rnd.nextGaussian() * 0.1f;
            Activation a = i == units.length - 1 ? last : Activation.RELU;
            layers.add(new DenseWeights(in, units[i], a, kernel, bias));
            in = units[i];
        }
        return new Weights(inputSize, layers, meta);
    }

    /**
     * A small network of every layer type on a 6×6×1 input (a version 2 file): Conv2D 3×3 same, BatchNorm,
     * relu, MaxPool2D 2×2, Reshape, Flatten, Dense with sigmoid, Dense, tanh; input range [0, 255], labels
     * and keras provenance. Seeded Gaussian values.
     */
    public static Weights everyLayer(long seed) {
        Random rnd = new Random(seed);
        List<Layer> layers = List.of(
                new Conv2D(3, 3, 1, 2, 1, 1, Padding.same(6, 6, 3, 3, 1, 1), Activation.LINEAR, gaussian(rnd, 18), gaussian(rnd, 2)),
                new BatchNorm(new float[] {1.5f, 0.5f}, gaussian(rnd, 2), gaussian(rnd, 2), new float[] {0.5f, 2f}, 1e-3f),
                new ActivationLayer(Activation.RELU),
                new MaxPool2D(2, 2, 2, 2, Padding.VALID),
                new Reshape(new Shape(3, 1, 6)),
                new Flatten(),
                new DenseWeights(18, 4, Activation.SIGMOID, gaussian(rnd, 72), gaussian(rnd, 4)),
                new DenseWeights(4, 3, Activation.LINEAR, gaussian(rnd, 12), gaussian(rnd, 3)),
                new ActivationLayer(Activation.TANH));
        return new Weights(new Shape(6, 6, 1), layers, new Metadata("every-layer", 1, 0.5, java.time.Instant.EPOCH),
                new InputRange(0, 255), List.of("a", "b", "c"), new Provenance("keras", "every.keras", "3.6.0"));
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * 0.5f;
        return a;
    }

    /** What {@link WeightFile#write(java.nio.file.Path, Weights)} saves, encoded in memory instead. */
    public static byte[] bytes(Weights weights) {
        return WeightFile.encode(weights);
    }
}
