package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** sigmoid and tanh: within the documented 3 ulp of Math.exp / Math.tanh in double, edge values, SIMD = scalar. */
class SigmoidTanhTest {

    private static final DoubleUnaryOperator SIGMOID = v -> 1 / (1 + Math.exp(-v)), TANH = Math::tanh;

    /** Inputs: uniform over ±100, dense near zero (where tanh switches formulas), and every exponent. */
    private static float[] inputs(int n) {
        SplittableRandom r = new SplittableRandom(4242);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 3) {
                case 0 -> (float) (r.nextDouble() * 200 - 100);
                case 1 -> (float) (r.nextDouble() * 2 - 1);
                default -> Math.scalb(TestSupport.nonZero(r), r.nextInt(-60, 8));
            };
        }
        return x;
    }

    /**
     * The worst error in ulps of the exact value. Where the exact value is below 2^-125 (twice the smallest
     * normal float: sigmoid of x &lt; −86.6), +0 is also accepted, since exp flushes below −87.3.
     */
    private static double worstUlps(Kernels kern, boolean sigmoid) {
        float[] x = inputs(120_000), y = new float[x.length];
        if (sigmoid) kern.sigmoid(x.length, x, 0, y, 0); else kern.tanh(x.length, x, 0, y, 0);
        DoubleUnaryOperator exact = sigmoid ? SIGMOID : TANH;
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double e = exact.applyAsDouble(x[i]);
            if (Math.abs(e) < 0x1p-125 && y[i] == 0f) continue;
            worst = Math.max(worst, Math.abs(y[i] - e) / Math.ulp((float) e));
        }
        return worst;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void sigmoidIsWithinThreeUlp(Kernels kern) {
        double worst = worstUlps(kern, true);
        assertTrue(worst <= 3, kern.name() + ": worst sigmoid error " + worst + " ulp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void tanhIsWithinThreeUlp(Kernels kern) {
        double worst = worstUlps(kern, false);
        assertTrue(worst <= 3, kern.name() + ": worst tanh error " + worst + " ulp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void edgeValues(Kernels kern) {
        float[] x = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e4f, -1e4f, 88f, -88f, 9.1f, -9.1f, Float.NaN,
                Float.MIN_VALUE, -Float.MIN_VALUE, 0.5f, Math.nextDown(0.5f)};
        float[] s = new float[x.length], t = new float[x.length];
        kern.sigmoid(x.length, x, 0, s, 0);
        kern.tanh(x.length, x, 0, t, 0);
        float[] sExpected = {0.5f, 0.5f, 1f, 0f, 1f, 0f, 1f, 0f};
        float[] tExpected = {0f, -0f, 1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f};
        for (int i = 0; i < sExpected.length; i++) assertEquals(sExpected[i], s[i], "sigmoid(" + x[i] + ")");
        for (int i = 0; i < tExpected.length; i++) {
            assertEquals(Float.floatToRawIntBits(tExpected[i]), Float.floatToRawIntBits(t[i]), "tanh(" + x[i] + ") = " + t[i]);
        }
        assertTrue(Float.isNaN(s[10]) && Float.isNaN(t[10]), "NaN in, NaN out");
        assertEquals(Float.MIN_VALUE, t[11], "tanh(x) = x for the smallest x");
        assertEquals(-Float.MIN_VALUE, t[12]);
        assertEquals((float) Math.tanh(0.5), t[13], 2 * Math.ulp(t[13]), "either side of the switch to exp");
        assertEquals((float) Math.tanh(Math.nextDown(0.5f)), t[14], 2 * Math.ulp(t[14]));
    }

    @Test
    void vectorEqualsScalarBitForBitInPlaceAndNot() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        float[] all = inputs(4096);
        for (int n : LENGTHS) {
            for (boolean sigmoid : new boolean[] {true, false}) {
                float[] x = java.util.Arrays.copyOfRange(all, n, 2 * n + 3), ys = new float[n + 5], yv = new float[n + 5];
                float[] inPlace = x.clone();
                if (sigmoid) {
                    scalar.sigmoid(n, x, 3, ys, 2);
                    vector.sigmoid(n, x, 3, yv, 2);
                    vector.sigmoid(n, inPlace, 3, inPlace, 3);
                } else {
                    scalar.tanh(n, x, 3, ys, 2);
                    vector.tanh(n, x, 3, yv, 2);
                    vector.tanh(n, inPlace, 3, inPlace, 3);
                }
                String what = (sigmoid ? "sigmoid" : "tanh") + " n=" + n;
                assertBitsEqual(ys, yv, what);
                assertBitsEqual(java.util.Arrays.copyOfRange(ys, 2, 2 + n), java.util.Arrays.copyOfRange(inPlace, 3, 3 + n), what + " in place");
            }
        }
    }
}
