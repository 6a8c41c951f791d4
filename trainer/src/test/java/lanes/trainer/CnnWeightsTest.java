package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lanes.engine.Activation;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.InputRange;
import lanes.engine.MaxPool2D;
import lanes.engine.Metadata;
import lanes.engine.Model;
import lanes.engine.Padding;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import lanes.engine.Provenance;
import lanes.engine.Shape;
import lanes.engine.WeightFile;
import lanes.engine.Weights;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained CNN leaves the trainer as engine weights that {@link Model} runs to the trainer's own answers,
 * and comes back bit for bit; the builder refuses networks that do not fit, naming the problem.
 */
class CnnWeightsTest {

    /** The reference CNN after a few steps on real digits, so that no weight is at its initial value. */
    private static Network trained() throws IOException {
        Network net = CnnGradientTest.reference(7);
        try (BatchScheduler s = new BatchScheduler(2)) {
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            t.fit(MnistSmall.load("train").samples().head(256), null, 1, 32, 7, FitListener.NONE);
        }
        return net;
    }

    @Test
    void theEngineRunsTheTrainedNetworkToTheTrainersOwnAnswers() throws IOException {
        Network net = trained();
        Weights w = net.toWeights(Metadata.unknown());
        assertEquals(new Shape(28, 28, 1), w.inputShape());
        assertEquals(List.of(Conv2D.class, MaxPool2D.class, Conv2D.class, MaxPool2D.class, Flatten.class, DenseWeights.class),
                w.layers().stream().map(Object::getClass).toList());
        assertEquals(Activation.SOFTMAX, w.outputActivation());
        assertEquals(net.parameterCount(), w.parameterCount());

        Samples test = MnistSmall.load("t10k").samples();
        float[] mine = trainerProbabilities(net, test, KernelsProvider.get());
        for (Kernels k : List.of(KernelsProvider.get(), KernelsProvider.scalar())) {
            Predictor p = Model.of(w, k).newPredictor();
            float[] x = new float[784], probs = new float[10];
            double worst = 0;
            for (int i = 0; i < test.count(); i++) {
                Pixels.toUnit(test.pixels(), i * 784, x, 0, 784);
                int label = p.predict(x, probs);
                assertEquals(argmax(mine, i * 10), label, "image " + i + " with " + k.name());
                for (int j = 0; j < 10; j++) {
                    double d = Math.abs(probs[j] - mine[i * 10 + j]);
                    worst = Math.max(worst, d);
                    assertTrue(d <= 1e-5, "image " + i + ", class " + j + ": engine " + probs[j] + ", trainer " + mine[i * 10 + j]);
                }
            }
            System.out.printf("engine (%s) vs trainer: %d images, same labels, largest probability difference %.2e%n",
                    k.name(), test.count(), worst);
        }
    }

    /** The trainer's evaluation forward pass and a softmax: the probabilities it validates with. */
    private static float[] trainerProbabilities(Network net, Samples data, Kernels k) {
        Batch b = new Batch(net, k, data.count(), false);
        b.load(data, null, 0, data.count());
        try (BatchScheduler s = new BatchScheduler(1)) {
            for (int l = 0; l < net.layers.size(); l++) {
                net.layers.get(l).forward(k, s, data.count(), b.act[l], net.params, b.act[l + 1], true);
            }
        }
        float[] probs = new float[data.count() * 10];
        k.softmaxRows(data.count(), 10, b.act[net.layers.size()], 0, probs, 0);
        return probs;
    }

    private static int argmax(float[] x, int off) {
        int best = 0;
        for (int j = 1; j < 10; j++) if (x[off + j] > x[off + best]) best = j;
        return best;
    }

