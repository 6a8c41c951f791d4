package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.InputRange;
import lanes.engine.MaxPool2D;
import lanes.engine.Model;
import lanes.kernels.KernelsProvider;
import lanes.engine.Padding;
import lanes.engine.Provenance;
import lanes.engine.Shape;
import lanes.engine.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KerasImporterTest {

    static final double TOLERANCE = 1e-4;

    // ---------------------------------------------------------------------------------------------------
    // Parity: real files and generated ones against an independent numpy forward pass

    @ParameterizedTest
    @ValueSource(strings = {"keras3.10-mlp-dropout.keras", "keras2.14-cnn.keras", "keras2.4-autoencoder-mlp.h5",
            "keras2.4-cnn-same-dropout.h5", "tfkeras2.2-mlp-sigmoid-dropout.h5", "keras2.3-mlp-softmax.h5"})
    void realFilesMatchAnIndependentForwardPass(String name) throws Exception {
        assertMatchesReference(KerasImporter.read(KerasFiles.shared(name)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras2-cnn-bn.h5", "keras3-legacy-mlp-bn.h5", "keras3-functional-cnn.keras",
            "keras214-cnn-bn.keras", "keras2-mlp-latest-hdf5.h5", "keras2.1-list-config.h5"})
    void generatedFilesInEveryLayoutMatchAnIndependentForwardPass(String name) throws Exception {
        assertMatchesReference(KerasImporter.read(KerasFiles.generated(name)), name);
    }

    /**
     * The engine's own forward pass (SIMD or scalar, whichever this run uses) on the imported weights, fed
     * Lanes inputs in [0, 1] through the input range that maps them to the reference inputs.
     */
    @ParameterizedTest
    @ValueSource(strings = {"keras3.10-mlp-dropout.keras", "keras2.14-cnn.keras", "keras2.4-autoencoder-mlp.h5",
            "keras2.4-cnn-same-dropout.h5", "tfkeras2.2-mlp-sigmoid-dropout.h5", "keras2.3-mlp-softmax.h5"})
    void engineRunsRealFilesAsTheReferenceDoes(String name) throws Exception {
        assertEngineMatchesReference(KerasImporter.read(KerasFiles.shared(name)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras2-cnn-bn.h5", "keras3-legacy-mlp-bn.h5", "keras3-functional-cnn.keras",
            "keras214-cnn-bn.keras", "keras2-mlp-latest-hdf5.h5", "keras2.1-list-config.h5"})
    void engineRunsGeneratedFilesAsTheReferenceDoes(String name) throws Exception {
        assertEngineMatchesReference(KerasImporter.read(KerasFiles.generated(name)), name);
    }

    private static void assertEngineMatchesReference(Weights imported, String name) {
        Reference ref = Reference.load(name);
        // The reference inputs are in the model's own range (0-16 for scikit-learn digits, 0-255 for raw pixels).
        float high = name.startsWith("keras2.14") ? 16f : name.startsWith("keras2.4-cnn") ? 255f : 1f;
        Weights w = new Weights(imported.inputShape(), imported.layers(), imported.metadata(),
                new InputRange(0, high), List.of(), imported.provenance());
        Model model = Model.of(w, KernelsProvider.get());
        float[] out = new float[model.outputs()];
        for (int n = 0; n < ref.inputs().length; n++) {
            float[] x = ref.inputs()[n].clone();
            for (int i = 0; i < x.length; i++) x[i] /= high;
            model.predict(x, out);
            for (int k = 0; k < out.length; k++) {
                assertEquals(ref.outputs()[n][k], out[k], TOLERANCE, name + ": input " + n + ", output " + k);
            }
        }
    }

    private static void assertMatchesReference(Weights w, String name) {
        Reference ref = Reference.load(name);
        assertTrue(ref.inputs().length > 0, "no reference inputs for " + name);
        for (int n = 0; n < ref.inputs().length; n++) {
            double[] x = new double[ref.inputs()[n].length];
            for (int i = 0; i < x.length; i++) x[i] = ref.inputs()[n][i];
            double[] y = NaiveForward.runRaw(w, x);
            assertEquals(ref.outputs()[n].length, y.length, name + ": output size");
            for (int k = 0; k < y.length; k++) {
                assertEquals(ref.outputs()[n][k], y[k], TOLERANCE, name + ": input " + n + ", output " + k);
            }
        }
    }

    /** Keras 2.3.1's own predictions, stored beside the model by the people who made it. */
    @Test
    void keras23MlpMatchesKerasOwnPredictions() throws Exception {
        Weights w = KerasImporter.read(KerasFiles.shared("keras2.3-mlp-softmax.h5"));
        float[][] inputs;
        float[][] predictions;
        try (HdfFile f = new HdfFile(KerasFiles.shared("keras2.3-mlp-softmax.inputs_and_outputs.h5"))) {
            inputs = (float[][]) f.getDatasetByPath("inputs/dense_1_input").getData();
            predictions = (float[][]) f.getDatasetByPath("predictions/activation_1").getData();
        }
        assertEquals(3, inputs.length);
        for (int n = 0; n < inputs.length; n++) {
            double[] y = NaiveForward.run(w, inputs[n]);
            for (int k = 0; k < y.length; k++) assertEquals(predictions[n][k], y[k], TOLERANCE, "input " + n + ", class " + k);
        }
        assertEquals(List.of(new DenseWeights(4, 3, Activation.LINEAR, w.layers().get(0) instanceof DenseWeights d ? d.kernel() : null,
                ((DenseWeights) w.layers().get(0)).bias()), new ActivationLayer(Activation.SOFTMAX)), w.layers());
        assertEquals(new Provenance("keras", "keras2.3-mlp-softmax.h5", "2.3.1"), w.provenance());
        assertEquals(Shape.vector(4), w.inputShape());
        assertEquals(InputRange.UNIT, w.inputRange());
    }

    /** Trained on raw 0-255 pixels: imported with InputRange(0, 255), it reads [0, 1] MNIST digits right. */
    @Test
    void cnnTrainedOnRawPixelsReadsMnistDigitsWithItsInputRange() throws Exception {
        Weights imported = KerasImporter.read(KerasFiles.shared("keras2.4-cnn-same-dropout.h5"));
        Weights w = new Weights(imported.inputShape(), imported.layers(), imported.metadata(),
                new InputRange(0, 255), List.of(), imported.provenance());
        assertEquals(new Shape(28, 28, 1), w.inputShape());
        assertEquals(List.of(Conv2D.class, MaxPool2D.class, Conv2D.class, MaxPool2D.class, Flatten.class,
                DenseWeights.class, DenseWeights.class), w.layers().stream().map(Object::getClass).toList());
        assertEquals(Padding.same(28, 28, 5, 5, 1, 1), ((Conv2D) w.layers().get(0)).padding());
        Path dir = Path.of("../trainer/src/test/resources/mnist-small");
        byte[] images = idx(dir.resolve("t10k-images-idx3-ubyte.gz"), 16);
        byte[] labels = idx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 8);
        Model model = Model.of(w, KernelsProvider.get());
        int n = 200, right = 0, rightNaive = 0, rightUnscaled = 0;
        for (int i = 0; i < n; i++) {
            float[] x = new float[784];
            for (int p = 0; p < 784; p++) x[p] = (images[i * 784 + p] & 0xff) / 255f;
            if (model.predict(x) == labels[i]) right++;
            if (i < 100 && argmax(NaiveForward.run(w, x)) == labels[i]) rightNaive++;
            if (i < 100 && argmax(NaiveForward.run(imported, x)) == labels[i]) rightUnscaled++;
        }
        // The file's README: 0.99 on MNIST fed 0-255.
        assertTrue(right >= 194, right + " of " + n + " digits right through the engine with InputRange(0, 255)");
        assertTrue(rightNaive >= 97, rightNaive + " of 100 digits right through the oracle");
        // The range matters: fed [0, 1] as if it were its own range, the model is near chance (a check on the check).
        assertTrue(rightUnscaled < 50, rightUnscaled + " of 100 right without the input range");
    }

    private static byte[] idx(Path file, int header) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            DataInputStream d = new DataInputStream(in);
            d.skipNBytes(header);
            return d.readAllBytes();
        }
    }

    private static int argmax(double[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[best]) best = i;
        return best;
    }

    // ---------------------------------------------------------------------------------------------------
    // What each file becomes

    @Test
    void keras214ArchiveIsAnEightByEightCnn() throws Exception {
        Weights w = KerasImporter.read(KerasFiles.shared("keras2.14-cnn.keras"));
        assertEquals(new Shape(8, 8, 1), w.inputShape());
        assertEquals(new Provenance("keras", "keras2.14-cnn.keras", "2.14.0"), w.provenance());
        Conv2D conv = (Conv2D) w.layers().get(0);
        assertEquals(List.of(3, 3, 1, 32, Padding.VALID, Activation.RELU),
                List.of(conv.kernelH(), conv.kernelW(), conv.inChannels(), conv.filters(), conv.padding(), conv.activation()));
        assertEquals(Shape.vector(10), w.outputShape());
        assertEquals(2023, w.metadata().created().atZone(java.time.ZoneOffset.UTC).getYear(), "date_saved");
    }

    @Test
    void keras3ArchiveFlattensItsTwoDimensionalInput() throws Exception {
        Weights w = KerasImporter.read(KerasFiles.shared("keras3.10-mlp-dropout.keras"));
        assertEquals(new Shape(28, 28, 1), w.inputShape());
        assertInstanceOf(Flatten.class, w.layers().get(0));
        assertEquals(List.of(784, 128, 32), w.layers().stream().skip(1).map(l -> ((DenseWeights) l).inputs()).toList());
        assertEquals("3.10.0", w.provenance().frameworkVersion());
    }

    @Test
    void autoencoderOutputsPixels() throws Exception {
        Weights w = KerasImporter.read(KerasFiles.shared("keras2.4-autoencoder-mlp.h5"));
        assertEquals(Shape.vector(784), w.outputShape());
        assertEquals(Activation.SIGMOID, ((DenseWeights) w.layers().getLast()).activation());
    }

    @Test
    void archiveWeightsAreFoundWhereKerasPutsThemNotUnderTheLayerNames() throws Exception {
        assertEquals("max_pooling2d", KerasConfig.snakeCase("MaxPooling2D"));
        assertEquals("batch_normalization", KerasConfig.snakeCase("BatchNormalization"));
        assertEquals("conv2d", KerasConfig.snakeCase("Conv2D"));
        // Named by hand: 'conv2d_1' runs first and its weights are at layers/conv2d; 'conv2d' at layers/conv2d_1.
        Weights w = KerasImporter.read(KerasFiles.generated("keras3-functional-cnn.keras"));
        assertEquals(4, ((Conv2D) w.layers().get(0)).filters());
        assertEquals(3, ((Conv2D) w.layers().get(1)).filters());
        assertEquals(new Shape(9, 7, 3), w.inputShape());
    }

    @Test
    void batchNormalizationKeepsKerasOrderAndFillsWhatIsNotStored() throws Exception {
        Weights w = KerasImporter.read(KerasFiles.generated("keras214-cnn-bn.keras"));
        BatchNorm bn = (BatchNorm) w.layers().get(1);
        // scale=False: gamma is not stored and is 1; beta, mean and variance come in Keras' order.
        for (float g : bn.gamma()) assertEquals(1f, g);
        assertTrue(bn.variance()[0] > 0.2f);
        assertEquals(0.001f, bn.epsilon());
    }

    // ---------------------------------------------------------------------------------------------------
    // Refusals: named, all at once, with what to do

    @Test
    void unsupportedLayersAreAllListedWithWhatToDo() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-unsupported.h5")));
        String p = e.problem();
        assertTrue(p.startsWith("Keras 2.4.0 model: 4 layers cannot be imported:"), p);
        assertTrue(p.contains("layer 'lambda' (Lambda): ") && p.contains("remove the Lambda layer"), p);
        assertTrue(p.contains("layer 'conv2d' (Conv2D): dilation_rate 2×2"), p);
        assertTrue(p.contains("layer 'conv2d_1' (Conv2D): data_format 'channels_first'"), p);
        assertTrue(p.contains("layer 'lstm' (LSTM): not supported"), p);
        assertEquals(KerasFiles.generated("refused-unsupported.h5").toString(), e.source());
    }

    @Test
    void branchingFunctionalModelIsRefusedAsSuch() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-branching.h5")));
        assertTrue(e.problem().contains("the Functional model branches: layer 'add' (Add) takes 2 inputs (dense_1, dense)"),
                e.problem());
    }

    @Test
    void weightsThatDoNotMatchTheConfigAreNamed() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-shape-mismatch.h5")));
        assertEquals("layer 'dense' (Dense, Keras 2.4.0): kernel is 4×2 in the file, expected 4×3 from the config",
                e.problem());
    }

    @Test
    void whatTheEngineCannotRunIsRefusedAtLoad() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-softmax-inside.h5")));
        assertTrue(e.problem().startsWith("Keras 2.4.0 model: a network this engine cannot run: softmax"), e.problem());
    }

    @Test
    void keras1FilesAreRefusedWithWhatToDo() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-keras1.h5")));
        assertTrue(e.problem().startsWith("written by Keras 1.2.2") && e.problem().contains("save it again"), e.problem());
    }

    @Test
    void hdf5LengthIsReadFromTheSuperblock() throws Exception {
        for (String name : List.of("keras2-cnn-bn.h5", "keras2-mlp-latest-hdf5.h5")) { // versions 0 and 3
            byte[] file = Files.readAllBytes(KerasFiles.generated(name));
            assertEquals(file.length, Hdf5.declaredLength(file), name);
        }
    }

    @Test
    void weightsOnlyFileSaysHowToSaveTheModel() {
        ImportException e = assertThrows(ImportException.class,
                () -> KerasImporter.read(KerasFiles.generated("refused-weights-only.h5")));
        assertTrue(e.problem().contains("save_weights") && e.problem().contains("model.save("), e.problem());
    }

    @Test
    void otherFilesAreNotKerasModels(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("model.h5"), "not a model");
        assertTrue(assertThrows(ImportException.class, () -> KerasImporter.read(text)).problem().startsWith("not a Keras model"));
        Path empty = Files.write(dir.resolve("empty.keras"), new byte[0]);
        assertTrue(assertThrows(ImportException.class, () -> KerasImporter.read(empty)).problem().contains("empty"));
        assertTrue(assertThrows(ImportException.class, () -> KerasImporter.read(dir)).problem().contains("directory"));
        Path missing = dir.resolve("missing.keras");
        assertTrue(assertThrows(ImportException.class, () -> KerasImporter.read(missing)).problem().contains("cannot be read"));
    }

    @Test
    void truncatedFilesSaySo(@TempDir Path dir) throws Exception {
        for (String name : List.of("keras2-cnn-bn.h5", "keras3-functional-cnn.keras")) {
            byte[] whole = Files.readAllBytes(KerasFiles.generated(name));
            Path cut = Files.write(dir.resolve(name), java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
            ImportException e = assertThrows(ImportException.class, () -> KerasImporter.read(cut));
            assertTrue(e.problem().contains("truncated"), e.problem());
        }
    }
}
