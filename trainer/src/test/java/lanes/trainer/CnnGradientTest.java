package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * The trainer's convolution, pooling and dense gradients against {@link CnnReference}, the same network
 * computed in double from the definitions; and the reference itself against central differences of its
 * own loss. The trainer computes in float, so they agree to float's rounding of the sums, not exactly.
 */
class CnnGradientTest {

    /** 12×12×2 → conv 3×3×3 → 10×10×3 → pool 2 → 5×5×3 → conv 2×2×4 → 4×4×4 → dense 5. */
    static Network small(long seed) {
        return Network.builder(12, 12, 2).conv2d(3, 3, Activation.RELU).maxPool(2).conv2d(4, 2, Activation.RELU)
                .dense(5, Activation.SOFTMAX).build(seed);
    }

    /** The reference CNN of the plan, on MNIST's 28×28×1. */
    static Network reference(long seed) {
        return Network.builder(28, 28, 1).conv2d(16, 5, Activation.RELU).maxPool(2).conv2d(32, 5, Activation.RELU)
                .maxPool(2).dense(10, Activation.SOFTMAX).build(seed);
    }

    @Test
    void smallNetworkGradientMatchesTheDoubleReference() {
        Samples data = TestData.bands(24, 12 * 12 * 2, 5, 21);
        assertMatchesReference(small(3), data, 1e-5);
    }

    @Test
    void referenceShapeGradientMatchesTheDoubleReferenceOnRealDigits() throws IOException {
        Samples data = MnistSmall.load("train").samples().head(6);
        assertMatchesReference(reference(5), data, 1e-5);
    }

    /**
     * Linear layers and a linear convolution between pools: no ReLU zeros, so the gradient flows through
     * every pooled maximum and every weight.
     */
    @Test
    void linearConvolutionsMatchTheDoubleReference() {
        Network net = Network.builder(9, 9, 3).conv2d(4, 2, Activation.LINEAR).maxPool(2).conv2d(3, 3, Activation.LINEAR)
                .dense(4, Activation.RELU).dense(3, Activation.SOFTMAX).build(8);
        assertMatchesReference(net, TestData.bands(10, 9 * 9 * 3, 3, 4), 1e-5);
    }

    /**
     * Every parameter's gradient within {@code tolerance} × the largest gradient of its layer's kernel or
     * bias, plus 1e-3 of its own size (float sums over up to 18,432 terms against double ones), and the loss
     * within 1e-5 relative.
     */
    private static void assertMatchesReference(Network net, Samples data, double tolerance) {
        float[] got = new float[net.parameterCount()];
        double loss;
        try (BatchScheduler s = new BatchScheduler(2)) {
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            loss = t.gradient(data, got);
        }
        CnnReference ref = new CnnReference(net);
        double[] want = new double[net.parameterCount()];
        double refLoss = ref.lossAndGradient(data, want);
        assertEquals(refLoss, loss, 1e-5 * refLoss, "loss");
        int checked = 0;
        double worst = 0;
        for (int[] block : blocks(net)) {
            double scale = 0;
            for (int i = block[0]; i < block[1]; i++) scale = Math.max(scale, Math.abs(want[i]));
            assertTrue(scale > 0, "block [" + block[0] + ", " + block[1] + ") has a zero gradient: nothing is tested");
            for (int i = block[0]; i < block[1]; i++) {
                double err = Math.abs(got[i] - want[i]);
                worst = Math.max(worst, err / scale);
                assertTrue(err <= tolerance * scale + 1e-3 * Math.abs(want[i]),
                        "parameter " + i + " in [" + block[0] + ", " + block[1] + "): trainer " + got[i] + ", reference "
                                + want[i] + " (largest in block " + scale + ")");
                checked++;
            }
        }
        assertEquals(net.parameterCount(), checked);
        System.out.printf("CNN gradient vs double reference: %d parameters, worst error %.2e of its block's largest%n",
                checked, worst);
    }

    /** Each layer's kernel and bias as [from, to) ranges of the flat parameters. */
    static java.util.List<int[]> blocks(Network net) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (Layer layer : net.layers) {
            switch (layer) {
                case Dense d -> {
                    out.add(new int[] {d.weightOffset, d.biasOffset});
                    out.add(new int[] {d.biasOffset, d.biasOffset + d.out});
                }
                case Conv c -> {
                    out.add(new int[] {c.weightOffset, c.biasOffset});
                    out.add(new int[] {c.biasOffset, c.biasOffset + c.filters});
                }
                case MaxPool p -> { }
            }
        }
        return out;
    }

    private static boolean isBias(Network net, int[] block) {
        for (Layer layer : net.layers) {
            if (layer instanceof Dense d && block[0] == d.biasOffset || layer instanceof Conv c && block[0] == c.biasOffset) return true;
        }
        return false;
    }

    /**
     * The reference's own backward pass against central differences of its loss, in double, for every
     * convolution parameter (below and above a pool) and the dense ones: the oracle is checked as well.
     */
    @Test
    void referenceGradientMatchesCentralDifferences() {
        Network net = small(9);
        Samples data = TestData.bands(8, 12 * 12 * 2, 5, 2);
        CnnReference ref = new CnnReference(net);
        // Biases away from zero: with zero biases, a window of background pixels sums to exactly 0, a ReLU
        // kink that the bias's central difference straddles.
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        for (int[] block : blocks(net)) {
            if (isBias(net, block)) for (int i = block[0]; i < block[1]; i++) ref.params[i] = rnd.nextDouble(-0.1, 0.1);
        }
        double[] grad = new double[net.parameterCount()];
        ref.lossAndGradient(data, grad);
        double h = 1e-6;
        int checked = 0, bad = 0;
        for (int i = 0; i < grad.length; i++) {
            double keep = ref.params[i];
            ref.params[i] = keep + h;
            double up = ref.lossAndGradient(data, null);
            ref.params[i] = keep - h;
            double down = ref.lossAndGradient(data, null);
            ref.params[i] = keep;
            double numeric = (up - down) / (2 * h);
            checked++;
            // A ReLU kink or a change of maximum within ±h would break the difference: none is expected at 1e-6
            // (pixels are multiples of 1/255, so equal window sums are possible but not at these weights).
            if (Math.abs(numeric - grad[i]) > 1e-7 + 1e-5 * Math.abs(numeric)) bad++;
        }
        assertEquals(net.parameterCount(), checked);
        assertEquals(0, bad, bad + " of " + checked + " reference gradients disagree with central differences");
    }

    /**
     * The trainer's float gradient against central differences of its own float loss ({@link Trainer#evaluate}),
     * as TrainerTest does for dense layers: loose, since float differences are noisy.
     */
    @Test
    void trainerGradientMatchesFiniteDifferences() {
        Network net = small(4);
        Samples data = TestData.bands(20, 12 * 12 * 2, 5, 6);
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s);
            float[] grad = new float[net.parameterCount()];
            t.gradient(data, grad);
            float h = 1e-2f;
            int[] checkedBad = TrainerTest.centralDifferences(net, t, data, grad, h, 1);
            int checked = checkedBad[0], bad = checkedBad[1];
            assertTrue(bad <= checked / 20, bad + " of " + checked + " gradients disagree with finite differences");
        }
    }
}
