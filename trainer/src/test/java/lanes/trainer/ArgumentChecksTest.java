package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The trainer's public methods refuse bad arguments at the call, with a message that names the argument
 * and the problem, rather than failing deep inside (an array size, an index, a kernel) or much later.
 */
class ArgumentChecksTest {

    private static Network small() {
        return Network.builder(48).dense(16, Activation.RELU).dense(4, Activation.SOFTMAX).build(1);
    }

    private static Trainer trainer(Network net, BatchScheduler s) {
        return new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
    }

    private static void assertRefused(String fragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static void assertNullNamed(String name, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(name), e.getMessage());
    }

    @Test
    void aNetworkIsRefusedWhenItsParametersWouldNotFitInAnArray() {
        // in × units was multiplied in int: 65536 × 65536 + 65536 wrapped to 65536 parameters, and 50000 × 50000
        // to a negative array size in build().
        assertRefused("4295032832 parameters", () -> Network.builder(65536).dense(65536, Activation.SOFTMAX));
        assertRefused("2500050000 parameters", () -> Network.builder(50000).dense(50000, Activation.SOFTMAX));
        // Each layer fits, the two together do not.
        assertRefused("brings the network to 2400070000 parameters",
                () -> Network.builder(40000).dense(30000, Activation.RELU).dense(40000, Activation.SOFTMAX));
        // The limit itself is accepted (not built here: that would be an 8 GB array).
        int units = Network.MAX_PARAMETERS / 2;
        assertDoesNotThrow(() -> Network.builder(1).dense(units, Activation.SOFTMAX));
        assertRefused("parameters", () -> Network.builder(1).dense(units + 1, Activation.SOFTMAX));
        assertNullNamed("weights", () -> Network.fromWeights(null));
    }

    @Test
    void theTrainerRefusesWhatItCannotTrainRatherThanTrainingSomethingElse() {
        // The engine runs sigmoid and tanh; the trainer's backward pass knows relu, linear and softmax only,
        // and would otherwise train a sigmoid layer as if it were linear.
        assertRefused("the trainer trains relu, linear and softmax layers, not SIGMOID",
                () -> Network.builder(4).dense(3, Activation.SIGMOID));
        var cnn = new lanes.engine.Weights(new lanes.engine.Shape(3, 3, 1), java.util.List.of(new lanes.engine.Flatten(),
                new lanes.engine.DenseWeights(9, 2, Activation.SOFTMAX, new float[18], new float[2])),
                lanes.engine.Metadata.unknown(), lanes.engine.InputRange.UNIT, java.util.List.of(),
                lanes.engine.Provenance.lanes());
        // An image input is trained now; an input range other than [0, 1] still is not.
        org.junit.jupiter.api.Assertions.assertEquals(20, Network.fromWeights(cnn).parameterCount());
        var scaled = new lanes.engine.Weights(cnn.inputShape(), cnn.layers(), cnn.metadata(),
                new lanes.engine.InputRange(0f, 255f), java.util.List.of(), lanes.engine.Provenance.lanes());
        assertRefused("the trainer takes inputs in [0, 1], the weights take 3×3×1", () -> Network.fromWeights(scaled));
    }

    @Test
    void theTrainerTakesOnlyAnAdamSizedForItsNetwork() {
        Network net = small();
        Kernels k = KernelsProvider.get();
        try (BatchScheduler s = new BatchScheduler(1)) {
            // Too small failed at the first step inside the kernels ("m is too short"); too large was accepted.
            for (int size : new int[] {5, net.parameterCount() + 1, 5000}) {
                assertRefused("adam is sized for " + size + " parameters but the network has " + net.parameterCount(),
                        () -> new Trainer(net, new Adam(1e-3f, size), k, s));
            }
            assertNullNamed("net", () -> new Trainer(null, new Adam(1e-3f, 1), k, s));
            assertNullNamed("adam", () -> new Trainer(net, null, k, s));
            assertNullNamed("kernels", () -> new Trainer(net, new Adam(1e-3f, net.parameterCount()), null, s));
            assertNullNamed("scheduler", () -> new Trainer(net, new Adam(1e-3f, net.parameterCount()), k, null));
        }
        assertRefused("parameters must be >= 0, got -1", () -> new Adam(1e-3f, -1));
        assertRefused("learning rate", () -> new Adam(Float.NaN, 1));
        assertEquals(7, new Adam(1e-3f, 7).parameterCount());
    }

    @Test
    void aBadBatchOrAMissingArgumentIsRefusedBeforeAnyWeightMoves() {
        Network net = small();
        Samples data = TestData.bands(10, 48, 4, 1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = trainer(net, s);
            // from + rows wrapped negative and passed the range check, into an ArrayIndexOutOfBoundsException.
            assertRefused("batch [2147483647, 2147483649) is outside the 10 examples",
                    () -> t.trainBatch(data, Integer.MAX_VALUE, 2));
            assertRefused("batch [2, 2147483649) is outside", () -> t.trainBatch(data, 2, Integer.MAX_VALUE));
            assertNullNamed("data", () -> t.trainBatch(null, 0, 1));
            assertNullNamed("data", () -> t.evaluate(null));
            assertNullNamed("train", () -> t.fit(null, null, 1, 1, 1, FitListener.NONE));
            // It failed at the first callback, after the epoch's setup.
            assertNullNamed("listener", () -> t.fit(data, null, 1, 1, 1, null));
            assertArrayEquals(small().parameters(), net.parameters(), "no refused call moved a weight");

            // What Samples documents: labels are checked once per Samples, and the kernels' own check stops a
            // step whose batch holds a label changed since, before the update.
            t.trainBatch(data, 0, 2);
            float[] before = net.parameters();
            data.labels()[3] = (byte) 200;
            assertRefused("= 200 is not a class", () -> t.trainBatch(data, 2, 2));
            assertArrayEquals(before, net.parameters(), "a step refused for a changed label moved a weight");
        }
    }

    @Test
    void aBatchWhoseActivationsWouldNotFitInAnArrayIsRefused() {
        // 65536 rows × 32768 units = 2^31 activations: the buffer's size wrapped to a negative int.
        Network net = Network.builder(1).dense(1 << 15, Activation.RELU).dense(2, Activation.SOFTMAX).build(1);
        int count = 1 << 16;
        Samples data = new Samples(new byte[count], new byte[count], count, 1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = trainer(net, s);
            assertRefused("use a batch of at most 32767 examples",
                    () -> t.fit(data, null, 1, count, 1, FitListener.NONE));
            assertRefused("use a batch of at most 32767 examples", () -> t.trainBatch(data, 0, count));
        }
    }

    @Test
    void samplesAndTheHelpersNameWhatIsMissing() {
        Samples data = TestData.bands(10, 48, 4, 1);
        assertRefused("n must be >= 0, got -1", () -> data.head(-1));
        assertEquals(0, data.head(0).count());
        assertNullNamed("pixels", () -> new Samples(null, new byte[1], 1, 1));
        assertNullNamed("labels", () -> new Samples(new byte[1], null, 1, 1));
        assertNullNamed("out", () -> new KerasProgress(null, false));
        try (BatchScheduler s = new BatchScheduler(1)) {
            assertNullNamed("kernels", () -> Warmup.run(null, s));
        }
        assertNullNamed("scheduler", () -> Warmup.run(KernelsProvider.get(), null));
    }
}
