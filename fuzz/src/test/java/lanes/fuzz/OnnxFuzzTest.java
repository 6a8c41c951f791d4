package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import lanes.engine.Model;
import lanes.engine.Weights;
import lanes.interchange.ImportException;
import lanes.interchange.OnnxExporter;
import lanes.interchange.OnnxImporter;
import lanes.kernels.KernelsProvider;

/**
 * {@link OnnxImporter} on arbitrary bytes: the protobuf reader, the graph walk, the NCHW → NHWC conversion.
 *
 * <p>Allowed outcome: {@link ImportException} naming the input, or weights that {@link OnnxExporter} writes
 * and the importer reads back equal (the exporter's own files carry everything the importer gives), and
 * that the engine builds and runs, or refuses as a network it cannot run (IllegalArgumentException).
 */
class OnnxFuzzTest {

    /** Per input: parsing allocates in proportion to the bytes, the engine to the declared image size (capped below). */
    static final long MAX_ALLOCATED = 96 * Budget.MIB;

    /** Larger networks are imported and round-tripped but not run: their scratch alone would dominate a run. */
    static final int MAX_RUN_VALUES = 1 << 16;

    static {
        // Class loading and the kernels' first use (the Vector API's own classes) would count against the
        // first input's budget: run them once outside it.
        try {
            Weights w = lanes.engine.TestWeights.model(1, lanes.engine.Metadata.unknown(), 3, lanes.engine.Activation.SOFTMAX, 4, 2);
            Weights back = OnnxImporter.read(OnnxExporter.toBytes(w), "warm-up.onnx", "warm-up.onnx");
            Model.of(back, KernelsProvider.get()).predict(new float[3], new float[2]);
            Model.of(new Weights(new lanes.engine.Shape(4, 4, 1), java.util.List.of(
                    new lanes.engine.Conv2D(3, 3, 1, 2, 1, 1, lanes.engine.Padding.VALID, lanes.engine.Activation.RELU, new float[18], new float[2]),
                    new lanes.engine.MaxPool2D(2, 2, 2, 2, lanes.engine.Padding.VALID), new lanes.engine.Flatten(),
                    new lanes.engine.ActivationLayer(lanes.engine.Activation.SIGMOID)),
                    lanes.engine.Metadata.unknown(), lanes.engine.InputRange.UNIT, java.util.List.of(), lanes.engine.Provenance.lanes()),
                    KernelsProvider.get()).predict(new float[16], new float[2]);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void model(byte[] data) throws Exception {
        Budget.within("OnnxImporter.read", MAX_ALLOCATED, () -> {
            Weights w;
            try {
                w = OnnxImporter.read(data, "fuzz.onnx", "fuzz.onnx");
            } catch (ImportException expected) {
                assertEquals("fuzz.onnx", expected.source());
                assertTrue(!expected.problem().isBlank());
                return;
            }
            assertEquals(w, OnnxImporter.read(OnnxExporter.toBytes(w), "again.onnx", "fuzz.onnx"), "export and re-import");
            if (w.inputSize() > MAX_RUN_VALUES || w.outputSize() > MAX_RUN_VALUES) return;
            Model model;
            try {
                model = Model.of(w, KernelsProvider.get());
            } catch (IllegalArgumentException cannotRun) {
                return;
            }
            float[] input = new float[model.inputSize()];
            Arrays.fill(input, 0.5f);
            float[] out = new float[model.outputs()];
            try {
                int label = model.predict(input, out);
                assertTrue(label >= 0 && label < model.outputs(), "label " + label);
            } catch (IllegalArgumentException overflow) {
                assertTrue(overflow.getMessage().contains("overflow") || overflow.getMessage().contains("not finite"), overflow.getMessage());
            }
        });
    }
}
