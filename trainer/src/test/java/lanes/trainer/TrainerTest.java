package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static Network small(long seed) {
        return Network.builder(48).dense(16, Activation.RELU).dense(4, Activation.SOFTMAX).build(seed);
    }

    @Test
    void backpropMatchesFiniteDifferences() {
        Kernels k = KernelsProvider.get();
        Samples data = TestData.bands(20, 48, 4, 3);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Network net = small(11);
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), k, s);
            float[] grad = new float[net.parameterCount()];
            t.gradient(data, grad);
            float h = 1e-3f;
            int[] checkedBad = centralDifferences(net, t, data, grad, h, 7);
            int checked = checkedBad[0], bad = checkedBad[1];
            assertTrue(checked > 100, "checked " + checked);
            assertTrue(bad <= checked / 50, bad + " of " + checked + " gradients disagree with finite differences");
        }
    }

    /**
     * A training step fuses the first layer's gradient with Adam, splits it into row blocks, and has each
     * thread convert its own pixels: it must still be exactly "gradient of the batch, then one Adam update".
     */
    @Test
    void fusedStepEqualsGradientThenAdam() {
        Kernels k = KernelsProvider.get();
        Samples data = TestData.bands(40, 784, 10, 9);
        for (int threads : new int[] {1, 2, 3}) {
            try (BatchScheduler s = new BatchScheduler(threads)) {
                Network fused = assertStepsAreGradientThenAdam(
                        () -> Network.builder(784).dense(72, Activation.RELU).dense(10, Activation.SOFTMAX).build(5), data, k, s);
                assertTrue(!java.util.Arrays.equals(fused.parameters(),
                        Network.builder(784).dense(72, Activation.RELU).dense(10, Activation.SOFTMAX).build(5).parameters()));
            }
        }
    }

    private static Samples slice(Samples s, int from, int n) {
        int f = s.features();
        return new Samples(java.util.Arrays.copyOfRange(s.pixels(), from * f, (from + n) * f),
                java.util.Arrays.copyOfRange(s.labels(), from, from + n), n, f);
    }

    @Test
    void warmupLeavesTrainingUnchanged() {
        Samples train = TestData.bands(100, 784, 10, 5);
        float[] cold = trainWith(2, train);
        try (BatchScheduler s = new BatchScheduler(2)) {
            double seconds = Warmup.run(KernelsProvider.get(), s);
            assertTrue(seconds > 0 && seconds < 60, "warm-up took " + seconds + " s");
        }
        assertArrayEquals(cold, trainWith(2, train), "a warmed-up JVM trains to the same bits");
    }

    /**
     * Every kernel a training step uses computes the same IEEE operations in the same order in both
     * implementations, so a machine without the Vector API trains to the same bits, only slower.
     */
    @Test
    void scalarAndVectorKernelsTrainToTheSameBits() {
        java.util.Optional<Kernels> vector = KernelsProvider.vector();
        org.junit.jupiter.api.Assumptions.assumeTrue(vector.isPresent(), "no Vector API in this run: nothing to compare");
        Samples train = TestData.bands(200, 784, 10, 6), val = TestData.bands(50, 784, 10, 4);
        float[][] params = new float[2][];
        double[] valLoss = new double[2];
        Kernels[] kernels = {KernelsProvider.scalar(), vector.get()};
        for (int i = 0; i < 2; i++) {
            try (BatchScheduler s = new BatchScheduler(2)) {
                Network net = Network.builder(784).dense(40, Activation.RELU).dense(10, Activation.SOFTMAX).build(3);
                Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), kernels[i], s);
                valLoss[i] = t.fit(train, val, 2, 32, 3, FitListener.NONE).get(1).valLoss();
                params[i] = net.parameters();
            }
        }
        assertArrayEquals(params[0], params[1], "scalar vs vector weights");
        assertEquals(valLoss[0], valLoss[1], 0.0, "scalar vs vector validation loss");
    }

    /**
     * Odd shapes through the blocked, fused step: a single input (an empty row block), widths that are
     * no multiple of 4 or 16, batches with a partial 4-row tile and a partial last batch; every thread
     * count and both kernel implementations must give the same bits.
     */
    @Test
    void oddShapesTrainToTheSameBitsOnAnyThreadCountAndKernels() {
        int[][] shapes = {{1, 3, 1, 5}, {5, 17, 7, 30}, {33, 130, 13, 50}};  // inputs, hidden, batch, examples
        for (int[] sh : shapes) {
            Samples train = TestData.bands(sh[3], sh[0], 3, sh[0]);
            float[] reference = null;
            for (Kernels k : kernelsToCompare()) {
                for (int threads = 1; threads <= 3; threads++) {
                    try (BatchScheduler s = new BatchScheduler(threads)) {
                        Network net = Network.builder(sh[0]).dense(sh[1], Activation.RELU).dense(3, Activation.SOFTMAX).build(7);
                        new Trainer(net, new Adam(1e-2f, net.parameterCount()), k, s).fit(train, train, 2, sh[2], 7, FitListener.NONE);
                        float[] p = net.parameters();
                        for (float v : p) assertTrue(Float.isFinite(v), "finite weights");
                        if (reference == null) reference = p;
                        else assertArrayEquals(reference, p, java.util.Arrays.toString(sh) + " " + k.name() + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    private static List<Kernels> kernelsToCompare() {
        List<Kernels> all = new java.util.ArrayList<>(List.of(KernelsProvider.scalar()));
        KernelsProvider.vector().ifPresent(all::add);
        return all;
    }

    @Test
    void sameSeedGivesBitIdenticalWeightsForOneAndTwoThreads() {
        Samples train = TestData.bands(300, 784, 10, 5);
        float[] one = trainWith(1, train), two = trainWith(2, train), three = trainWith(3, train);
        assertArrayEquals(one, two, "1 vs 2 threads");
        assertArrayEquals(one, three, "1 vs 3 threads");
        // and training did move the weights
        float[] init = Network.builder(784).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).build(1).parameters();
        assertTrue(!java.util.Arrays.equals(init, one));
    }

    private static float[] trainWith(int threads, Samples train) {
        try (BatchScheduler s = new BatchScheduler(threads)) {
            Network net = Network.builder(784).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            t.fit(train, null, 2, 32, 1, FitListener.NONE);
            return net.parameters();
        }
    }

    @Test
    void learnsASeparableProblemAndValidatesEachEpoch() {
        Samples train = TestData.bands(2000, 784, 10, 7), val = TestData.bands(500, 784, 10, 8);
        try (BatchScheduler s = new BatchScheduler(2)) {
            Network net = Network.builder(784).dense(32, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            double before = t.evaluate(val).accuracy();
            List<EpochResult> h = t.fit(train, val, 3, 32, 1, FitListener.NONE);
            assertEquals(3, h.size());
            assertEquals(63, h.get(0).steps(), "2000/32 rounds up: the last partial batch counts");
            assertEquals(2000, h.get(0).samples());
            assertTrue(h.get(2).loss() < h.get(0).loss(), "loss falls");
            assertTrue(h.get(2).valAccuracy() > 0.95, "val accuracy " + h.get(2).valAccuracy() + " (before: " + before + ")");
            assertEquals(t.evaluate(val).accuracy(), h.get(2).valAccuracy(), 0.0);
        }
    }

    @Test
    void aBatchLargerThanTheDataIsOneBatchOfAllOfItEvenNearIntMax() {
        // The step count was (count + batch - 1) / batch in int: a batch near Integer.MAX_VALUE overflowed it
        // to -1 steps (nothing trained, NaN loss) or divided by zero.
        Samples train = TestData.bands(40, 48, 4, 3);
        float[] whole = fitWithBatch(train, train.count());
        for (int batch : new int[] {train.count() + 1, Integer.MAX_VALUE - 1000, Integer.MAX_VALUE}) {
            Network net = small(1);
            try (BatchScheduler s = new BatchScheduler(1)) {
                Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
                List<EpochResult> h = t.fit(train, null, 2, batch, 1, FitListener.NONE);
                assertEquals(1, h.get(0).steps(), "batch " + batch);
                assertEquals(train.count(), h.get(0).samples(), "batch " + batch);
                assertTrue(Double.isFinite(h.get(1).loss()), "batch " + batch);
            }
            assertArrayEquals(whole, fitWithBatch(train, batch), "batch " + batch);
        }
        assertTrue(!java.util.Arrays.equals(small(1).parameters(), whole), "training moved the weights");
    }

    private static float[] fitWithBatch(Samples train, int batch) {
        Network net = small(1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s)
                    .fit(train, null, 2, batch, 1, FitListener.NONE);
        }
        return net.parameters();
    }

    @Test
    void rejectsMismatchedData() {
        Network net = small(1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            Samples wrongWidth = TestData.bands(10, 40, 4, 1);
            assertThrows(IllegalArgumentException.class, () -> t.fit(wrongWidth, null, 1, 4, 1, FitListener.NONE));
            Samples tooManyClasses = TestData.bands(40, 48, 8, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.fit(tooManyClasses, null, 1, 4, 1, FitListener.NONE));
            assertTrue(e.getMessage().contains("classes"), e.getMessage());
        }
        assertThrows(IllegalStateException.class,
                () -> Network.builder(4).dense(3, Activation.SOFTMAX).dense(2, Activation.SOFTMAX).build(1));
    }

    @Test
    void progressPrintsOneKerasLinePerEpochOffTerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KerasProgress p = new KerasProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.epochStart(3, 10, 1875);
        for (int i = 1; i <= 1875; i++) p.stepEnd(3, i, 1875, 0.3, 0.9, i * 50_000L);
        p.epochEnd(new EpochResult(3, 10, 1875, 60000, 0.18375, 0.2577, 0.925, 0.1379, 0.9584));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, bytes.toString(StandardCharsets.UTF_8));
        assertEquals("Epoch 3/10", lines[0]);
        assertEquals("1875/1875 [==============================] - 0s 98us/step - loss: 0.2577 - "
                + "sparse_categorical_accuracy: 0.9250 - val_loss: 0.1379 - val_sparse_categorical_accuracy: 0.9584", lines[1]);
        assertEquals("[==============>...............]", KerasProgress.bar(15, 30));
        assertEquals("[..............................]", KerasProgress.bar(0, 30));
        assertEquals("  7/100", KerasProgress.counter(7, 100));
    }

    /**
     * Three training steps of batch 10 on one network of {@code make}, against the gradient of each batch
     * then one Adam update on another: the parameters must agree bit for bit after every step. Returns the
     * trained network.
     */
    static Network assertStepsAreGradientThenAdam(java.util.function.Supplier<Network> make, Samples data, Kernels k,
                                                  BatchScheduler s) {
        Network fused = make.get(), plain = make.get();
        Trainer tf = new Trainer(fused, new Adam(1e-3f, fused.parameterCount()), k, s);
        Adam adam = new Adam(1e-3f, plain.parameterCount());
        Trainer tp = new Trainer(plain, adam, k, s);
        float[] grad = new float[plain.parameterCount()];
        for (int step = 0; step < 3; step++) {
            int from = step * 10;
            tf.trainBatch(data, from, 10);
            tp.gradient(slice(data, from, 10), grad);
            adam.update(k, s, plain.params, grad);
            assertArrayEquals(plain.parameters(), fused.parameters(), s.threads() + " threads, step " + (step + 1));
        }
        return fused;
    }

    /**
     * Central differences of the trainer's float loss for every {@code stride}-th parameter against
     * {@code grad}: {checked, disagreeing}. A ReLU kink inside [p-h, p+h] legitimately breaks the central
     * difference for a few entries, so callers allow a small share.
     */
    static int[] centralDifferences(Network net, Trainer t, Samples data, float[] grad, float h, int stride) {
        int checked = 0, bad = 0;
        for (int i = 0; i < net.params.length; i += stride) {
            float keep = net.params[i];
            net.params[i] = keep + h;
            double up = t.evaluate(data).loss();
            net.params[i] = keep - h;
            double down = t.evaluate(data).loss();
            net.params[i] = keep;
            double numeric = (up - down) / (2 * h);
            checked++;
            if (Math.abs(numeric - grad[i]) > 2e-3 + 2e-2 * Math.abs(numeric)) bad++;
        }
        return new int[] {checked, bad};
    }
}
