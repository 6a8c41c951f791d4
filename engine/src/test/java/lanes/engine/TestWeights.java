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

    /** What {@link WeightFile#write(java.nio.file.Path, Weights)} saves, encoded in memory instead. */
    public static byte[] bytes(Weights weights) {
        return WeightFile.encode(weights);
    }
}
