package lanes.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Run by {@link WeightFileTest} in a child JVM whose file-size limit ({@code ulimit -f}) is far below the
 * model's size, so the save fails the way it does on a full disk: a real write error halfway through the
 * file. Saves a 784-128-10 model (about 400 KB) to {@code args[0]}; prints the error and exits 3 when the
 * save fails, exits 0 when it succeeds.
 */
final class SaveUnderFileSizeLimit {
    private SaveUnderFileSizeLimit() {}

    /** A 784-128-10 model, the size of the MNIST one (about 400 KB on disk). */
    static Weights mnistSized() {
        return TestWeights.model(3, new Metadata("mnist", 1, 0.5, Instant.ofEpochMilli(1)), 784, Activation.SOFTMAX, 128, 10);
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
