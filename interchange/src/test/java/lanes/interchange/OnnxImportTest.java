package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import lanes.engine.Activation;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Model;
import lanes.engine.Shape;
import lanes.engine.Weights;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every committed ONNX fixture imported and run by the engine, against ONNX Runtime and the stored outputs. */
class OnnxImportTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet", "cnn", "gemm_attrs", "same_pool"})
    void agreesWithOnnxRuntimeAndTheReference(String name) throws Exception {
        Weights w = OnnxImporter.read(OnnxFixtures.model(name));
        Model model = Model.of(w, KernelsProvider.get());
        OnnxTensor input = OnnxFixtures.input(name);
        float[] lanes = OnnxFixtures.lanes(model, input);

        float[] ort = Ort.run(Files.readAllBytes(OnnxFixtures.model(name)), input.data(), input.dims());
        long[] outDims = OnnxFixtures.output(name).dims();
        float[] ortLanesOrder = OnnxFixtures.lanesOrder(new OnnxTensor(outDims, ort));
        double vsOrt = OnnxFixtures.maxAbsDiff(lanes, ortLanesOrder);
        assertTrue(vsOrt <= 1e-5, name + ": Lanes and ONNX Runtime differ by " + vsOrt);

        double vsReference = OnnxFixtures.maxAbsDiff(lanes, OnnxFixtures.lanesOrder(OnnxFixtures.output(name)));
        assertTrue(vsReference <= 1e-4, name + ": Lanes and the exporter's reference differ by " + vsReference);
        assertEquals("onnx", w.provenance().format());
        assertEquals("model.onnx", w.provenance().fileName());
    }

    @Test
    void lenetBecomesConvPoolFlattenDenseWithTheViewFolded() throws Exception {
        Weights w = OnnxImporter.read(OnnxFixtures.model("lenet"));
        assertEquals(new Shape(28, 28, 1), w.inputShape());
        List<Class<?>> kinds = w.layers().stream().<Class<?>>map(Layer::getClass).toList();
        assertEquals(List.of(Conv2D.class, MaxPool2D.class, Conv2D.class, MaxPool2D.class, Flatten.class,
                DenseWeights.class, DenseWeights.class, DenseWeights.class), kinds);
        assertEquals(Activation.RELU, ((Conv2D) w.layers().get(0)).activation());
        assertEquals(Activation.SOFTMAX, ((DenseWeights) w.layers().get(7)).activation());
        assertTrue(w.provenance().frameworkVersion().startsWith("pytorch"), w.provenance().toString());
    }

    @Test
    void batchNormStaysALayerAfterItsConv() throws Exception {
        Weights w = OnnxImporter.read(OnnxFixtures.model("cnn"));
        assertEquals(new Shape(20, 24, 3), w.inputShape());
        assertInstanceOf(Conv2D.class, w.layers().get(0));
        assertInstanceOf(BatchNorm.class, w.layers().get(1));
        Conv2D second = (Conv2D) w.layers().get(3);
        assertEquals(2, second.strideH());
    }

    @Test
    void aDenseAfterAFlattenHasItsRowsInHwcOrder() {
        // 2 channels of 1×2: C,H,W row (c, 0, x) is at c*2 + x; H,W,C row (0, x, c) at x*2 + c.
        float[] chw = {0, 1, 2, 3}; // one unit: row index as the weight
        float[] hwc = GraphImporter.rowsChwToHwc(chw, new int[] {2, 1, 2}, 1);
        assertEquals(List.of(0f, 2f, 1f, 3f), List.of(hwc[0], hwc[1], hwc[2], hwc[3]));
        float[] back = OnnxExporter.rowsHwcToChw(hwc, new int[] {2, 1, 2}, 1);
        assertEquals(List.of(0f, 1f, 2f, 3f), List.of(back[0], back[1], back[2], back[3]));
    }

    @Test
    void everyUnsupportedOpIsNamedAtOnce() {
        ImportException e = assertThrows(ImportException.class, () -> OnnxImporter.read(OnnxFixtures.model("unsupported")));
        String m = e.problem();
        assertTrue(m.contains("node grouped_conv (Conv, opset 13): group = 2; expected 1"), m);
        assertTrue(m.contains("node leaky (LeakyRelu, opset 13): op not supported"), m);
        assertTrue(m.startsWith("2 problems"), m);
        assertTrue(e.source().endsWith("model.onnx"), e.source());
    }
}
