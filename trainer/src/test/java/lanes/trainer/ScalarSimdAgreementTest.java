package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import lanes.engine.Model;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import lanes.engine.Weights;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * Each shipped model (the accurate CNN and the fast MLP) predicts the same digit with the scalar and the Vector API kernels, on real test
 * images, with probabilities within 1e-5: a machine without the Vector API (or with a different vector
 * width) must not give a different answer. Skipped where the Vector API is not available (the scalar
 * test run), since there is nothing to compare with.
 */
class ScalarSimdAgreementTest {

    static final double TOLERANCE = 1e-5;

    /** The 200 test digits of the mnist-small fixture (see its README). */
    @Test
    void fixtureDigits() throws IOException {
        for (String name : Model.BUNDLED) assertEquals(200, agree(MnistSmall.load("t10k"), name));
    }

    /**
     * Every test digit of the data set tools/fetch-data writes: {@code -Dlanes.mnist=DIR}, else
     * {@code data/mnist} at the repository root; skipped when neither is there.
     */
    @Test
    void fullTestSet() throws IOException {
        Path dir = Path.of(System.getProperty("lanes.mnist", "../data/mnist"));
        assumeTrue(Files.isDirectory(dir), "no MNIST at " + dir.toAbsolutePath().normalize()
                + " (run tools/fetch-data --dataset mnist, or pass -Dlanes.mnist=DIR): full test set not compared");
        Dataset test = Dataset.load(dir, "t10k");
        for (String name : Model.BUNDLED) assertEquals(test.count(), agree(test, name));
    }

    /** Compares every image of {@code data} on the bundled model {@code name}; returns how many were compared. */
    private static int agree(Dataset data, String name) throws IOException {
        Optional<Kernels> vector = KernelsProvider.vector();
        assumeTrue(vector.isPresent(), "Vector API not available in this run: nothing to compare the scalar kernels with");
        Weights weights = Model.loadBundled(name).weights();
        Predictor scalar = Model.of(weights, KernelsProvider.scalar()).newPredictor();
        Predictor simd = Model.of(weights, vector.get()).newPredictor();
        int n = data.rows() * data.cols(), outputs = weights.outputSize();
        assertEquals(weights.inputSize(), n);
        float[] x = new float[n], ps = new float[outputs], pv = new float[outputs];
        double worst = 0;
        int correct = 0;
        for (int i = 0; i < data.count(); i++) {
            Pixels.toUnit(data.images().pixels(), i * n, x, 0, n);
            int ls = scalar.predict(x, ps), lv = simd.predict(x, pv);
            assertEquals(ls, lv, "image " + i + ": scalar and SIMD labels differ");
            for (int j = 0; j < outputs; j++) {
                double d = Math.abs(ps[j] - pv[j]);
                worst = Math.max(worst, d);
                assertTrue(d <= TOLERANCE, "image " + i + ", class " + j + ": scalar " + ps[j] + ", SIMD " + pv[j]);
            }
            if (ls == data.label(i)) correct++;
        }
        // Sanity: the comparison ran on digits the model actually recognises.
        assertTrue(correct > 0.9 * data.count(), "accuracy " + correct + "/" + data.count());
        System.out.printf("scalar vs SIMD, %s: %d images, labels identical, largest probability difference %.2e, accuracy %d/%d%n",
                name, data.count(), worst, correct, data.count());
        return data.count();
    }
}
