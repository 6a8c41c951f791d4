package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightsTest {

    private static DenseWeights dense(int in, int units) {
        return new DenseWeights(in, units, Activation.RELU, new float[in * units], new float[units]);
    }

    @Test
    void activationCodesAreStable() {
        assertEquals(0, Activation.LINEAR.code());
        assertEquals(1, Activation.RELU.code());
        assertEquals(2, Activation.SOFTMAX.code());
        for (Activation a : Activation.values()) assertEquals(a, Activation.ofCode(a.code()));
        assertEquals(3, Activation.SIGMOID.code());
        assertEquals(4, Activation.TANH.code());
        assertThrows(IllegalArgumentException.class, () -> Activation.ofCode(5));
        assertThrows(IllegalArgumentException.class, () -> Activation.ofCode(-1));
    }

    @Test
    void denseWeightsRejectsMismatchedArrays() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(3, 2, Activation.RELU, new float[5], new float[2]));
        assertTrue(e.getMessage().contains("3 × 2 = 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(3, 2, Activation.RELU, new float[6], new float[3]));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(0, 2, Activation.RELU, new float[0], new float[2]));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(3, 0, Activation.RELU, new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(3, 2, null, new float[6], new float[2]));
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(3, 2, Activation.RELU, null, new float[2]));
        // inputs × units overflows int: must be caught, not wrap around to a small size.
        assertThrows(IllegalArgumentException.class,
                () -> new DenseWeights(1 << 16, 1 << 16, Activation.RELU, new float[0], new float[1 << 16]));
    }

    @Test
    void denseWeightsCompareContentsBitExactly() {
        var a = new DenseWeights(1, 2, Activation.LINEAR, new float[] {1, Float.NaN}, new float[] {0f, 2});
        var b = new DenseWeights(1, 2, Activation.LINEAR, new float[] {1, Float.NaN}, new float[] {0f, 2});
        var c = new DenseWeights(1, 2, Activation.LINEAR, new float[] {1, Float.NaN}, new float[] {-0f, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertEquals(4, a.parameterCount());
    }

    @Test
    void weightsChecksTheLayerChain() {
        var m = Metadata.unknown();
        var e = assertThrows(IllegalArgumentException.class, () -> new Weights(4, List.of(dense(3, 2)), m));
        assertTrue(e.getMessage().contains("layer 0 (Dense) does not fit the input 4: Dense takes 3 inputs, gets 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Weights(3, List.of(dense(3, 2), dense(5, 1)), m));
        assertTrue(e.getMessage().contains("layer 1 (Dense) does not fit layer 0's output 2: Dense takes 5 inputs, gets 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Weights(3, List.of(), m));
        assertThrows(IllegalArgumentException.class, () -> new Weights(0, List.of(dense(3, 2)), m));
        assertThrows(IllegalArgumentException.class, () -> new Weights(3, List.of(dense(3, 2)), null));
        var w = new Weights(3, List.of(dense(3, 2), dense(2, 7)), m);
        assertEquals(7, w.outputSize());
        assertEquals(3 * 2 + 2 + 2 * 7 + 7, w.parameterCount());
    }

    @Test
    void weightsCopiesTheLayerList() {
        List<DenseWeights> layers = new ArrayList<>(List.of(dense(3, 2)));
        var w = new Weights(3, layers, Metadata.unknown());
        layers.add(dense(2, 2));
        assertEquals(1, w.layers().size());
        assertThrows(UnsupportedOperationException.class, () -> w.layers().add(dense(2, 2)));
    }

    @Test
    void metadataValidatesAndKeepsMilliseconds() {
        var created = Instant.parse("2024-05-06T07:08:09.123456789Z");
        var m = new Metadata("mnist", 12, 0.98, created);
        assertEquals(Instant.parse("2024-05-06T07:08:09.123Z"), m.created());
        new Metadata("", 0, Double.NaN, Instant.EPOCH);
        new Metadata("x".repeat(Metadata.MAX_DATASET_BYTES), 0, 1.0, Instant.EPOCH);
        assertThrows(IllegalArgumentException.class,
                () -> new Metadata("é".repeat(Metadata.MAX_DATASET_BYTES / 2 + 1), 0, 0, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("bad \uD800", 0, 0, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata(null, 0, 0, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("", -1, 0, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("", 0, 1.5, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("", 0, -0.1, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class,
                () -> new Metadata("", 0, Double.POSITIVE_INFINITY, Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("", 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new Metadata("", 0, 0, Instant.MAX));
    }
}
