package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused weight gradient + Adam step against its definition: the transposed GEMM into a buffer,
 * then {@link Kernels#adam} over that buffer, bit for bit, in both implementations; and SIMD = scalar.
 */
class GradientAdamTest {

    private static final float LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-7f;
    private static final float PAD = -55.5f;

    /** m×n×k: m rows of parameters (4-row tiles and their tails), n columns (vector tails), k batch rows. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 7, 5}, {4, 16, 32}, {5, 17, 3}, {8, 64, 32}, {9, 65, 31}, {13, 10, 32},
            {784, 64, 32}, {30, 128, 33}, {7, 129, 1}, {6, 5, 0}};

    /** A stored [k×m] with about half its entries zero, some whole columns zero, like a batch of pixels. */
    private static float[] sparse(SplittableRandom r, int off, int rows, int ld, int cols) {
        float[] a = TestSupport.padded(r, off, (rows - 1 < 0 ? 0 : (rows - 1) * ld + cols), 1, PAD);
        boolean[] deadColumn = new boolean[cols];
        for (int j = 0; j < cols; j++) deadColumn[j] = r.nextInt(4) == 0;
        for (int p = 0; p < rows; p++) {
            for (int j = 0; j < cols; j++) if (deadColumn[j] || r.nextBoolean()) a[off + p * ld + j] = 0f;
        }
        return a;
    }

    private record State(float[] param, float[] m, float[] v) {
        State copy() { return new State(param.clone(), m.clone(), v.clone()); }
    }

    private static State state(SplittableRandom r, int pOff, int rows, int ldp, int n) {
        int len = pOff + (rows == 0 ? 0 : (rows - 1) * ldp + n) + 2;
        float[] p = new float[len], m = new float[len], v = new float[len];
        Arrays.fill(p, PAD);
        Arrays.fill(m, PAD);
        Arrays.fill(v, PAD);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                int x = pOff + i * ldp + j;
                p[x] = TestSupport.nonZero(r) * 0.1f;
                m[x] = 0f;
                v[x] = 0f;
            }
        }
        return new State(p, m, v);
    }

    /** The definition: G into a dense buffer, then Adam row by row over it. */
    private static void reference(Kernels kern, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                                  int ldb, boolean skipZeros, State s, int pOff, int ldp, long step) {
        float[] g = new float[m * n];
        if (skipZeros) kern.matmulTransASkipZeros(m, n, k, a, aOff, lda, b, bOff, ldb, g, 0, n, false);
        else kern.matmulTransA(m, n, k, a, aOff, lda, b, bOff, ldb, g, 0, n, false);
        for (int i = 0; i < m; i++) {
            int pi = pOff + i * ldp;
            kern.adam(n, s.param, pi, g, i * n, s.m, pi, s.v, pi, LR, BETA1, BETA2, EPS, step);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void equalsTheGradientFollowedByAdam(Kernels kern) {
        SplittableRandom r = new SplittableRandom(0x6AD4);
        for (int[] shape : SHAPES) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (boolean skipZeros : new boolean[] {false, true}) {
                int aOff = r.nextInt(3), lda = m + r.nextInt(3), bOff = r.nextInt(3), ldb = n + r.nextInt(2);
                int pOff = r.nextInt(4), ldp = n + r.nextInt(3);
                State fused = state(r, pOff, m, ldp, n), expected = fused.copy();
                float[] initial = fused.param.clone();
                for (long t = 1; t <= 3; t++) {
                    float[] a = sparse(r, aOff, k, lda, m);
                    float[] b = TestSupport.padded(r, bOff, k == 0 ? 0 : (k - 1) * ldb + n, 1, PAD);
                    float[] a0 = a.clone(), b0 = b.clone();
                    reference(kern, m, n, k, a, aOff, lda, b, bOff, ldb, skipZeros, expected, pOff, ldp, t);
                    kern.matmulTransAAdam(m, n, k, a, aOff, lda, b, bOff, ldb, skipZeros,
                            fused.param, pOff, ldp, fused.m, fused.v, LR, BETA1, BETA2, EPS, t);
                    String what = kern.name() + " " + m + "x" + n + "x" + k + (skipZeros ? " skipping zeros" : "") + " step " + t;
                    assertBitsEqual(expected.param, fused.param, what + ": param");
                    assertBitsEqual(expected.m, fused.m, what + ": m");
                    assertBitsEqual(expected.v, fused.v, what + ": v");
                    assertBitsEqual(a0, a, what + ": A is read-only");
                    assertBitsEqual(b0, b, what + ": B is read-only");
                }
                if (m > 0 && n > 0 && k > 0) {
                    // a test that can fail: three steps with non-zero gradients moved the parameters
                    org.junit.jupiter.api.Assertions.assertFalse(Arrays.equals(initial, fused.param),
                            kern.name() + " " + m + "x" + n + "x" + k + ": no parameter moved");
                }
            }
        }
    }

    @Test
    void vectorIsBitIdenticalToScalar() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(0x6AD5);
        for (int[] shape : SHAPES) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (boolean skipZeros : new boolean[] {false, true}) {
                int lda = m + 1, ldp = n + 2;
                State s = state(r, 1, m, ldp, n), v = s.copy();
                for (long t = 1; t <= 3; t++) {
                    float[] a = sparse(r, 0, k, lda, m);
                    float[] b = TestSupport.padded(r, 0, k == 0 ? 0 : (k - 1) * n + n, 0, PAD);
                    scalar.matmulTransAAdam(m, n, k, a, 0, lda, b, 0, n, skipZeros, s.param, 1, ldp, s.m, s.v, LR, BETA1, BETA2, EPS, t * 5);
                    vector.matmulTransAAdam(m, n, k, a, 0, lda, b, 0, n, skipZeros, v.param, 1, ldp, v.m, v.v, LR, BETA1, BETA2, EPS, t * 5);
                    String what = m + "x" + n + "x" + k + (skipZeros ? " skipping zeros" : "") + " step " + t;
                    assertBitsEqual(s.param, v.param, what + ": param");
                    assertBitsEqual(s.m, v.m, what + ": m");
                    assertBitsEqual(s.v, v.v, what + ": v");
                }
            }
        }
    }
}
