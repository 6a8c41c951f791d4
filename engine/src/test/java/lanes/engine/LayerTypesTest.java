package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The layer records check themselves, compute their output shapes, and the network chains them. */
class LayerTypesTest {

    static Conv2D conv(int k, int in, int out, int stride, Padding p) {
        return new Conv2D(k, k, in, out, stride, stride, p, Activation.RELU, new float[k * k * in * out], new float[out]);
    }

    @Test
    void shapesAreCheckedAndSized() {
        assertEquals(784, new Shape(28, 28, 1).size());
        assertTrue(Shape.vector(10).isVector());
        assertFalse(new Shape(2, 1, 3).isVector());
        assertThrows(IllegalArgumentException.class, () -> new Shape(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Shape(1 << 16, 1 << 16, 1)); // overflows int
    }

    @Test
    void samePaddingMatchesKerasAndOnnxSameUpper() {
        // 28 with k 5 s 1: total 4, 2 + 2. 28 with k 3 s 2: out 14, total (13·2 + 3 − 28) = 1: 0 before, 1 after.
        assertEquals(new Padding(2, 2, 2, 2), Padding.same(28, 28, 5, 5, 1, 1));
        assertEquals(new Padding(0, 0, 1, 1), Padding.same(28, 28, 3, 3, 2, 2));
        assertEquals(new Padding(1, 0, 1, 0), Padding.same(7, 8, 3, 1, 1, 1));
        assertEquals(Padding.VALID, Padding.same(4, 4, 2, 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Padding(-1, 0, 0, 0));
    }

    @Test
    void convAndPoolOutputShapesFollowTheFloorFormula() {
        Shape in = new Shape(28, 28, 1);
        assertEquals(new Shape(28, 28, 6), conv(5, 1, 6, 1, Padding.same(28, 28, 5, 5, 1, 1)).outputShape(in));
        assertEquals(new Shape(24, 24, 6), conv(5, 1, 6, 1, Padding.VALID).outputShape(in));
        assertEquals(new Shape(14, 14, 6), conv(3, 1, 6, 2, Padding.same(28, 28, 3, 3, 2, 2)).outputShape(in));
        assertEquals(new Shape(13, 13, 6), conv(3, 1, 6, 2, Padding.VALID).outputShape(in));
        assertEquals(new Shape(14, 14, 3), new MaxPool2D(2, 2, 2, 2, Padding.VALID).outputShape(new Shape(28, 28, 3)));
        assertEquals(new Shape(3, 3, 1), new MaxPool2D(3, 3, 2, 2, Padding.VALID).outputShape(new Shape(7, 8, 1)));
        var e = assertThrows(IllegalArgumentException.class, () -> conv(5, 2, 6, 1, Padding.VALID).outputShape(in));
        assertTrue(e.getMessage().contains("2 input channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv(5, 1, 6, 1, Padding.VALID).outputShape(new Shape(4, 9, 1)));
        assertTrue(e.getMessage().contains("height window of 5 does not fit an input of 4"), e.getMessage());
    }

    @Test
    void constructorsRefuseInconsistentLayers() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 3, 1, 2, 1, 1, Padding.VALID,
                Activation.RELU, new float[17], new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 3, 1, 2, 0, 1, Padding.VALID,
                Activation.RELU, new float[18], new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 3, 1, 2, 1, 1, null,
                Activation.RELU, new float[18], new float[2]));
        assertThrows(IllegalArgumentException.class, () -> conv(3, 1, 2, 1, new Padding(0, 3, 0, 0)));
        var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(2, 2, 2, 2, new Padding(0, 0, 2, 0)));
        assertTrue(e.getMessage().contains("smaller than the 2×2 window"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(new float[2], new float[2], new float[2],
                new float[3], 1e-3f));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(new float[1], new float[1], new float[1],
                new float[1], Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ActivationLayer(null));
        assertThrows(IllegalArgumentException.class, () -> new InputRange(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new InputRange(0, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Provenance("", "", ""));
        assertThrows(IllegalArgumentException.class, () -> new Provenance("onnx", "\ud800", ""));
        assertThrows(IllegalArgumentException.class, () -> new Reshape(new Shape(2, 2, 1)).outputShape(Shape.vector(5)));
    }

    @Test
    void arraysCompareByContent() {
        var a = conv(3, 1, 2, 1, Padding.VALID);
        var b = conv(3, 1, 2, 1, Padding.VALID);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.bias()[1] = -0f;
        assertNotEquals(a, b);
        var n1 = new BatchNorm(new float[] {1}, new float[] {0}, new float[] {0}, new float[] {1}, 1e-3f);
        var n2 = new BatchNorm(new float[] {1}, new float[] {0}, new float[] {0}, new float[] {1}, 1e-3f);
        assertEquals(n1, n2);
        assertEquals(4, n1.parameterCount());
    }

    @Test
    void weightsChainEveryLayerAndCheckLabels() {
        List<Layer> lenet = List.of(conv(5, 1, 6, 1, Padding.same(28, 28, 5, 5, 1, 1)),
                new MaxPool2D(2, 2, 2, 2, Padding.VALID), new Flatten(),
                new DenseWeights(14 * 14 * 6, 10, Activation.SOFTMAX, new float[14 * 14 * 6 * 10], new float[10]));
        var w = new Weights(new Shape(28, 28, 1), lenet, Metadata.unknown(), new InputRange(0, 255),
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), new Provenance("keras", "m.keras", "3.6.0"));
        assertEquals(Shape.vector(10), w.outputShape());
        assertEquals(784, w.inputSize());
        assertEquals(5 * 5 * 6 + 6 + 1176 * 10 + 10, w.parameterCount());
        assertEquals(Activation.SOFTMAX, w.outputActivation());
        assertFalse(w.isVersion1());
        var e = assertThrows(IllegalArgumentException.class, () -> new Weights(new Shape(28, 28, 1), lenet,
                Metadata.unknown(), InputRange.UNIT, List.of("a", "b"), Provenance.lanes()));
        assertTrue(e.getMessage().contains("one per output (10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Weights(new Shape(28, 28, 2), lenet,
                Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes()));
        assertTrue(e.getMessage().startsWith("layer 0 (Conv2D) does not fit the input 28×28×2"), e.getMessage());
        var v1 = new Weights(3, List.of(new DenseWeights(3, 2, Activation.RELU, new float[6], new float[2])),
                Metadata.unknown());
        assertTrue(v1.isVersion1());
        assertEquals(InputRange.UNIT, v1.inputRange());
        assertEquals(Provenance.lanes(), v1.provenance());
    }
}
