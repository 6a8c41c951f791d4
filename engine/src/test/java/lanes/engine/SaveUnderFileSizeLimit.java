package lanes.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Run by {@link WeightFileTest} in a child JVM whose file-size limit ({@code ulimit -f}) is far below the
 * model's size, so the save fails the way it does on a full disk: a real write error halfway through the
 * file. Saves a 784-128-10 model (about 400 KB) to {@code args[0]}; prints the error and exits 3 when the
 * save fails, exits 0 when it succeeds.
 */
final class SaveUnderFileSizeLimit {
    private SaveUnderFileSizeLimit() {}

    static Weights mnistSized() {
        Random rnd = new Random(3);
        List<DenseWeights> layers = new ArrayList<>();
        int in = 784;
        for (int units : new int[] {128, 10}) {
            float[] kernel = new float[in * units];
            float[] bias = new float[units];
            for (int k = 0; k < kernel.length; k++) kernel[k] = (float) rnd.nextGaussian() * 0.05f;
            layers.add(new DenseWeights(in, units, units == 10 ? Activation.SOFTMAX : Activation.RELU, kernel, bias));
            in = units;
        }
        return new Weights(784, layers, new Metadata("mnist", 1, 0.5, Instant.ofEpochMilli(1)));
    }

    public static void main(String[] args) {
        try {
            WeightFile.write(Path.of(args[0]), mnistSized());
        } catch (IOException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
