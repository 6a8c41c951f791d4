package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static lanes.kernels.TestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Row softmax and the fused softmax + cross-entropy: values, gradient, stability, aliasing. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SoftmaxTest {

    private static final float PAD = -4.5f;

    /**
     * Logits x[m×n] from offset off, PAD elsewhere. Rows cycle through: Gaussian (σ = 4), ±1e4 mixed
     * with ordinary values, all equal, and one dominant entry that drives the rest to underflow.
     */
    private static float[] logits(SplittableRandom r, int m, int n, int off, int tail) {
        float[] x = new float[off + m * n + tail];
        Arrays.fill(x, PAD);
        for (int i = 0; i < m; i++) {
            int row = off + i * n;
            switch (i % 4) {
                case 0 -> { for (int j = 0; j < n; j++) x[row + j] = (float) (4 * r.nextGaussian()); }
                case 1 -> { for (int j = 0; j < n; j++) x[row + j] = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1e4f : -1e4f) : (float) r.nextGaussian(); }
                case 2 -> Arrays.fill(x, row, row + n, 7.5f);
                default -> {
                    for (int j = 0; j < n; j++) x[row + j] = (float) r.nextGaussian();
                    if (n > 0) x[row + r.nextInt(n)] = 200f;
                }
            }
        }
        return x;
    }

    private static float[] padded(int off, int len, int tail) {
        float[] y = new float[off + len + tail];
        Arrays.fill(y, PAD);
        return y;
    }

    private static void assertPaddingKept(float[] y, int off, int len, String what) {
        for (int i = 0; i < y.length; i++) {
            if ((i < off || i >= off + len) && Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(PAD)) {
                throw new AssertionError(what + ": element " + i + " outside the output was written: " + y[i]);
            }
        }
    }

    /**
     * Finite, in [0, 1], and within 1e-6 of the double reference, element by element and for each row's sum.
     * Long rows get the float summation term on top: the n exponentials are added in float, and that sum's
     * relative error, up to (n−1)·u, carries into every element (observed: 1.1e-6 at n = 784).
     */
    private static void assertSoftmax(int m, int n, float[] x, int xOff, float[] y, int yOff, String what) {
        double[] expected = NaiveReference.softmaxRows(m, n, x, xOff);
        double sumError = (n + 2) * 0x1p-24;
        for (int i = 0; i < m && n > 0; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float p = y[yOff + i * n + j];
                assertTrue(Float.isFinite(p) && p >= 0 && p <= 1, what + ": y[" + i + "][" + j + "] = " + p);
                assertClose(expected[i * n + j], p, 1e-6 + sumError * p, what + ": y[" + i + "][" + j + "]");
                sum += p;
            }
            assertClose(1.0, sum, 1e-6 + sumError, what + ": sum of row " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void softmaxRowsMatchesReference(Kernels kern) {
        SplittableRandom r = new SplittableRandom(21);
        for (int n : LENGTHS) {
            for (int m : new int[] {0, 1, 4, 9}) {
                int xOff = r.nextInt(7), yOff = r.nextInt(7);
                float[] x = logits(r, m, n, xOff, 3), xBefore = x.clone(), y = padded(yOff, m * n, 5);
                kern.softmaxRows(m, n, x, xOff, y, yOff);
                String what = kern.name() + " softmaxRows m=" + m + " n=" + n;
                assertSoftmax(m, n, x, xOff, y, yOff, what);
                assertPaddingKept(y, yOff, m * n, what);
                assertBitsEqual(xBefore, x, "x is read-only");
                if (m > 2 && n > 0) {
                    for (int j = 0; j < n; j++) assertEquals(1f / n, y[yOff + 2 * n + j], what + ": all-equal row"); // exp(0) = 1 each
                }
            }
        }
    }

    @Test
    void softmaxRowsVectorIsCloseToScalar() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(22);
        for (int n : LENGTHS) {
            int m = 8;
            float[] x = logits(r, m, n, 0, 0), ys = new float[m * n], yv = new float[m * n];
            scalar.softmaxRows(m, n, x, 0, ys, 0);
            vector.softmaxRows(m, n, x, 0, yv, 0);
            for (int i = 0; i < m * n; i++) {
                // exp may differ in its last bit and the row sum is added in another order.
                assertClose(ys[i], yv[i], 2e-6 * ys[i] + 1e-30, "softmaxRows n=" + n + " element " + i);
            }
        }
    }

    /** Runs the fused kernel with separate probs and grad arrays, all with offsets and padding. */
    private record CeResult(double loss, float[] probs, float[] grad, int pOff, int gOff) {}

    private static CeResult crossEntropy(Kernels kern, int m, int n, float[] x, int xOff, int[] labels, int lOff, float scale) {
        int pOff = 3, gOff = 5;
        float[] probs = padded(pOff, m * n, 2), grad = padded(gOff, m * n, 4);
        float[] xBefore = x.clone();
        int[] labelsBefore = labels.clone();
        double loss = kern.softmaxCrossEntropy(m, n, x, xOff, labels, lOff, probs, pOff, grad, gOff, scale);
        assertBitsEqual(xBefore, x, "x is read-only");
        assertTrue(Arrays.equals(labelsBefore, labels), "labels are read-only");
        assertPaddingKept(probs, pOff, m * n, kern.name() + " probs");
        assertPaddingKept(grad, gOff, m * n, kern.name() + " grad");
        return new CeResult(loss, probs, grad, pOff, gOff);
    }

    private static int[] labels(SplittableRandom r, int m, int n, int off) {
        int[] labels = new int[off + m + 2];
        Arrays.fill(labels, -1); // outside [off, off+m): invalid, so reading it would throw
        for (int i = 0; i < m; i++) labels[off + i] = r.nextInt(n);
        return labels;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void crossEntropyMatchesReference(Kernels kern) {
        SplittableRandom r = new SplittableRandom(23);
        for (int n : LENGTHS) {
            if (n == 0) continue;
            for (int m : new int[] {1, 4, 7}) {
                int xOff = r.nextInt(5), lOff = r.nextInt(3);
                float[] x = logits(r, m, n, xOff, 2);
                int[] labels = labels(r, m, n, lOff);
                int[] rowLabels = Arrays.copyOfRange(labels, lOff, lOff + m);
                float scale = 1f / m;
                CeResult res = crossEntropy(kern, m, n, x, xOff, labels, lOff, scale);
                String what = kern.name() + " softmaxCrossEntropy m=" + m + " n=" + n;

                // Loss: each row's log-sum-exp and logit difference are float, so allow a few ulps of their size.
                double tol = 0;
                for (int i = 0; i < m; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) max = Math.max(max, x[xOff + i * n + j]);
                    tol += 4 * 0x1p-24 * (Math.abs(max) + Math.abs(x[xOff + i * n + rowLabels[i]]) + Math.log(n) + 1);
                }
                assertClose(NaiveReference.crossEntropy(m, n, x, xOff, rowLabels), res.loss(), tol, what + ": loss");
                assertTrue(Double.isFinite(res.loss()), what);

                assertSoftmax(m, n, x, xOff, res.probs(), res.pOff(), what + " probs");
                double[] p = NaiveReference.softmaxRows(m, n, x, xOff);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double expected = (p[i * n + j] - (j == rowLabels[i] ? 1 : 0)) * scale;
                        assertClose(expected, res.grad()[res.gOff() + i * n + j], 2e-6 * scale, what + ": grad[" + i + "][" + j + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void crossEntropyGradientMatchesFiniteDifferences(Kernels kern) {
        SplittableRandom r = new SplittableRandom(24);
        for (int n : new int[] {2, 7, 17, 33}) {
            int m = 3;
            float[] x = new float[m * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (2 * r.nextGaussian());
            int[] labels = labels(r, m, n, 0);
            int[] rowLabels = Arrays.copyOf(labels, m);
            float scale = 0.75f;
            CeResult res = crossEntropy(kern, m, n, x, 0, labels, 0, scale);
            double[] xd = new double[m * n];
            for (int i = 0; i < xd.length; i++) xd[i] = x[i];
            for (int idx = 0; idx < m * n; idx++) {
                double grad = res.grad()[res.gOff() + idx];
                String what = kern.name() + " n=" + n + " d loss / d x[" + idx + "]";

                // In double on the reference loss: checks the formula itself, tightly.
                double h = 1e-4, saved = xd[idx];
                xd[idx] = saved + h;
                double up = NaiveReference.crossEntropy(m, n, xd, rowLabels);
                xd[idx] = saved - h;
                double down = NaiveReference.crossEntropy(m, n, xd, rowLabels);
                xd[idx] = saved;
                assertClose(scale * (up - down) / (2 * h), grad, 1e-5, what + " (double reference)");

                // On the kernel's own float loss: checks that its gradient belongs to the loss it returns.
                // Float noise in the loss (~1e-6) over 2h = 2^-6 and the O(h²) truncation stay below 2e-4.
                float xi = x[idx];
                float xUp = xi + 0x1p-7f, xDown = xi - 0x1p-7f;
                x[idx] = xUp;
                double lUp = crossEntropy(kern, m, n, x, 0, labels, 0, 1f).loss();
                x[idx] = xDown;
                double lDown = crossEntropy(kern, m, n, x, 0, labels, 0, 1f).loss();
                x[idx] = xi;
                assertClose(scale * (lUp - lDown) / ((double) xUp - xDown), grad, 2e-4, what + " (kernel loss)");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void extremeLogitsGiveFiniteLossAndGradient(Kernels kern) {
        for (int n : new int[] {2, 3, 16, 17, 129}) {
            int m = 4;
            // Rows 0-2 repeat 1e4, −1e4, 0; row 3 is all −1e4.
            float[] x = new float[m * n];
            for (int i = 0; i < 3 * n; i++) x[i] = (i % n) % 3 == 0 ? 1e4f : ((i % n) % 3 == 1 ? -1e4f : 0f);
            Arrays.fill(x, 3 * n, 4 * n, -1e4f);
            // Row 0's label sits on a −1e4 logit (loss ≈ 2e4), row 1's on 1e4, row 2's last, row 3's first.
            int[] labels = {1, 0, n - 1, 0};
            CeResult res = crossEntropy(kern, m, n, x, 0, labels, 0, 1f / m);
            String what = kern.name() + " n=" + n;
            assertTrue(Double.isFinite(res.loss()), what + ": loss " + res.loss());
            double expected = NaiveReference.crossEntropy(m, n, x, 0, labels);
            assertClose(expected, res.loss(), 1e-6 * Math.abs(expected) + 1e-5, what + ": loss");
            assertTrue(res.loss() > 1e4, what + ": a label at a logit 2e4 below the maximum costs about 2e4, got " + res.loss());
            for (int i = 0; i < m * n; i++) {
                assertTrue(Float.isFinite(res.probs()[res.pOff() + i]), what + ": probs[" + i + "]");
                assertTrue(Float.isFinite(res.grad()[res.gOff() + i]), what + ": grad[" + i + "]");
            }
            assertSoftmax(m, n, x, 0, res.probs(), res.pOff(), what);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void gradMayAliasProbs(Kernels kern) {
        SplittableRandom r = new SplittableRandom(25);
        for (int n : new int[] {1, 5, 16, 17, 130}) {
            int m = 5;
            float[] x = logits(r, m, n, 2, 1);
            int[] labels = labels(r, m, n, 1);
            CeResult separate = crossEntropy(kern, m, n, x, 2, labels, 1, 0.2f);
            float[] shared = padded(3, m * n, 1);
            double loss = kern.softmaxCrossEntropy(m, n, x, 2, labels, 1, shared, 3, shared, 3, 0.2f);
            assertEquals(separate.loss(), loss, kern.name() + " n=" + n + ": loss");
            float[] expected = padded(3, m * n, 1);
            System.arraycopy(separate.grad(), separate.gOff(), expected, 3, m * n);
            assertBitsEqual(expected, shared, kern.name() + " n=" + n + ": aliased grad");
        }
    }

    @Test
    void crossEntropyVectorIsCloseToScalar() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(26);
        for (int n : LENGTHS) {
            if (n == 0) continue;
            int m = 8;
            float[] x = logits(r, m, n, 1, 1);
            int[] labels = labels(r, m, n, 0);
            CeResult s = crossEntropy(scalar, m, n, x, 1, labels, 0, 0.125f);
            CeResult v = crossEntropy(vector, m, n, x, 1, labels, 0, 0.125f);
            assertClose(s.loss(), v.loss(), 1e-6 * Math.abs(s.loss()) + 1e-6, "loss n=" + n);
            for (int i = 0; i < m * n; i++) {
                float ps = s.probs()[s.pOff() + i], pv = v.probs()[v.pOff() + i];
                assertClose(ps, pv, 2e-6 * ps + 1e-30, "probs n=" + n + " element " + i);
                assertClose(s.grad()[s.gOff() + i], v.grad()[v.gOff() + i], 2e-6 * 0.125 * ps + 1e-8, "grad n=" + n + " element " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void noRowsMeansNoLossAndNoWrites(Kernels kern) {
        float[] x = {1, 2, 3};
        CeResult res = crossEntropy(kern, 0, 3, x, 0, new int[0], 0, 1f);
        assertEquals(0.0, res.loss());
    }

    /**
     * The same row gives the same bits on the first call (interpreted) as on the ten-thousandth (compiled
     * by C2): a kernel whose result depends on the JIT's state makes predictions change as an application
     * warms up. Wide rows (vector main loop) and 10-class rows (tail), both kernels. First in this class,
     * so that its first call meets the softmax uncompiled (only argument checks call it before).
     */
    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void resultsDoNotDependOnTheJitState(Kernels kern) {
        SplittableRandom r = new SplittableRandom(808);
        for (int n : new int[] {10, 1000}) {
            float[] x = new float[2 * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 4);
            int[] labels = {3, 7};
            float[] first = new float[2 * n], probs = new float[2 * n], grad = new float[2 * n];
            kern.softmaxRows(2, n, x, 0, first, 0);
            double firstLoss = kern.softmaxCrossEntropy(2, n, x, 0, labels, 0, probs, 0, grad, 0, 0.5f);
            float[] firstGrad = grad.clone();
            int calls = n == 10 ? 20_000 : 4_000;
            for (int c = 0; c < calls; c++) {
                float[] y = new float[2 * n];
                kern.softmaxRows(2, n, x, 0, y, 0);
                double loss = kern.softmaxCrossEntropy(2, n, x, 0, labels, 0, probs, 0, grad, 0, 0.5f);
                if (c % 97 == 0 || c == calls - 1) {
                    TestSupport.assertBitsEqual(first, y, kern.name() + " softmax n=" + n + ", call " + c);
                    TestSupport.assertBitsEqual(firstGrad, grad, kern.name() + " gradient n=" + n + ", call " + c);
                    if (Double.doubleToRawLongBits(loss) != Double.doubleToRawLongBits(firstLoss)) {
                        throw new AssertionError(kern.name() + " loss n=" + n + ", call " + c + ": " + loss + " vs " + firstLoss);
                    }
                }
            }
        }
    }
}
