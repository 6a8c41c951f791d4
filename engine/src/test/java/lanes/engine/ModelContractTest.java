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

    /** Bytes allocated by all threads per request, each request on a new virtual thread. */
    private static long perRequest(Runnable task) throws InterruptedException {
        int requests = 200;
        long before = THREADS.getTotalThreadAllocatedBytes();
        for (int i = 0; i < requests; i++) Thread.ofVirtual().start(task).join();
        return (THREADS.getTotalThreadAllocatedBytes() - before) / requests;
    }
}
