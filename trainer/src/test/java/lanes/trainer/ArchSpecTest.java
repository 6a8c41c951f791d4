package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import lanes.engine.Activation;
import lanes.trainer.ArchSpec.Conv2dLayer;
import lanes.trainer.ArchSpec.DenseLayer;
import lanes.trainer.ArchSpec.FlattenLayer;
import lanes.trainer.ArchSpec.MaxPoolLayer;
import org.junit.jupiter.api.Test;

class ArchSpecTest {

    @Test
    void theDefaultIsTodaysModel() {
        ArchSpec spec = ArchSpec.parse(ArchSpec.DEFAULT);
        assertEquals(ArchSpec.mlp(128, 10), spec);
        assertEquals(ArchSpec.DEFAULT, spec.toString());
        assertEquals(10, spec.classes());
        assertFalse(spec.needsImage());
        Network net = spec.build(28, 28, 3);
        assertEquals(784, net.inputSize());
        assertArrayEquals(Network.builder(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX).build(3).parameters(),
                net.parameters(), "the same layers drawn from the same seed");
    }

    @Test
    void parsesAConvNetAndEverySpelling() {
        ArchSpec lenet = ArchSpec.parse("conv2d(16,5,relu) maxpool(2) conv2d(32,5,relu) maxpool2d(2) flatten dense(10,softmax)");
        assertEquals(List.of(new Conv2dLayer(16, 5, Activation.RELU), new MaxPoolLayer(2), new Conv2dLayer(32, 5, Activation.RELU),
                new MaxPoolLayer(2), new FlattenLayer(), new DenseLayer(10, Activation.SOFTMAX)), lenet.layers());
        assertTrue(lenet.needsImage());
        assertEquals(lenet, ArchSpec.parse(lenet.toString()), "the canonical spelling reads back");
        assertEquals("conv2d(16,5,relu) maxpool(2) conv2d(32,5,relu) maxpool(2) flatten dense(10,softmax)", lenet.toString());

        ArchSpec loose = ArchSpec.parse("  Conv2D( 8 , 3 , ReLU )\tMaxPool(2)\n flatten() dense(64) DENSE(10, Softmax) ");
        assertEquals(List.of(new Conv2dLayer(8, 3, Activation.RELU), new MaxPoolLayer(2), new FlattenLayer(),
                new DenseLayer(64, Activation.LINEAR), new DenseLayer(10, Activation.SOFTMAX)), loose.layers());
        assertEquals(new Conv2dLayer(4, 3, Activation.LINEAR), ArchSpec.parse("conv2d(4,3) dense(2,softmax)").layers().get(0),
                "an omitted activation is linear, as in Keras");
        assertEquals(List.of(new DenseLayer(3, Activation.SOFTMAX)), ArchSpec.parse("dense(3,softmax)").layers());
    }

