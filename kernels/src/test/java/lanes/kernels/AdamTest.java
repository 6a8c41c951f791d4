package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static lanes.kernels.TestSupport.assertClose;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Adam step against the Keras formula evaluated in double, and SIMD against scalar bit for bit. */
class AdamTest {

    private static final float LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-7f;
    private static final float PAD = 9.75f;

    /**
     * Two Keras Adam steps from m = v = 0, in double, on exactly the float hyperparameters the kernel
     * receives (0.999f is 0.99900001287…, whose 1 − β2 differs from 0.001 by 1.3e-5 relative: comparing
     * against the decimal constants would measure that, not the kernel). Returns {p, m, v, |Δp| summed}.
     */
    private static double[] reference(float p0, float g1, float g2) {
        double lr = LR, b1 = BETA1, b2 = BETA2, eps = EPS;
        double p = p0, m = 0, v = 0, moved = 0;
        float[] grads = {g1, g2};
        for (int t = 1; t <= 2; t++) {
            double g = grads[t - 1];
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            m += (g - m) * (1 - b1);
            v += (g * g - v) * (1 - b2);
            double step = alpha * m / (Math.sqrt(v) + eps);
            p -= step;
            moved += Math.abs(step);
        }
        return new double[] {p, m, v, moved};
    }

