package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.InputRange;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Metadata;
import lanes.engine.Model;
import lanes.engine.Padding;
import lanes.engine.Provenance;
import lanes.engine.Reshape;
import lanes.engine.Shape;
import lanes.engine.WeightFile;
import lanes.engine.Weights;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .lnw → .onnx → .lnw keeps the weights bit for bit, and ONNX Runtime runs the exports as Lanes does. */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    static Weights mlp() {
        Random r = new Random(1);
        return new Weights(12, List.of(
                new DenseWeights(12, 8, Activation.RELU, random(r, 96, 0.4f), random(r, 8, 0.1f)),
                new DenseWeights(8, 3, Activation.SOFTMAX, random(r, 24, 0.4f), random(r, 3, 0.1f))),
                new Metadata("digits", 3, 0.91, Instant.ofEpochMilli(1_700_000_000_123L)));
    }

    /** Every layer type, raw 0–255 inputs, labels, Keras provenance, a standalone activation. */
    static Weights cnn() {
        Random r = new Random(2);
        List<Layer> layers = new ArrayList<>();
        layers.add(new Conv2D(3, 3, 2, 4, 1, 1, new Padding(1, 1, 1, 1), Activation.LINEAR, random(r, 72, 0.3f), random(r, 4, 0.1f)));
        layers.add(new BatchNorm(random(r, 4, 0.2f), random(r, 4, 0.2f), random(r, 4, 0.2f), new float[] {0.5f, 1, 1.5f, 2}, 1e-3f));
        layers.add(new ActivationLayer(Activation.RELU));
        layers.add(new Conv2D(2, 3, 4, 5, 2, 1, new Padding(0, 1, 1, 1), Activation.TANH, random(r, 120, 0.3f), random(r, 5, 0.1f)));
        layers.add(new MaxPool2D(2, 2, 1, 2, new Padding(0, 0, 1, 1)));
        layers.add(new Flatten());
        layers.add(new DenseWeights(45, 6, Activation.SIGMOID, random(r, 270, 0.2f), random(r, 6, 0.1f)));
        layers.add(new Reshape(new Shape(1, 2, 3)));
        layers.add(new Conv2D(1, 2, 3, 3, 1, 1, Padding.VALID, Activation.LINEAR, random(r, 18, 0.3f), random(r, 3, 0.1f)));
        layers.add(new Flatten());
        layers.add(new DenseWeights(3, 3, Activation.LINEAR, random(r, 9, 0.5f), random(r, 3, 0.1f)));
        layers.add(new ActivationLayer(Activation.SOFTMAX));
        return new Weights(new Shape(6, 5, 2), layers, Metadata.unknown(), new InputRange(0, 255),
                List.of("cat", "dog, or wolf", "back\\slash"), new Provenance("keras", "m.keras", "3.6.0"));
    }

    /** A flatten that no Dense follows (written as a transpose to NHWC), and a BatchNorm on a vector. */
    static Weights flatEnd() {
        Random r = new Random(4);
        List<Layer> layers = List.of(
                new Flatten(),
                new DenseWeights(12, 6, Activation.LINEAR, random(r, 72, 0.4f), random(r, 6, 0.1f)),
                new BatchNorm(random(r, 6, 0.3f), random(r, 6, 0.3f), random(r, 6, 0.3f), new float[] {1, 2, 3, 1, 2, 3}, 1e-5f),
                new ActivationLayer(Activation.TANH),
                new Reshape(new Shape(1, 3, 2)),
                new Conv2D(1, 2, 2, 3, 1, 1, Padding.VALID, Activation.RELU, random(r, 12, 0.5f), random(r, 3, 0.1f)),
                new Flatten());
        return new Weights(new Shape(2, 3, 2), layers, Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes());
    }

    @Test
    void aFlattenAtTheEndAndABatchNormOnAVectorRoundTrip() throws Exception {
        roundTrip(flatEnd());
    }

    @Test
    void aLanesMlpRoundTripsThroughAFile() throws Exception {
        roundTrip(mlp());
    }

    @Test
    void aCnnWithEveryLayerTypeRoundTrips() throws Exception {
        roundTrip(cnn());
    }

    private void roundTrip(Weights original) throws Exception {
        Path lnw = dir.resolve("m.lnw"), onnx = dir.resolve("m.onnx"), back = dir.resolve("back.lnw");
        WeightFile.write(lnw, original);
        OnnxExporter.write(WeightFile.read(lnw), onnx);
        WeightFile.write(back, OnnxImporter.read(onnx));
        Weights again = WeightFile.read(back);
        assertEquals(original, again);
        assertEquals(original.layers(), again.layers());
        assertEquals(original.inputRange(), again.inputRange());
        assertEquals(original.labels(), again.labels());
        assertEquals(original.provenance(), again.provenance());
        assertEquals(original.metadata(), again.metadata());
    }

    @Test
    void onnxRuntimeRunsTheExportsAsLanesDoes() throws Exception {
        for (Weights w : List.of(mlp(), cnn(), flatEnd())) {
            byte[] onnx = OnnxExporter.toBytes(w);
            Model model = Model.of(w, KernelsProvider.get());
            Shape s = w.inputShape();
            int batch = 4;
            Random r = new Random(3);
            float[] lanesInputs = new float[batch * s.size()];
            for (int i = 0; i < lanesInputs.length; i++) lanesInputs[i] = r.nextFloat();
            // ONNX takes what the network was trained on (the input range), NCHW.
            InputRange range = w.inputRange();
            float[] nchw = new float[lanesInputs.length];
            int c = s.channels(), h = s.height(), wd = s.width();
            for (int n = 0; n < batch; n++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < wd; x++)
                        for (int ch = 0; ch < c; ch++)
                            nchw[n * s.size() + (ch * h + y) * wd + x] =
                                    range.low() + lanesInputs[n * s.size() + (y * wd + x) * c + ch] * range.scale();
            long[] shape = s.isVector() ? new long[] {batch, s.size()} : new long[] {batch, c, h, wd};
            float[] ort = Ort.run(onnx, nchw, shape);
            float[] lanes = new float[batch * model.outputs()];
            float[] y = new float[model.outputs()];
            for (int n = 0; n < batch; n++) {
                model.predict(java.util.Arrays.copyOfRange(lanesInputs, n * s.size(), (n + 1) * s.size()), y);
                System.arraycopy(y, 0, lanes, n * y.length, y.length);
            }
            double diff = OnnxFixtures.maxAbsDiff(lanes, ort);
            assertTrue(diff <= 1e-5, "ONNX Runtime and Lanes differ by " + diff + " on " + w.layers());
        }
    }

    @Test
    void importedFixturesExportAndReimportUnchanged() throws Exception {
        for (String name : OnnxFixtures.RUNNABLE) {
            Weights w = OnnxImporter.read(OnnxFixtures.model(name));
            Path onnx = dir.resolve(name + ".onnx");
            OnnxExporter.write(w, onnx);
            assertEquals(w, OnnxImporter.read(onnx), name);
            assertTrue(Files.size(onnx) > 0);
        }
    }
}
