package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import lanes.engine.InputRange;
import lanes.engine.Model;
import lanes.engine.Shape;
import lanes.engine.Weights;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * The real Keras files of ../shared/fixtures/keras/ (skipped when absent) exported as ONNX: ONNX Runtime
 * runs each export as Lanes runs the imported model, and the export imports back to the same weights.
 * These are real CNNs flattened H,W,C, so a wrong row order in the exporter's Flatten → Dense shows here.
 */
class KerasToOnnxTest {
    private static final Path SHARED = Path.of("..", "..", "shared", "fixtures", "keras");

    @Test
    void onnxRuntimeAgreesWithLanesOnEveryExportedKerasFile() throws Exception {
        assumeTrue(Files.isDirectory(SHARED), "no shared Keras fixtures at " + SHARED.toAbsolutePath() + "; skipped");
        List<Path> files;
        try (Stream<Path> s = Files.list(SHARED)) {
            files = s.filter(p -> p.toString().endsWith(".keras") || (p.toString().endsWith(".h5") && !p.toString().contains("inputs_and_outputs")))
                    .sorted().toList();
        }
        int checked = 0;
        for (Path file : files) {
            Weights w = ModelFiles.read(file, file.toString().contains("cnn-same-dropout") ? new InputRange(0, 255) : null, null);
            byte[] onnx = OnnxExporter.toBytes(w);
            assertEquals(w, OnnxImporter.read(onnx, "export.onnx", "export.onnx"), file.toString());
            Model model = Model.of(w, KernelsProvider.get());
            Shape s = w.inputShape();
            Random r = new Random(5);
            float[] x = new float[s.size()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
            float[] nchw = new float[x.length];
            InputRange range = w.inputRange();
            for (int y = 0; y < s.height(); y++)
                for (int c = 0; c < s.width(); c++)
                    for (int ch = 0; ch < s.channels(); ch++)
                        nchw[(ch * s.height() + y) * s.width() + c] = range.low() + x[(y * s.width() + c) * s.channels() + ch] * range.scale();
            long[] shape = s.isVector() ? new long[] {1, s.size()} : new long[] {1, s.channels(), s.height(), s.width()};
            float[] lanes = new float[model.outputs()];
            model.predict(x, lanes);
            float[] ort = Ort.run(onnx, nchw, shape);
            double diff = OnnxFixtures.maxAbsDiff(lanes, ort);
            assertTrue(diff <= 1e-5, file + ": ONNX Runtime and Lanes differ by " + diff);
            checked++;
        }
        assertTrue(checked >= 5, "checked " + checked + " files");
    }
}
