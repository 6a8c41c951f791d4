package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Augmentation inside fit: whole images per step, the same bits for any thread count, never in evaluation. */
class TrainerAugmentationTest {

    static final Augmentation ALL = Augmentation.parse("affine,elastic,thickness");
    static Samples train;

    @BeforeAll
    static void load() throws IOException {
        train = MnistSmall.load("train").samples().head(160);
    }

    private static Network net() {
        return Network.builder(784).dense(24, Activation.RELU).dense(10, Activation.SOFTMAX).build(3);
    }

    private static float[] fit(int threads, Augmentation a) {
        try (BatchScheduler s = new BatchScheduler(threads)) {
            Network net = net();
            new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s).withAugmentation(a)
                    .fit(train, null, 2, 32, 9, FitListener.NONE);
            return net.parameters();
        }
    }

    @Test
    void augmentedTrainingGivesTheSameBitsForAnyThreadCountAndOtherBitsThanPlain() {
        float[] one = fit(1, ALL);
        assertArrayEquals(one, fit(2, ALL), "1 vs 2 threads");
        assertArrayEquals(one, fit(3, ALL), "1 vs 3 threads");
        float[] plain = fit(2, Augmentation.NONE);
        assertFalse(java.util.Arrays.equals(one, plain), "augmentation changes training");
        try (BatchScheduler s = new BatchScheduler(2)) { // and NONE is training as it was
            Network net = net();
            new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s)
                    .fit(train, null, 2, 32, 9, FitListener.NONE);
            assertArrayEquals(plain, net.parameters(), "withAugmentation(NONE) vs no call");
        }
    }

    /** Each selected example's whole image is produced once, by whichever thread, into its row; fill leaves it. */
    @Test
    void theBatchHoldsEachExamplesWholeDistortedImage() {
        Kernels k = KernelsProvider.get();
        int[] order = {17, 3, 99, 42, 5, 150, 8, 0, 77};
        float[] want = new float[784];
        float[] scratch = new float[Augmentation.scratchSize(28, 28)];
        for (int threads : new int[] {1, 3}) {
            try (BatchScheduler s = new BatchScheduler(threads)) {
                Batch b = new Batch(net(), k, 8, true);
                b.augmentWith(ALL, 28, 28, 21, 4);
                b.select(train, order, 1, 7);
                b.augment(s, 7);
                b.fill(7, 0, 784);
                for (int r = 0; r < 7; r++) {
                    ALL.apply(train.pixels(), order[1 + r] * 784, 28, 28, want, 0, Augmentation.exampleSeed(21, 4, order[1 + r]), scratch);
                    assertArrayEquals(want, java.util.Arrays.copyOfRange(b.act[0], r * 784, (r + 1) * 784), threads + " threads, row " + r);
                }
            }
        }
    }

    @Test
    void evaluationNeverAugments() {
        try (BatchScheduler s = new BatchScheduler(1)) {
            Network net = net();
            Trainer plain = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            Trainer augmented = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s).withAugmentation(ALL);
            assertSame(ALL, augmented.augmentation());
            assertEquals(plain.evaluate(train).loss(), augmented.evaluate(train).loss(), 0.0);
        }
    }

    @Test
    void augmentationNeedsSquareImages() {
        try (BatchScheduler s = new BatchScheduler(1)) {
            Network net = Network.builder(48).dense(4, Activation.SOFTMAX).build(1);
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.withAugmentation(ALL));
            assertTrue(e.getMessage().contains("48 inputs"), e.getMessage());
            assertSame(t, t.withAugmentation(Augmentation.NONE), "none needs no shape");
        }
    }
}