    @Test
    void refusesBadSpecsNamingTheLayerItsColumnAndTheForms() {
        String[][] cases = { // spec, expected part of the message
                {"dense(128,relu),dense(10,softmax)", "layer 1 'dense(128,relu),dense(10,softmax)' (column 1): layers are separated by spaces, not commas"},
                {"dense(128,relu) , dense(10,softmax)", "layer 2 ',' (column 17): layers are separated by spaces, not commas"},
                {"conv(16,5) dense(10,softmax)", "layer 1 'conv(16,5)' (column 1): unknown layer 'conv'"},
                {"dense(128,relu) dense(0,softmax)", "layer 2 'dense(0,softmax)' (column 17): units must be >= 1, got 0"},
                {"dense(x,relu) dense(10,softmax)", "units must be a whole number >= 1, got 'x'"},
                {"dense(-3,relu) dense(10,softmax)", "units must be a whole number >= 1, got '-3'"},
                {"dense(99999999999,softmax)", "units is too large"},
                {"dense(10,sigmoid)", "layer 1 'dense(10,sigmoid)' (column 1): activation must be relu, linear or softmax, got 'sigmoid'"},
                {"dense(10,softmax,x)", "dense takes 1 or 2 arguments (dense(units[,activation])), got 3"},
                {"dense dense(10,softmax)", "dense takes 1 or 2 arguments"},
                {"conv2d(16) dense(10,softmax)", "conv2d takes 2 or 3 arguments (conv2d(filters,kernel[,activation])), got 1"},
                {"conv2d(16,5,softmax) dense(10,softmax)", "conv2d takes relu or linear, not softmax"},
                {"conv2d(16,5,) dense(10,softmax)", "activation must be relu, linear or softmax, got ''"},
                {"maxpool(2,2) dense(10,softmax)", "maxpool takes 1 argument (maxpool(size)), got 2"},
                {"flatten(1) dense(10,softmax)", "flatten takes no arguments"},
                {"dense(128,relu) dense(10,softmax", "layer 2 'dense(10,softmax' (column 17): has no closing parenthesis"},
                {"dense(128,relu)x dense(10,softmax)", "unexpected 'x' after 'dense(128,relu)'"},
                {"dense(128,relu) conv2d(8,3) dense(10,softmax)",
                        "layer 2 'conv2d(8,3)' (column 17): comes after layer 1 'dense(128,relu)' made the input flat"},
                {"conv2d(8,3) flatten maxpool(2) dense(10,softmax)", "layer 3 'maxpool(2)' (column 21): comes after layer 2 'flatten'"},
                {"conv2d(8,3) flatten flatten dense(10,softmax)", "layer 3 'flatten' (column 21): the input is already flat"},
                {"dense(10,softmax) dense(10,softmax)", "layer 1 'dense(10,softmax)' (column 1): softmax belongs to the last layer only"},
                {"dense(128,relu)", "layer 1 'dense(128,relu)' (column 1): the last layer must be dense(classes,softmax)"},
                {"conv2d(8,3) maxpool(2)", "layer 2 'maxpool(2)' (column 13): the last layer must be dense(classes,softmax)"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchSpec.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("architecture '" + c[0] + "': layer "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; valid layers: " + ArchSpec.FORMS), e.getMessage());
        }
        for (String empty : new String[] {"", "   "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchSpec.parse(empty));
            assertTrue(e.getMessage().contains("has no layers; e.g. '" + ArchSpec.DEFAULT + "'"), e.getMessage());
        }
    }

    @Test
    void recordsBuiltInCodeAreCheckedLikeParsedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArchSpec(List.of(new DenseLayer(10, Activation.RELU))));
        assertTrue(e.getMessage().contains("layer 1 'dense(10,relu)': the last layer must be dense(classes,softmax)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArchSpec(List.of()));
    }

    @Test
    void aWindowLargerThanItsInputNamesTheLayer() {
        ArchSpec spec = ArchSpec.parse("conv2d(4,5,relu) maxpool(2) conv2d(8,5,relu) dense(10,softmax)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec.build(12, 12, 1));
        // 12 → conv 5 → 8 → pool 2 → 4: the second conv needs 5x5
        assertEquals("layer 3 'conv2d(8,5,relu)' needs an input of at least 5x5 but gets 4x4 (from 12x12 images)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArchSpec.parse("maxpool(5) dense(2,softmax)").build(4, 6, 1));
        assertEquals("layer 1 'maxpool(5)' needs an input of at least 5x5 but gets 4x6 (the images' size)", e.getMessage());
    }

    /** The one place that changes when the trainer gets image layers (see ArchSpec.imageNetwork). */
    @Test
    void imageLayersBuildTheNetworkTheBuilderWould() {
        String spec = "conv2d(16,5,relu) maxpool(2) conv2d(32,5,relu) maxpool(2) dense(10,softmax)";
        Network fromSpec = ArchSpec.parse(spec).build(28, 28, 1);
        Network built = Network.builder(28, 28, 1).conv2d(16, 5, lanes.engine.Activation.RELU).maxPool(2)
                .conv2d(32, 5, lanes.engine.Activation.RELU).maxPool(2).dense(10, lanes.engine.Activation.SOFTMAX).build(1);
        // 16·25+16, 32·16·25+32, 4·4·32·10+10: the 18k-parameter CNN
        assertEquals(416 + 12_832 + 5_130, fromSpec.parameterCount());
        assertArrayEquals(built.parameters(), fromSpec.parameters());
        Network flat = ArchSpec.parse("conv2d(4,3) flatten dense(10,softmax)").build(28, 28, 1);
        assertEquals(4 * 9 + 4 + 26 * 26 * 4 * 10 + 10, flat.parameterCount());
    }
}
