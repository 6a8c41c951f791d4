package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * Convolutional networks through {@link Model}: against the double-precision reference, and the same
 * bits on the scalar kernels, on the kernels this run chose (SIMD in the suite's simd execution), on an
 * owned Predictor and in batches on any number of threads.
 */
class LayerModelTest {

    static final int INPUTS = 24;

    static List<Weights> networks() {
        return List.of(TestNetworks.lenet(1), TestNetworks.bnStride2(2, new InputRange(0, 255)),
                TestNetworks.bnStride2(3, new InputRange(-1, 1)), TestNetworks.bnStride2(4, InputRange.UNIT),
                withRange(TestWeights.model(5, Metadata.unknown(), 30, Activation.SOFTMAX, 12, 4), new InputRange(-1, 1)),
                withRange(TestNetworks.validFirst(6), new InputRange(-0.4242f, 2.8215f)));
    }

    static Weights withRange(Weights w, InputRange r) {
        return new Weights(w.inputShape(), w.layers(), w.metadata(), r, w.labels(), w.provenance());
    }

    /** Largest |model − reference| over the outputs, relative to max(1, |reference|). */
    static double error(float[] got, double[] want) {
        double e = 0;
        for (int j = 0; j < want.length; j++) e = Math.max(e, Math.abs(got[j] - want[j]) / Math.max(1, Math.abs(want[j])));
        return e;
    }

    @Test
    void modelsMatchTheDoublePrecisionReference() {
        for (Weights w : networks()) {
            for (Kernels k : List.of(KernelsProvider.scalar(), KernelsProvider.get())) {
                Model m = Model.of(w, k);
                assertTrue(m.outputsProbabilities());
                float[] p = new float[m.outputs()];
                double worst = 0;
                int agree = 0;
                for (int s = 0; s < INPUTS; s++) {
                    float[] x = TestNetworks.input(100 + s, w.inputSize());
                    int label = m.predict(x, p);
                    double[] ref = ReferenceForward.run(w, x);
                    worst = Math.max(worst, error(p, ref));
                    int best = 0;
                    for (int j = 1; j < ref.length; j++) if (ref[j] > ref[best]) best = j;
                    if (best == label) agree++;
                }
                assertTrue(worst < 2e-5, w.layers().size() + " layers on " + k + ": max relative error " + worst);
                assertTrue(agree >= INPUTS - 1, "labels agreeing with the reference: " + agree);
            }
        }
    }

    @Test
    void scalarSimdPredictorAndBatchThreadsGiveTheSameBits() {
        for (Weights w : networks()) {
            Model scalar = Model.of(w, KernelsProvider.scalar());
            Model chosen = Model.of(w, KernelsProvider.get());
            int n = w.inputSize(), out = w.outputSize();
            float[] batch = new float[INPUTS * n];
            float[] expected = new float[INPUTS * out];
            int[] labels = new int[INPUTS];
            Predictor own = chosen.newPredictor();
            float[] p = new float[out];
            for (int s = 0; s < INPUTS; s++) {
                float[] x = TestNetworks.input(200 + s, n);
                System.arraycopy(x, 0, batch, s * n, n);
                labels[s] = scalar.predict(x, p);
                System.arraycopy(p, 0, expected, s * out, out);
                float[] q = new float[out];
                assertEquals(labels[s], chosen.predict(x, q));
                assertBits(p, q, "chosen kernels, input " + s);
                assertEquals(labels[s], own.predict(x, q));
                assertBits(p, q, "predictor, input " + s);
                assertEquals(labels[s], chosen.predict(x));
            }
            for (Model m : List.of(scalar, chosen)) {
                for (int threads : new int[] {1, 2, 3}) {
                    float[] probs = new float[INPUTS * out];
                    int[] got = new int[INPUTS];
                    try (BatchScheduler sch = new BatchScheduler(threads)) {
                        m.predictBatch(batch, INPUTS, got, probs, sch);
                    }
                    assertArrayEquals(labels, got);
                    assertBits(expected, probs, threads + " threads");
                }
            }
        }
    }

    static void assertBits(float[] want, float[] got, String where) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i]))
                throw new AssertionError(where + ": value " + i + " is " + got[i] + ", expected " + want[i]);
        }
    }

    @Test
    void batchNormIsFoldedOnceAndTheWeightsKeepItAsTrained() throws Exception {
        Weights w = TestNetworks.bnStride2(5, InputRange.UNIT);
        BatchNorm bn = (BatchNorm) w.layers().get(1);
        Conv2D conv = (Conv2D) w.layers().getFirst();
        float[] kernelBefore = conv.kernel().clone(), gammaBefore = bn.gamma().clone();
        Model m = Model.of(w, KernelsProvider.get());
        assertArrayEquals(kernelBefore, conv.kernel(), "the weights' conv kernel is not changed by folding");
        assertArrayEquals(gammaBefore, bn.gamma());
        // The folded op is the conv alone: conv+BN+relu, then conv (tanh), BN as an affine op, pool,
        // dense (sigmoid), dense+BN+softmax: 6 ops; Reshape, Flatten and the softmax layer cost none.
        assertEquals(6, m.ops.length, java.util.Arrays.toString(java.util.Arrays.stream(m.ops).map(Op::describe).toArray()));
        assertTrue(m.ops[0] instanceof Op.Conv c && c.activation == Activation.RELU && c.kernel != conv.kernel());
        assertTrue(m.ops[2] instanceof Op.Affine);
        // A model built from the re-read file folds the stored BatchNorm once, as the first did: same bits.
        Weights back = WeightFile.read(new java.io.ByteArrayInputStream(WeightFile.encode(w)), "memory");
        assertEquals(w, back);
        Model again = Model.of(back, KernelsProvider.get());
        float[] x = TestNetworks.input(9, w.inputSize()), p = new float[5], q = new float[5];
        m.predict(x, p);
        again.predict(x, q);
        assertBits(p, q, "model from the re-read file");
        assertTrue(error(p, ReferenceForward.run(w, x)) < 2e-5);
    }

    @Test
    void noOpLayersCostNothingAndTheInputRangeFoldsWhenLowIsZero() {
        Weights w255 = TestNetworks.bnStride2(6, new InputRange(0, 255));
        Weights wSym = TestNetworks.bnStride2(6, new InputRange(-1, 1));
        assertEquals(6, Model.of(w255, KernelsProvider.scalar()).ops.length, "[0, 255] folds into the first conv");
        Model sym = Model.of(wSym, KernelsProvider.scalar());
        assertEquals(7, sym.ops.length, "[-1, 1] before a padded conv is an op of its own");
        assertTrue(sym.ops[0] instanceof Op.Affine);
        // Before a Dense or an unpadded conv any range folds: the bias takes low·(column sum).
        Model mlpSym = Model.of(withRange(TestWeights.model(1, Metadata.unknown(), 20, Activation.SOFTMAX, 8, 3),
                new InputRange(-1, 1)), KernelsProvider.scalar());
        assertEquals(2, mlpSym.ops.length);
        Model convSym = Model.of(withRange(TestNetworks.validFirst(2), new InputRange(-1, 1)), KernelsProvider.scalar());
        // the range folds into the first conv (here joined with the ReLU and the pooling after it): no Affine op
        assertTrue(convSym.ops[0] instanceof Op.ConvReluPool, convSym.ops[0].describe());
        Model shifted = Model.of(withRange(TestWeights.model(1, Metadata.unknown(), 20, Activation.SOFTMAX, 8, 3),
                new InputRange(1, 2)), KernelsProvider.scalar()); // scale 1, low 1: the bias alone changes
        float[] x = TestNetworks.input(4, 20), p = new float[3];
        shifted.predict(x, p);
        assertTrue(error(p, ReferenceForward.run(shifted.weights(), x)) < 2e-5);
        // A Dense MLP runs on copies of its arrays (the caller's weights cannot change the model), unfolded.
        Weights mlp = TestWeights.model(1, Metadata.unknown(), 20, Activation.SOFTMAX, 8, 3);
        Model m = Model.of(mlp, KernelsProvider.scalar());
        assertEquals(2, m.ops.length);
        float[] own = ((Op.Dense) m.ops[0]).kernel, given = ((DenseWeights) mlp.layers().get(0)).kernel();
        assertTrue(own != given && java.util.Arrays.equals(own, given));
        // A network of only no-ops still predicts (its input, copied).
        Weights flat = new Weights(new Shape(2, 1, 2), List.of(new Flatten(), new ActivationLayer(Activation.LINEAR)),
                Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes());
        float[] out = new float[4];
        assertEquals(2, Model.of(flat, KernelsProvider.scalar()).predict(new float[] {0.1f, 0.2f, 0.9f, 0.3f}, out));
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.9f, 0.3f}, out);
    }

    @Test
    void softmaxOnlyAsAFlatOutput() {
        SplittableRandom r = new SplittableRandom(1);
        List<Layer> middle = new ArrayList<>(List.of(TestNetworks.conv(r, 3, 1, 2, 1, Padding.VALID, Activation.LINEAR),
                new ActivationLayer(Activation.SOFTMAX), new Flatten()));
        Weights spatial = new Weights(new Shape(4, 4, 1), middle, Metadata.unknown(), InputRange.UNIT, List.of(), Provenance.lanes());
        var e = assertThrows(IllegalArgumentException.class, () -> Model.of(spatial, KernelsProvider.scalar()));
        assertTrue(e.getMessage().contains("softmax over the 2×2×2 output of layer 1"), e.getMessage());
        middle.add(TestNetworks.dense(r, 8, 2, Activation.RELU));
        Weights notLast = new Weights(new Shape(4, 4, 1), List.of(new Flatten(), TestNetworks.dense(r, 16, 3, Activation.SOFTMAX),
                new Flatten(), TestNetworks.dense(r, 3, 2, Activation.LINEAR)), Metadata.unknown(), InputRange.UNIT,
                List.of(), Provenance.lanes());
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(notLast, KernelsProvider.scalar()));
        assertTrue(e.getMessage().contains("layer 1 has it and layer 3 (Dense) follows"), e.getMessage());
        BatchNorm zero = new BatchNorm(new float[] {1}, new float[] {0}, new float[] {0}, new float[] {0}, 0f);
        Weights divides = new Weights(Shape.vector(1), List.of(zero), Metadata.unknown(), InputRange.UNIT, List.of(),
                Provenance.lanes());
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(divides, KernelsProvider.scalar()));
        assertTrue(e.getMessage().contains("variance + epsilon = 0.0"), e.getMessage());
    }

    @Test
    void accessorsDescribeTheNetwork() {
        Model m = Model.of(TestNetworks.bnStride2(7, new InputRange(0, 255)), KernelsProvider.scalar());
        assertEquals(new Shape(12, 12, 2), m.inputShape());
        assertEquals(288, m.inputSize());
        assertEquals(new InputRange(0, 255), m.inputRange());
        assertEquals(List.of("a", "b", "c", "d", "e"), m.labels());
        assertEquals(new Provenance("keras", "bn.keras", "3.6.0"), m.provenance());
        var e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[784]));
        assertTrue(e.getMessage().contains("input must have 288 values, has 784"), e.getMessage());
    }
}