    @Test
    void weightsComeBackBitForBitThroughAFile(@TempDir Path dir) throws IOException {
        Network net = trained();
        Weights w = net.toWeights(Metadata.unknown());
        Path file = dir.resolve("cnn" + WeightFile.EXTENSION);
        WeightFile.write(file, w);
        Network back = Network.fromWeights(WeightFile.read(file));
        assertArrayEquals(net.parameters(), back.parameters());
        assertEquals(w, back.toWeights(Metadata.unknown()));
        assertEquals(net.inputShape(), back.inputShape());
        assertTrue(Files.size(file) > 4L * net.parameterCount(), "the file holds the weights");
        // and it trains on: the same step on both gives the same bits
        Samples data = MnistSmall.load("train").samples().head(32);
        try (BatchScheduler s = new BatchScheduler(1)) {
            new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s).trainBatch(data, 0, 32);
            new Trainer(back, new Adam(1e-3f, back.parameterCount()), KernelsProvider.get(), s).trainBatch(data, 0, 32);
        }
        assertArrayEquals(net.parameters(), back.parameters());
    }

    @Test
    void flattenGoesWhereAnImageBecomesAVector() {
        // explicit flatten, implicit flatten, flatten before a 1×1 convolution over the flattened values
        Network a = Network.builder(6, 6, 2).conv2d(3, 3, Activation.RELU).flatten().dense(4, Activation.SOFTMAX).build(1);
        Network b = Network.builder(6, 6, 2).conv2d(3, 3, Activation.RELU).dense(4, Activation.SOFTMAX).build(1);
        assertArrayEquals(a.parameters(), b.parameters());
        assertEquals(a.toWeights(Metadata.unknown()), b.toWeights(Metadata.unknown()));
        Network c = Network.builder(4, 4, 1).flatten().conv2d(2, 1, Activation.LINEAR).dense(3, Activation.SOFTMAX).build(1);
        Weights wc = c.toWeights(Metadata.unknown());
        // the 1×1 convolution's output, 1×1×2, is already a vector: no second Flatten
        assertEquals(List.of(Flatten.class, Conv2D.class, DenseWeights.class),
                wc.layers().stream().map(Object::getClass).toList());
        assertArrayEquals(c.parameters(), Network.fromWeights(wc).parameters());
        // A dense-only network on a vector is what a version 1 file holds, as before.
        assertTrue(Network.builder(8).dense(3, Activation.SOFTMAX).build(1).toWeights(Metadata.unknown()).isVersion1());
    }

    private static void assertRefused(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void theBuilderRefusesLayersThatDoNotFit() {
        assertRefused("image height, width and channels must be >= 1, got 28×0×1", () -> Network.builder(28, 0, 1));
        assertRefused("more values than a Java array holds", () -> Network.builder(65536, 65536, 1));
        Network.Builder b = Network.builder(6, 6, 1);
        assertRefused("conv2d layer 0: its 7×7 kernel is larger than its 6×6×1 input", () -> b.conv2d(4, 7, Activation.RELU));
        assertRefused("conv2d layer 0: filters must be >= 1, got 0", () -> b.conv2d(0, 3, Activation.RELU));
        assertRefused("conv2d layer 0: kernel must be >= 1, got 0", () -> b.conv2d(4, 0, Activation.RELU));
        assertRefused("conv2d layer 0: the trainer trains relu and linear convolutions, not SOFTMAX",
                () -> b.conv2d(4, 3, Activation.SOFTMAX));
        assertRefused("conv2d layer 0: activation is null", () -> b.conv2d(4, 3, null));
        b.conv2d(4, 3, Activation.RELU); // 4×4×4
        assertRefused("maxPool layer 1: its 5×5 window is larger than its 4×4×4 input", () -> b.maxPool(5));
        assertRefused("maxPool layer 1: size must be >= 1, got 0", () -> b.maxPool(0));
        b.maxPool(3); // 1×1×4: floor drops a row and a column
        assertRefused("its 2×2 kernel is larger than its 1×1×4 input", () -> b.conv2d(1, 2, Activation.RELU));
        assertRefused("(a vector: for images use Network.builder(height, width, channels))",
                () -> Network.builder(784).conv2d(8, 3, Activation.RELU));
        assertRefused("maxPool layer 0: its 2×2 window is larger than its 1×1×36 input (flattened: conv2d and maxPool go before",
                () -> Network.builder(6, 6, 1).flatten().maxPool(2));
        // A convolution whose parameters would not fit the network's one array.
        assertRefused("conv2d layer 0 has 2500050000 parameters, more than the",
                () -> Network.builder(1, 1, 50000).conv2d(50000, 1, Activation.RELU));
        // softmax before the last layer: refused when the network is built, as for dense networks
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Network.builder(6, 6, 1)
                .dense(36, Activation.SOFTMAX).flatten().dense(2, Activation.SOFTMAX).build(1));
        assertTrue(e.getMessage().contains("softmax is supported on the last layer only"), e.getMessage());
        // The trainer needs a softmax at the end; a convolution there is not one.
        Network convLast = Network.builder(6, 6, 1).conv2d(2, 3, Activation.RELU).build(1);
        try (BatchScheduler s = new BatchScheduler(1)) {
            assertRefused("the last layer must be softmax",
                    () -> new Trainer(convLast, new Adam(1e-3f, convLast.parameterCount()), KernelsProvider.get(), s));
        }
    }

    @Test
    void fromWeightsRefusesWhatTheTrainerCannotTrain() {
        float[] k9 = new float[9 * 2], b2 = new float[2];
        Shape image = new Shape(6, 6, 1);
        DenseWeights head = new DenseWeights(32, 2, Activation.SOFTMAX, new float[64], new float[2]);
        assertRefused("layer 0: the trainer trains dense, flatten, conv2d (square kernel, stride 1, valid padding)",
                () -> Network.fromWeights(weights(image, new Conv2D(3, 3, 1, 2, 2, 2, Padding.VALID, Activation.RELU, k9, b2),
                        new Flatten(), new DenseWeights(8, 2, Activation.SOFTMAX, new float[16], new float[2]))));
        assertRefused("layer 0: the trainer trains dense",
                () -> Network.fromWeights(weights(image, new Conv2D(3, 3, 1, 2, 1, 1, new Padding(1, 1, 1, 1), Activation.RELU,
                        k9, b2), new Flatten(), new DenseWeights(72, 2, Activation.SOFTMAX, new float[144], new float[2]))));
        assertRefused("layer 1: the trainer trains dense",
                () -> Network.fromWeights(weights(image, new Conv2D(3, 3, 1, 2, 1, 1, Padding.VALID, Activation.RELU, k9, b2),
                        new MaxPool2D(2, 2, 1, 1, Padding.VALID), new Flatten(),
                        new DenseWeights(18, 2, Activation.SOFTMAX, new float[36], new float[2]))));
        assertRefused("layer 1: the trainer trains dense",
                () -> Network.fromWeights(weights(image, new Conv2D(3, 3, 1, 2, 1, 1, Padding.VALID, Activation.RELU, k9, b2),
                        new BatchNorm(new float[] {1, 1}, new float[2], new float[2], new float[] {1, 1}, 1e-3f),
                        new Flatten(), head)));
        assertRefused("layer 0: the trainer trains relu and linear convolutions, not SIGMOID",
                () -> Network.fromWeights(weights(image, new Conv2D(3, 3, 1, 2, 1, 1, Padding.VALID, Activation.SIGMOID, k9, b2),
                        new Flatten(), head)));
        Weights scaled = new Weights(image, List.of(new Flatten(), new DenseWeights(36, 2, Activation.SOFTMAX, new float[72],
                new float[2])), Metadata.unknown(), new InputRange(-1f, 1f), List.of(), Provenance.lanes());
        assertRefused("the trainer takes inputs in [0, 1], the weights take 6×6×1 in", () -> Network.fromWeights(scaled));
    }

    private static Weights weights(Shape input, lanes.engine.Layer... layers) {
        return new Weights(input, List.of(layers), Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes());
    }
}
