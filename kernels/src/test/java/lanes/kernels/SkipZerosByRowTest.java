package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The row-by-row zero-skipping GEMM forms: against a float oracle that skips exactly A's zeros (same fma
 * chain, so the same bits), against the double product, and SIMD against scalar bit for bit, including
 * −0 entries of A and −0 results. Shapes cover the 8-vector strips, single strips and tails of n, and
 * k past the 64-step packing blocks.
 */
class SkipZerosByRowTest {

    record Shape(int m, int n, int k, boolean transA, boolean accumulate) {}

    static List<Shape> shapes() {
        List<Shape> all = new ArrayList<>();
        for (int m : new int[] {1, 3, 4, 9}) {
            for (int n : new int[] {1, 15, 16, 17, 33, 128, 130, 400}) {
                for (int k : new int[] {1, 5, 32, 65, 300}) {
                    all.add(new Shape(m, n, k, false, (m + n + k) % 2 == 0));
                    all.add(new Shape(m, n, k, true, (m + n + k) % 2 == 1));
                }
            }
        }
        return all;
    }

    /** A sparse A: about 80% zeros, some of them −0, the rest in ±[0.05, 1.05). */
    private static float[] sparse(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            a[i] = u < 0.7 ? 0f : u < 0.8 ? -0f : TestSupport.nonZero(r);
        }
        return a;
    }

    private static void run(Kernels k, Shape s, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (s.transA()) k.matmulTransASkipZerosByRow(s.m(), s.n(), s.k(), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, s.accumulate());
        else k.matmulSkipZerosByRow(s.m(), s.n(), s.k(), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, s.accumulate());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void everyImplementationSkipsExactlyTheZerosOfA(Shape s) {
        SplittableRandom r = new SplittableRandom(31L * s.m() + 17L * s.n() + s.k() + (s.transA() ? 7 : 0));
        int aOff = 3, bOff = 5, cOff = 2;
        int lda = (s.transA() ? s.m() : s.k()) + 2, ldb = s.n() + 1, ldc = s.n() + 3;
        float[] a = sparse(r, aOff + (s.transA() ? s.k() : s.m()) * lda);
        float[] b = TestSupport.nonZeros(r, bOff + s.k() * ldb);
        float[] c0 = new float[cOff + s.m() * ldc];
        for (int i = 0; i < c0.length; i++) c0[i] = r.nextInt(4) == 0 ? -0f : TestSupport.nonZero(r);
        // The oracle: one fma per non-zero entry of A, in increasing p, from C (accumulate) or +0.
        float[] expected = c0.clone();
        for (int i = 0; i < s.m(); i++) {
            for (int j = 0; j < s.n(); j++) {
                float acc = s.accumulate() ? c0[cOff + i * ldc + j] : 0f;
                double exact = acc;
                for (int p = 0; p < s.k(); p++) {
                    float x = s.transA() ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (x == 0f) continue;
                    acc = Math.fma(x, b[bOff + p * ldb + j], acc);
                    exact += (double) x * b[bOff + p * ldb + j];
                }
                expected[cOff + i * ldc + j] = acc;
                assertEquals(exact, acc, 1e-5 * (1 + s.k()), "oracle vs double at " + i + "," + j);
            }
        }
        for (Kernels k : TestSupport.implementations()) {
            float[] c = c0.clone();
            run(k, s, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            assertBitsEqual(expected, c, k.name() + " " + s);
        }
    }

    @Test
    void operandsAreChecked() {
        for (Kernels k : TestSupport.implementations()) {
            float[] a = new float[6], b = new float[6], c = new float[3];
            assertThrows(IllegalArgumentException.class, () -> k.matmulSkipZerosByRow(2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false));
            assertThrows(IllegalArgumentException.class, () -> k.matmulTransASkipZerosByRow(2, 3, 3, a, 0, 2, b, 0, 2, new float[6], 0, 3, false));
        }
    }
}
