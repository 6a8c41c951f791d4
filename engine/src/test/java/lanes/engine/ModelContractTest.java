package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What a service author is promised: a model its weights cannot change, and no allocation on any thread. */
class ModelContractTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    @Test
    void changingTheWeightsAModelReturnsChangesNoAnswer() {
        // A Dense chain (the arrays were taken over as they were), a LeNet (Conv2D arrays likewise) and a
        // BatchNorm network with an input range (folded arrays, and the unfolded affine op).
        for (Weights w : new Weights[] {TestNetworks.validFirst(3), TestNetworks.lenet(4),
                TestNetworks.bnStride2(5, new InputRange(-1, 1))}) {
            Model m = Model.of(w, KernelsProvider.get());
            float[] x = TestNetworks.input(6, m.inputSize());
            float[] before = new float[m.outputs()], after = new float[m.outputs()];
            m.predict(x, before);
            int changed = 0;
            for (Layer layer : m.weights().layers()) {
                float[][] arrays = switch (layer) {
                    case DenseWeights d -> new float[][] {d.kernel(), d.bias()};
                    case Conv2D c -> new float[][] {c.kernel(), c.bias()};
                    case BatchNorm b -> new float[][] {b.gamma(), b.beta(), b.mean(), b.variance()};
                    default -> new float[0][];
                };
                for (float[] a : arrays) {
                    for (int i = 0; i < a.length; i++) a[i] = a[i] * 1.5f + 0.25f;
                    changed++;
                }
            }
            assertTrue(changed >= 2, "the network has arrays to change");
            m.predict(x, after);
            assertArrayEquals(before, after, "predictions after the weights were overwritten");
            // The same weights, now changed, do give other answers: the test could see a change.
            float[] fresh = new float[m.outputs()];
            Model.of(m.weights(), KernelsProvider.get()).predict(x, fresh);
            assertNotEquals(Arrays.toString(before), Arrays.toString(fresh), "a model of the changed weights");
        }
    }

    @Test
    void theCallersWeightsCanChangeAfterTheModelIsBuilt() {
        Weights w = TestNetworks.lenet(7);
        Model m = Model.of(w, KernelsProvider.get());
        float[] x = TestNetworks.input(8, m.inputSize()), before = new float[m.outputs()], after = new float[m.outputs()];
        int label = m.predict(x, before);
        Conv2D first = (Conv2D) w.layers().get(0);
        first.bias()[0] = 1e6f;
        first.kernel()[0] = -1e6f;
        assertEquals(label, m.predict(x, after));
        assertArrayEquals(before, after);
    }

    @Test
    void aVirtualThreadPerRequestAllocatesNothingBeyondTheThread() throws InterruptedException {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counter here");
        Model mlp = Model.of(TestWeights.model(3, new Metadata("", 0, Double.NaN, java.time.Instant.EPOCH), 784,
                Activation.SOFTMAX, 200, 10), KernelsProvider.get());
        Model lenet = Model.of(TestNetworks.lenet(1), KernelsProvider.get());
        float[] x = TestNetworks.input(2, 784), p = new float[10];
        long[] sink = new long[1];
        // Model.predict on the thread's borrowed scratch, and a Predictor made for the request.
        Runnable viaModel = () -> sink[0] += mlp.predict(x, p) + lenet.predict(x);
        Runnable viaPredictor = () -> sink[0] += mlp.newPredictor().predict(x, p);
        for (int i = 0; i < 20_000; i++) {
            viaModel.run();
            viaPredictor.run();
        }
        // A virtual thread reports no allocation of its own: count every thread's, and take away what starting
        // and joining an empty virtual thread costs; the least of a few rounds (the JVM allocates meanwhile).
        long model = Long.MAX_VALUE;
        for (int round = 0; round < 20 && model > 64; round++) model = Math.min(model, perRequest(viaModel) - perRequest(() -> {}));
        assertTrue(model <= 64, KernelsProvider.get() + ": Model.predict on a virtual thread per request allocated "
                + model + " bytes more than an empty thread (labels " + sink[0] + ")");
        // A Predictor per request allocates itself and its scratch: bounded by the model's buffers, not
        // by a per-thread cache growing behind it.
        long predictor = Long.MAX_VALUE;
        for (int round = 0; round < 20 && predictor > 4096; round++) {
            predictor = Math.min(predictor, perRequest(viaPredictor) - perRequest(() -> {}));
        }
        assertTrue(predictor <= 4096, "a Predictor per virtual thread allocated " + predictor + " bytes per request");
    }

    @Test
    void aPredictorOnAVirtualThreadAllocatesNothingPerCall() throws InterruptedException {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counter here");
        Model lenet = Model.of(TestNetworks.lenet(1), KernelsProvider.get());
        Predictor own = lenet.newPredictor();
        float[] x = TestNetworks.input(2, 784);
        long[] sink = new long[1];
        for (int i = 0; i < 3_000; i++) sink[0] += own.predict(x);
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 20 && least > 64; round++) {
            least = Math.min(least, perRequest(() -> { for (int i = 0; i < 20; i++) sink[0] += own.predict(x); })
                    - perRequest(() -> {}));
        }
        assertTrue(least <= 64, "20 predictions of an owned Predictor on a virtual thread allocated " + least + " bytes");
    }

    @Test
    void theInputCheckNamesTheFirstValueOutsideTheUnitRange() {
        Model plain = Model.loadDefault();
        Model checked = plain.withInputCheck();
        assertTrue(checked.checksInputs() && !plain.checksInputs());
        float[] x = TestNetworks.input(9, 784);
        for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]) % 1f;
        assertEquals(plain.predict(x), checked.predict(x), "valid input: the same answer");
        float[] raw = x.clone();
        raw[100] = 255f;
        raw[200] = -1f;
        plain.predict(raw); // unchecked: a class, as before
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> checked.predict(raw));
        assertTrue(e.getMessage().contains("index 100") && e.getMessage().contains("255.0")
                && e.getMessage().contains("[0, 1]"), e.getMessage());
        float[] nan = x.clone();
        nan[5] = Float.NaN;
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> checked.newPredictor().predict(nan, new float[10]));
        assertTrue(e.getMessage().contains("index 5") && e.getMessage().contains("NaN"), e.getMessage());
        // In a batch every image is checked before anything runs: nothing is written.
        float[] batch = new float[3 * 784];
        System.arraycopy(x, 0, batch, 0, 784);
        System.arraycopy(raw, 0, batch, 2 * 784, 784);
        int[] labels = {-7, -7, -7};
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> checked.predictBatch(batch, 3, labels, null));
        assertTrue(e.getMessage().contains("image 2") && e.getMessage().contains("index 100"), e.getMessage());
        assertArrayEquals(new int[] {-7, -7, -7}, labels, "labels written before the error");
    }

    @Test
    void toStringAndKernelsNameWhatRuns() {
        Model m = Model.of(TestNetworks.bnStride2(5, new InputRange(-1, 1)), lanes.kernels.KernelsProvider.scalar());
        assertEquals(lanes.kernels.KernelsProvider.scalar().name(), m.kernels());
        String s = m.toString();
        for (String part : new String[] {"memory", m.inputShape().toString(), "Conv2D", m.outputs() + " outputs",
                "[-1.0, 1.0]", m.kernels(), "labels"}) {
            assertTrue(s.contains(part), part + " missing from " + s);
        }
        Model d = Model.loadDefault();
        assertTrue(d.toString().contains(Model.DEFAULT_RESOURCE) && d.toString().contains("Dense"), d.toString());
    }

    @Test
    void batchesOfArraysGiveTheLabelsAndProbabilitiesOfSinglePredictions() {
        Model m = Model.of(TestNetworks.lenet(11), KernelsProvider.get());
        float[][] xs = new float[70][];
        for (int i = 0; i < xs.length; i++) xs[i] = TestNetworks.input(100 + i, m.inputSize());
        float[][] p = new float[70][m.outputs()];
        int[] labels = m.predictBatch(xs, p), plain = m.predictBatch(xs);
        float[] one = new float[m.outputs()];
        for (int i = 0; i < xs.length; i++) {
            assertEquals(m.predict(xs[i], one), labels[i], "image " + i);
            assertEquals(labels[i], plain[i]);
            assertArrayEquals(one, p[i], "probabilities of image " + i);
        }
        // A wrong-length image anywhere: nothing runs, nothing is written.
        float[][] bad = xs.clone();
        bad[69] = new float[3];
        float[][] untouched = new float[70][m.outputs()];
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.predictBatch(bad, untouched));
        assertTrue(e.getMessage().contains("image 69"), e.getMessage());
        for (float[] row : untouched) assertArrayEquals(new float[m.outputs()], row);
    }

    /** Bytes allocated by all threads per request, each request on a new virtual thread. */
    private static long perRequest(Runnable task) throws InterruptedException {
        int requests = 200;
        long before = THREADS.getTotalThreadAllocatedBytes();
        for (int i = 0; i < requests; i++) Thread.ofVirtual().start(task).join();
        return (THREADS.getTotalThreadAllocatedBytes() - before) / requests;
    }
}
