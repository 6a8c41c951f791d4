package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * Training convolutional networks keeps the guarantees of the dense ones (see TrainerTest): the same seed
 * gives the same bits on any thread count and with the scalar or the SIMD kernels, a step is exactly
 * "gradient, then one Adam update", and the network learns real digits.
 */
class CnnTrainingTest {

    private static List<Kernels> kernelsToCompare() {
        List<Kernels> all = new ArrayList<>(List.of(KernelsProvider.scalar()));
        KernelsProvider.vector().ifPresent(all::add);
        return all;
    }

    /** Trains {@code net} on {@code data} for {@code epochs} and returns its parameters. */
    private static float[] fit(Network net, Samples data, Kernels k, int threads, int epochs, int batch) {
        try (BatchScheduler s = new BatchScheduler(threads)) {
            new Trainer(net, new Adam(1e-3f, net.parameterCount()), k, s).fit(data, null, epochs, batch, 3, FitListener.NONE);
        }
        float[] p = net.parameters();
        for (float v : p) assertTrue(Float.isFinite(v), "finite weights");
        return p;
    }

    /**
     * The reference CNN on real digits: large enough that every layer splits its images, rows or windows
     * over the threads (the splits start at ~32k multiply-adds per chunk).
     */
    @Test
    void referenceCnnTrainsToTheSameBitsOnAnyThreadCountAndKernels() throws IOException {
        Samples data = MnistSmall.load("train").samples().head(72);
        float[] init = CnnGradientTest.reference(2).parameters(), reference = null;
        for (Kernels k : kernelsToCompare()) {
            for (int threads = 1; threads <= 3; threads++) {
                float[] p = fit(CnnGradientTest.reference(2), data, k, threads, 1, 32);
                if (reference == null) reference = p;
                else assertArrayEquals(reference, p, k.name() + ", " + threads + " threads");
            }
        }
        assertTrue(!Arrays.equals(init, reference), "training moved the weights");
    }

    /**
     * Odd shapes: three channels, a linear convolution, a pool of 3 that drops a row and a column, a batch
     * of 7 with a partial last one, a dense layer between the image layers and the softmax.
     */
    @Test
    void oddShapesTrainToTheSameBitsOnAnyThreadCountAndKernels() {
        Samples data = TestData.bands(40, 13 * 11 * 3, 3, 5);
        float[] reference = null;
        for (Kernels k : kernelsToCompare()) {
            for (int threads = 1; threads <= 3; threads++) {
                Network net = Network.builder(13, 11, 3).conv2d(5, 3, Activation.LINEAR).maxPool(3).conv2d(6, 2, Activation.RELU)
                        .dense(7, Activation.RELU).dense(3, Activation.SOFTMAX).build(4);
                float[] p = fit(net, data, k, threads, 2, 7);
                if (reference == null) reference = p;
                else assertArrayEquals(reference, p, k.name() + ", " + threads + " threads");
            }
        }
    }

    /** A training step (backward fused with the update, layer by layer) is exactly the gradient and then one Adam update. */
    @Test
    void stepEqualsGradientThenAdam() {
        Kernels k = KernelsProvider.get();
        Samples data = TestData.bands(30, 12 * 12 * 2, 5, 9);
        for (int threads : new int[] {1, 2}) {
            try (BatchScheduler s = new BatchScheduler(threads)) {
                TrainerTest.assertStepsAreGradientThenAdam(() -> CnnGradientTest.small(5), data, k, s);
            }
        }
    }

    /** Augmented images feed the convolutions as they feed dense layers: the same bits on any thread count. */
    @Test
    void augmentedTrainingGivesTheSameBitsOnAnyThreadCount() throws IOException {
        Samples data = MnistSmall.load("train").samples().head(64);
        Augmentation a = Augmentation.parse("affine,elastic,thickness");
        float[][] p = new float[3][];
        for (int threads = 1; threads <= 3; threads++) {
            Network net = CnnGradientTest.reference(6);
            try (BatchScheduler s = new BatchScheduler(threads)) {
                new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s).withAugmentation(a)
                        .fit(data, null, 1, 32, 3, FitListener.NONE); // the seed of fit(), below
            }
            p[threads - 1] = net.parameters();
        }
        assertArrayEquals(p[0], p[1], "1 vs 2 threads");
        assertArrayEquals(p[0], p[2], "1 vs 3 threads");
        assertTrue(!Arrays.equals(p[0], fit(CnnGradientTest.reference(6), data, KernelsProvider.get(), 1, 1, 32)),
                "augmentation changed what was trained");
        Network rgb = Network.builder(12, 12, 4).conv2d(2, 3, Activation.RELU).dense(2, Activation.SOFTMAX).build(1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = new Trainer(rgb, new Adam(1e-3f, rgb.parameterCount()), KernelsProvider.get(), s);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> t.withAugmentation(a));
            assertTrue(e.getMessage().contains("takes square one-channel images, but the network takes 12×12×4 images"),
                    e.getMessage());
        }
    }

    /** The convolutional warm-up leaves the network alone and changes no bit of the training that follows. */
    @Test
    void warmupLeavesCnnTrainingUnchanged() throws IOException {
        Samples data = MnistSmall.load("train").samples().head(64);
        float[] cold = fit(CnnGradientTest.reference(4), data, KernelsProvider.get(), 2, 1, 32);
        Network net = CnnGradientTest.reference(4);
        try (BatchScheduler s = new BatchScheduler(2)) {
            double seconds = Warmup.run(KernelsProvider.get(), s, net);
            assertTrue(seconds > 0 && seconds < 60, "warm-up took " + seconds + " s");
        }
        assertArrayEquals(CnnGradientTest.reference(4).parameters(), net.parameters(), "the warm-up trained a scratch network");
        assertArrayEquals(cold, fit(net, data, KernelsProvider.get(), 2, 1, 32), "a warmed-up JVM trains to the same bits");
    }

    /**
     * Five epochs of the reference CNN on the fixture's 1,000 training digits (160 steps): well above chance
     * (0.1) on its 200 test digits.
     */
    @Test
    void learnsRealDigits() throws IOException {
        Samples train = MnistSmall.load("train").samples(), test = MnistSmall.load("t10k").samples();
        Network net = CnnGradientTest.reference(1);
        try (BatchScheduler s = new BatchScheduler(2)) {
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            List<EpochResult> h = t.fit(train, test, 5, 32, 1, FitListener.NONE);
            assertTrue(h.get(4).loss() < h.get(0).loss() / 4, "loss falls: " + h);
            // 0.905 today (the same on every machine: the bits do not depend on threads or kernels)
            assertTrue(h.get(4).valAccuracy() > 0.88, "val accuracy " + h.get(4).valAccuracy());
            System.out.printf("reference CNN, 5 epochs of 1000 digits: val accuracy %.3f, last epoch %.2f s%n",
                    h.get(4).valAccuracy(), h.get(4).seconds());
        }
    }
}
