package lanes.engine;

import static lanes.engine.LayerModelTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lanes.kernels.Bf16;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * {@link Model#withBf16Weights()}: the answers of the same network with its Dense kernels rounded to bf16
 * and run in float32, bit for bit, whichever path computes them (the packed single-row kernel or the float
 * GEMM, scalar or SIMD, predict or predictBatch), and nothing allocated per prediction.
 */
class Bf16ModelTest {

    /** The network with each Dense kernel rounded to bf16 by hand: the oracle, run on the float kernels. */
    private static Weights rounded(Weights w) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : w.layers()) {
            if (l instanceof DenseWeights d) {
                float[] k = d.kernel().clone();
                for (int i = 0; i < k.length; i++) k[i] = Bf16.round(k[i]);
                layers.add(new DenseWeights(d.inputs(), d.units(), d.activation(), k, d.bias()));
            } else {
                layers.add(l);
            }
        }
        return new Weights(w.inputShape(), layers, w.metadata(), w.inputRange(), w.labels(), w.provenance());
    }

    @Test
    void theFastModelInBf16GivesTheBitsOfItsRoundedWeights() {
        Weights fast = Model.loadBundled("mnist-fast").weights();
        float[][] inputs = ModelConcurrencyTest.syntheticDigits(21, 200);
        float[] want = new float[10], got = new float[10];
        int differ = 0;
        for (Kernels k : List.of(KernelsProvider.scalar(), KernelsProvider.get())) {
            Model oracle = Model.of(rounded(fast), k), bf16 = Model.of(fast, k).withBf16Weights(), plain = Model.of(fast, k);
            assertTrue(bf16.bf16Weights() && !plain.bf16Weights());
            assertTrue(bf16.toString().contains("dense weights bf16"), bf16.toString());
            assertEquals(fast, bf16.weights(), "weights() stays the float32 network");
            Predictor own = bf16.newPredictor();
            for (int s = 0; s < inputs.length; s++) {
                int label = oracle.predict(inputs[s], want);
                assertEquals(label, bf16.predict(inputs[s], got), k.name() + " input " + s);
                assertBits(want, got, k.name() + " input " + s);
                assertEquals(label, own.predict(inputs[s], got));
                assertBits(want, got, k.name() + " predictor, input " + s);
                plain.predict(inputs[s], got);
                if (Float.floatToRawIntBits(got[0]) != Float.floatToRawIntBits(want[0])) differ++;
            }
            float[] flat = new float[inputs.length * 784];
            for (int s = 0; s < inputs.length; s++) System.arraycopy(inputs[s], 0, flat, s * 784, 784);
            float[] wantAll = new float[inputs.length * 10], gotAll = new float[inputs.length * 10];
            int[] labels = new int[inputs.length];
            oracle.predictBatch(flat, inputs.length, labels, wantAll);
            bf16.predictBatch(flat, inputs.length, labels, gotAll);
            assertBits(wantAll, gotAll, k.name() + " predictBatch");
        }
        assertTrue(differ > 300, "bf16 must change the float32 model's probabilities (it changed " + differ + " of 400)");
    }

    @Test
    void scalarAndSimdAgreeBitForBitOnEveryWidth() {
        // Dense widths that take every path of the packed kernel: whole 128-column passes, single groups,
        // a masked part-group (40, 200), and the unpacked float path (10, below one 32-column group).
        Weights w = TestWeights.model(5, Metadata.unknown(), 784, Activation.SOFTMAX, 200, 40, 128, 10);
        Model scalar = Model.of(w, KernelsProvider.scalar()).withBf16Weights(), simd = Model.of(w, KernelsProvider.get()).withBf16Weights();
        float[] a = new float[10], b = new float[10];
        for (float[] x : ModelConcurrencyTest.syntheticDigits(22, 100)) {
            assertEquals(scalar.predict(x, a), simd.predict(x, b));
            assertBits(a, b, "scalar vs " + simd.kernels());
        }
    }

    @Test
    void isAnOptInThatKeepsTheInputCheck() {
        Model m = Model.loadBundled("mnist-fast").withInputCheck();
        Model bf16 = m.withBf16Weights();
        assertTrue(bf16.checksInputs(), "the input check survives");
        assertSame(bf16, bf16.withBf16Weights());
        assertFalse(m.bf16Weights());
        assertTrue(bf16.withInputCheck().bf16Weights());
    }

    @Test
    void predictAllocatesNothing() {
        Model m = Model.loadBundled("mnist-fast").withBf16Weights();
        Predictor own = m.newPredictor();
        float[][] xs = ModelConcurrencyTest.syntheticDigits(23, 8);
        float[] p = new float[10];
        long[] sink = {0};
        long bytes = SteadyAllocation.bytesPerRound(() -> {
            for (int i = 0; i < 5_000; i++) sink[0] += m.predict(xs[i & 7]) + own.predict(xs[i & 7], p);
        });
        assertEquals(0, bytes, "bytes allocated by 10,000 bf16 predictions after warm-up (labels sum " + sink[0] + ")");
    }
}