    private static float gradient(SplittableRandom r) {
        int pick = r.nextInt(12);
        if (pick == 0) return 0f;
        return Math.scalb(TestSupport.nonZero(r), r.nextInt(25) - 20); // 1e-6 .. 16: the ε term matters at the low end
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void twoStepsMatchTheKerasFormula(Kernels kern) {
        SplittableRandom r = new SplittableRandom(31);
        for (int n : new int[] {1, 7, 16, 17, 33, 129}) {
            int pOff = 1 + r.nextInt(5), gOff = r.nextInt(5), mOff = 2 + r.nextInt(5), vOff = r.nextInt(5);
            float[] p = TestSupport.padded(r, pOff, n, 3, PAD);
            for (int i = 0; i < n; i++) if (i % 2 == 1) p[pOff + i] *= 1e-3f; // small parameters: the update is not lost in p's ulp
            float[] g1 = new float[n], g2 = new float[n];
            for (int i = 0; i < n; i++) { g1[i] = gradient(r); g2[i] = gradient(r); }
            float[] m = new float[mOff + n + 2], v = new float[vOff + n + 1];
            Arrays.fill(m, PAD);
            Arrays.fill(v, PAD);
            Arrays.fill(m, mOff, mOff + n, 0f);
            Arrays.fill(v, vOff, vOff + n, 0f);
            float[] p0 = p.clone();
            for (int t = 1; t <= 2; t++) {
                float[] grad = new float[gOff + n + 1];
                Arrays.fill(grad, PAD);
                System.arraycopy(t == 1 ? g1 : g2, 0, grad, gOff, n);
                float[] gradBefore = grad.clone();
                kern.adam(n, p, pOff, grad, gOff, m, mOff, v, vOff, LR, BETA1, BETA2, EPS, t);
                assertBitsEqual(gradBefore, grad, "grad is read-only");
            }
            for (int i = 0; i < n; i++) {
                double[] ref = reference(p0[pOff + i], g1[i], g2[i]);
                String what = kern.name() + " n=" + n + " element " + i + " (p0=" + p0[pOff + i] + ", g=" + g1[i] + ", " + g2[i] + ")";
                double gMax = Math.max(Math.abs(g1[i]), Math.abs(g2[i]));
                assertClose(ref[1], m[mOff + i], 1e-6 * gMax, what + ": m");
                assertClose(ref[2], v[vOff + i], 1e-6 * gMax * gMax, what + ": v");
                // p: two roundings of p itself, plus a few float roundings of each update.
                assertClose(ref[0], p[pOff + i], 1.01 * Math.ulp((float) ref[0]) + 2e-6 * ref[3], what + ": p");
            }
            for (int i = 0; i < p.length; i++) if (i < pOff || i >= pOff + n) assertClose(PAD, p[i], 0, "param padding");
            for (int i = 0; i < m.length; i++) if (i < mOff || i >= mOff + n) assertClose(PAD, m[i], 0, "m padding");
            for (int i = 0; i < v.length; i++) if (i < vOff || i >= vOff + n) assertClose(PAD, v[i], 0, "v padding");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void firstStepMovesEachParameterByAboutTheLearningRate(Kernels kern) {
        // Bias correction makes step 1 equal lr·g/(|g| + ε/√(1−β2)): lr in the direction of −g when |g| ≫ ε.
        float[] g = {0.5f, -2f, 0.01f, -1e-2f, 3f, 0f};
        float[] p = {1f, 1f, -1f, 0.25f, 0f, 0.5f};
        float[] m = new float[g.length], v = new float[g.length];
        kern.adam(g.length, p, 0, g, 0, m, 0, v, 0, LR, BETA1, BETA2, EPS, 1);
        float[] start = {1f, 1f, -1f, 0.25f, 0f, 0.5f};
        for (int i = 0; i < g.length; i++) {
            double expectedMove = g[i] == 0 ? 0 : -Math.signum(g[i]) * 1e-3;
            assertClose(expectedMove, p[i] - start[i], 1e-3 * 1e-3 + Math.ulp(1f), kern.name() + " element " + i);
        }
    }

    /**
     * A moment decaying under a zero gradient reaches the subnormal range and is flushed to +0 there
     * (TensorFlow's FTZ behaviour); a normal one is kept as computed. Every lane position, both kernels.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void subnormalMomentsAreFlushedToZero(Kernels kern) {
        int n = 37;
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = 0.5f;
            boolean tiny = i % 3 != 0;
            // m·(1 − 0.1) falls under MIN_NORMAL for the tiny ones, and stays normal for the others
            m[i] = tiny ? (i % 2 == 0 ? 1 : -1) * Float.MIN_NORMAL * 1.05f : 1e-3f;
            v[i] = tiny ? Float.MIN_NORMAL * 1.0005f : 1e-6f;
        }
        float[] m0 = m.clone(), v0 = v.clone();
        kern.adam(n, p, 0, g, 0, m, 0, v, 0, LR, BETA1, BETA2, EPS, 100);
        for (int i = 0; i < n; i++) {
            float mExact = m0[i] + (0f - m0[i]) * (1f - BETA1), vExact = v0[i] + (0f - v0[i]) * (1f - BETA2);
            if (i % 3 != 0) {
                org.junit.jupiter.api.Assertions.assertTrue(Math.abs(mExact) < Float.MIN_NORMAL && mExact != 0, "test setup, m " + i);
                assertBitsEqual(new float[] {0f}, new float[] {m[i]}, kern.name() + " m[" + i + "] flushed to +0");
                assertBitsEqual(new float[] {0f}, new float[] {v[i]}, kern.name() + " v[" + i + "] flushed to +0");
                assertClose(0.5f, p[i], 0, kern.name() + " p[" + i + "] unmoved by a flushed moment");
            } else {
                assertBitsEqual(new float[] {mExact}, new float[] {m[i]}, kern.name() + " m[" + i + "] kept");
                assertBitsEqual(new float[] {vExact}, new float[] {v[i]}, kern.name() + " v[" + i + "] kept");
            }
        }
    }

    @Test
    void vectorIsBitIdenticalToScalar() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(32);
        for (int n : LENGTHS) {
            int off = r.nextInt(4);
            float[] p = TestSupport.padded(r, off, n, 2, PAD);
            float[] m = TestSupport.padded(r, off, n, 2, PAD);
            float[] v = TestSupport.padded(r, off, n, 2, PAD);
            for (int i = 0; i < n; i++) {
                m[off + i] *= 0.1f;
                v[off + i] = Math.abs(v[off + i]) * 1e-3f;
                if (i % 5 == 2) m[off + i] = Float.MIN_NORMAL * (i % 2 == 0 ? 3 : -3); // decays into the subnormal range
                if (i % 7 == 3) v[off + i] = Float.MIN_NORMAL * 1.0005f;
            }
            float[] ps = p.clone(), ms = m.clone(), vs = v.clone(), pv = p.clone(), mv = m.clone(), vv = v.clone();
            for (long t = 1; t <= 3; t++) {
                float[] grad = new float[off + n + 1];
                for (int i = 0; i < n; i++) grad[off + i] = gradient(r);
                scalar.adam(n, ps, off, grad, off, ms, off, vs, off, LR, BETA1, BETA2, EPS, t * 7);
                vector.adam(n, pv, off, grad, off, mv, off, vv, off, LR, BETA1, BETA2, EPS, t * 7);
                assertBitsEqual(ps, pv, "param n=" + n + " step " + t);
                assertBitsEqual(ms, mv, "m n=" + n + " step " + t);
                assertBitsEqual(vs, vv, "v n=" + n + " step " + t);
            }
        }
    }
}
