package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Softmax's exp: within an ulp of e^x, flushed to zero below the normal range, and the same in SIMD. */
class ExpTest {

    @Test
    void withinOneUlpOfTheExactValue() {
        SplittableRandom r = new SplittableRandom(2718);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (Exp.LO + r.nextDouble() * (Exp.HI - Exp.LO));
            double exact = Math.exp((double) x);
            double ulps = Math.abs(Exp.exp(x) - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 1.0, "worst error " + worst + " ulp");
        assertEquals(1f, Exp.exp(0f));
        assertEquals(1f, Exp.exp(-0f));
        assertEquals((float) Math.E, Exp.exp(1f), Math.ulp((float) Math.E));
    }

    @Test
    void edgesOfTheRange() {
        assertBitsEqual(new float[] {0f, 0f, 0f}, new float[] {Exp.exp(-87.4f), Exp.exp(-1e4f), Exp.exp(Float.NEGATIVE_INFINITY)},
                "below the normal range: +0");
        assertTrue(Exp.exp(Exp.LO) >= Float.MIN_NORMAL, "e^LO is normal");
        assertEquals(Exp.exp(Exp.HI), Exp.exp(1e4f), "above 88: e^88");
        assertTrue(Float.isFinite(Exp.exp(Float.POSITIVE_INFINITY)));
        assertTrue(Float.isNaN(Exp.exp(Float.NaN)));
    }

    /** The vector softmax runs Exp lane by lane: rows of every length give the scalar kernel's bits. */
    @Test
    void vectorSoftmaxEqualsScalarBitForBit() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(31415);
        for (int n : LENGTHS) {
            if (n == 0) continue;
            float[] x = new float[3 * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 60 : 5));
            float[] ys = new float[3 * n], yv = new float[3 * n];
            scalar.softmaxRows(3, n, x, 0, ys, 0);
            vector.softmaxRows(3, n, x, 0, yv, 0);
            assertBitsEqual(ys, yv, "softmax n=" + n);
        }
    }
}
