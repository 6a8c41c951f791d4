package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** addBias, sumRows, ReLU and argmax against direct loops, over every vector tail length. */
class ElementwiseTest {

    private static final float PAD = 3.25f;
    private static final int[] ROWS = {0, 1, 3, 5};

    /** x[off .. off+len) random with some exact zeros and −0, PAD elsewhere. */
    private static float[] data(SplittableRandom r, int off, int len, int tail) {
        float[] x = TestSupport.padded(r, off, len, tail, PAD);
        for (int i = 0; i < len; i++) {
            int pick = r.nextInt(10);
            if (pick == 0) x[off + i] = 0f;
            else if (pick == 1) x[off + i] = -0f;
            else x[off + i] = Math.scalb(x[off + i], r.nextInt(13) - 6);
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void addBiasAddsTheBiasToEveryRow(Kernels kern) {
        SplittableRandom r = new SplittableRandom(11);
        for (int m : ROWS) {
            for (int n : LENGTHS) {
                int xOff = r.nextInt(9), bOff = r.nextInt(9);
                float[] x = data(r, xOff, m * n, 5), bias = data(r, bOff, n, 3);
                float[] biasBefore = bias.clone(), expected = x.clone();
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) expected[xOff + i * n + j] = x[xOff + i * n + j] + bias[bOff + j];
                kern.addBias(m, n, x, xOff, bias, bOff);
                assertBitsEqual(expected, x, kern.name() + " addBias m=" + m + " n=" + n);
                assertBitsEqual(biasBefore, bias, "bias is read-only");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void sumRowsMatchesTheReference(Kernels kern) {
        SplittableRandom r = new SplittableRandom(12);
        for (int m : new int[] {0, 1, 2, 7, 64}) {
            for (int n : LENGTHS) {
                int xOff = r.nextInt(9), oOff = r.nextInt(9);
                float[] x = data(r, xOff, m * n, 4), out0 = data(r, oOff, n, 6), xBefore = x.clone();
                double[] sum = NaiveReference.sumRows(m, n, x, xOff);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] out = out0.clone();
                    kern.sumRows(m, n, x, xOff, out, oOff, accumulate);
                    for (int j = 0; j < n; j++) {
                        double start = accumulate ? out0[oOff + j] : 0, abs = Math.abs(start);
                        for (int i = 0; i < m; i++) abs += Math.abs(x[xOff + i * n + j]);
                        TestSupport.assertClose(start + sum[j], out[oOff + j], m * 0x1p-24 * abs * 1.0001,
                                kern.name() + " sumRows m=" + m + " n=" + n + " accumulate=" + accumulate + " out[" + j + "]");
                    }
                    for (int j = 0; j < out.length; j++) {
                        if (j < oOff || j >= oOff + n) assertEquals(PAD, out[j], "out padding at " + j);
                    }
                    assertBitsEqual(xBefore, x, "x is read-only");
                }
            }
        }
    }

    @Test
    void sumRowsAndAddBiasVectorIsBitIdenticalToScalar() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(13);
        for (int m : new int[] {1, 2, 7, 33}) {
            for (int n : LENGTHS) {
                float[] x = data(r, 2, m * n, 1), bias = data(r, 1, n, 0), out = data(r, 3, n, 2);
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] os = out.clone(), ov = out.clone();
                    scalar.sumRows(m, n, x, 2, os, 3, accumulate);
                    vector.sumRows(m, n, x, 2, ov, 3, accumulate);
                    assertBitsEqual(os, ov, "sumRows m=" + m + " n=" + n + " accumulate=" + accumulate);
                }
                float[] xs = x.clone(), xv = x.clone();
                scalar.addBias(m, n, xs, 2, bias, 1);
                vector.addBias(m, n, xv, 2, bias, 1);
                assertBitsEqual(xs, xv, "addBias m=" + m + " n=" + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void reluForwardIsMaxWithZero(Kernels kern) {
        SplittableRandom r = new SplittableRandom(14);
        for (int n : LENGTHS) {
            int xOff = r.nextInt(9), yOff = r.nextInt(9);
            float[] x = data(r, xOff, n, 3), xBefore = x.clone();
            float[] expected = new float[yOff + n + 2];
            Arrays.fill(expected, PAD);
            for (int i = 0; i < n; i++) expected[yOff + i] = x[xOff + i] > 0 ? x[xOff + i] : 0f;
            float[] y = new float[yOff + n + 2];
            Arrays.fill(y, PAD);
            kern.reluForward(n, x, xOff, y, yOff);
            assertBitsEqual(expected, y, kern.name() + " reluForward n=" + n);
            assertBitsEqual(xBefore, x, "x is read-only");

            // In place: x and y the same array and offset.
            kern.reluForward(n, x, xOff, x, xOff);
            float[] inPlace = xBefore.clone();
            for (int i = 0; i < n; i++) inPlace[xOff + i] = expected[yOff + i];
            assertBitsEqual(inPlace, x, kern.name() + " reluForward in place n=" + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void reluBackwardPassesGradientWhereOutputIsPositive(Kernels kern) {
        SplittableRandom r = new SplittableRandom(15);
        for (int n : LENGTHS) {
            int yOff = r.nextInt(9), dyOff = r.nextInt(9), dxOff = r.nextInt(9);
            float[] y = data(r, yOff, n, 1);
            kern.reluForward(n, y, yOff, y, yOff); // a real ReLU output: ≥ 0, with zeros
            float[] dy = data(r, dyOff, n, 2), dyBefore = dy.clone(), yBefore = y.clone();
            float[] expected = new float[dxOff + n + 4];
            Arrays.fill(expected, PAD);
            for (int i = 0; i < n; i++) expected[dxOff + i] = y[yOff + i] > 0 ? dy[dyOff + i] : 0f;
            float[] dx = new float[dxOff + n + 4];
            Arrays.fill(dx, PAD);
            kern.reluBackward(n, y, yOff, dy, dyOff, dx, dxOff);
            assertBitsEqual(expected, dx, kern.name() + " reluBackward n=" + n);
            assertBitsEqual(dyBefore, dy, "dy is read-only");
            assertBitsEqual(yBefore, y, "y is read-only");

            // dx aliasing dy.
            kern.reluBackward(n, y, yOff, dy, dyOff, dy, dyOff);
            float[] inPlace = dyBefore.clone();
            for (int i = 0; i < n; i++) inPlace[dyOff + i] = expected[dxOff + i];
            assertBitsEqual(inPlace, dy, kern.name() + " reluBackward in place n=" + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void argmaxReturnsTheFirstLargest(Kernels kern) {
        SplittableRandom r = new SplittableRandom(16);
        for (int n : LENGTHS) {
            if (n == 0) continue;
            for (int trial = 0; trial < 12; trial++) {
                int off = r.nextInt(9);
                float[] x = data(r, off, n, 3);
                if (trial % 3 == 1) {
                    // Ties: the same maximum at two or three places, one of them possibly in the scalar tail.
                    float top = 100f; // above every generated value (at most 1.05 · 2^6)
                    for (int t = 0; t < 3; t++) x[off + r.nextInt(n)] = top;
                } else if (trial % 3 == 2) {
                    // Few distinct values: ties everywhere, negative maxima.
                    for (int i = 0; i < n; i++) x[off + i] = -(1 + r.nextInt(3));
                }
                // Padding larger than any value: an argmax that reads past the n values returns it.
                for (int i = 0; i < x.length; i++) if (i < off || i >= off + n) x[i] = 1e9f;
                assertEquals(NaiveReference.argmax(n, x, off), kern.argmax(n, x, off),
                        kern.name() + " argmax n=" + n + " trial " + trial + ": " + Arrays.toString(Arrays.copyOfRange(x, off, off + Math.min(n, 40))));
            }
            float[] same = new float[n];
            Arrays.fill(same, -2.5f);
            assertEquals(0, kern.argmax(n, same, 0), kern.name() + " all equal, n=" + n);
            float[] last = new float[n];
            last[n - 1] = Float.MIN_VALUE;
            assertEquals(n - 1, kern.argmax(n, last, 0), kern.name() + " largest last, n=" + n);
        }
        // +0 and −0 compare equal: the first one wins.
        assertEquals(0, kern.argmax(2, new float[] {-0f, 0f}, 0), kern.name());
        assertEquals(0, kern.argmax(2, new float[] {0f, -0f}, 0), kern.name());
        float[] inf = {1f, Float.POSITIVE_INFINITY, 3f, Float.POSITIVE_INFINITY};
        assertEquals(1, kern.argmax(4, inf, 0), kern.name());
        float[] negInf = new float[37];
        Arrays.fill(negInf, Float.NEGATIVE_INFINITY);
        assertEquals(0, kern.argmax(37, negInf, 0), kern.name());
    }
}
