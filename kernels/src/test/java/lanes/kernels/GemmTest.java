package lanes.kernels;

import static lanes.kernels.TestSupport.SIZES;
import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import lanes.kernels.NaiveReference.Form;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GEMM in all five forms: the scalar kernels against the double-precision oracle, and the documented
 * bit-for-bit guarantees (SIMD = scalar, zero-skipping = dense, any thread split = one thread).
 */
class GemmTest {

    /** Shapes with more multiply-adds than this are left out to keep the suite fast on small machines. */
    private static final long MAX_FMA = 20_000_000L;

    private static final float U = 0x1p-24f;

    /** Written around C's matrix; a kernel that touches it breaks the test. */
    private static final float C_PAD = -777.25f;

    record Shape(int m, int n, int k) {
        long fma() { return (long) m * n * k; }
        @Override public String toString() { return m + "x" + n + "x" + k; }
    }

    /**
     * A deterministic set of shapes: every size of {@link TestSupport#SIZES} in each of the M, N and K
     * positions with the other two drawn from the same list, plus a few with two large dimensions.
     */
    static List<Shape> shapes() {
        Set<Shape> shapes = new LinkedHashSet<>();
        SplittableRandom r = new SplittableRandom(0x6E33_0001L);
        for (int pos = 0; pos < 3; pos++) {
            for (int s : SIZES) {
                while (true) {
                    int[] d = {SIZES[r.nextInt(SIZES.length)], SIZES[r.nextInt(SIZES.length)], SIZES[r.nextInt(SIZES.length)]};
                    d[pos] = s;
                    Shape shape = new Shape(d[0], d[1], d[2]);
                    if (shape.fma() <= MAX_FMA && shapes.add(shape)) break;
                }
            }
        }
        shapes.add(new Shape(1021, 784, 17));
        shapes.add(new Shape(784, 17, 1021));
        shapes.add(new Shape(17, 1021, 784));
        shapes.add(new Shape(128, 128, 128));
        shapes.add(new Shape(129, 129, 129));
        while (shapes.size() < 64) {
            Shape shape = new Shape(SIZES[r.nextInt(SIZES.length)], SIZES[r.nextInt(SIZES.length)], SIZES[r.nextInt(SIZES.length)]);
            if (shape.fma() <= MAX_FMA) shapes.add(shape);
        }
        return new ArrayList<>(shapes);
    }

    @Test
    void shapeSetCoversEverySizeInEveryPosition() {
        List<Shape> shapes = shapes();
        for (int s : SIZES) {
            int size = s;
            assertTrue(shapes.stream().anyMatch(x -> x.m() == size), "M = " + s);
            assertTrue(shapes.stream().anyMatch(x -> x.n() == size), "N = " + s);
            assertTrue(shapes.stream().anyMatch(x -> x.k() == size), "K = " + s);
        }
        assertTrue(shapes.stream().allMatch(x -> x.fma() <= MAX_FMA));
    }

    /**
     * One logical A[m×k] and B[k×n], stored in every layout the GEMM forms read, each with its own offset,
     * a leading dimension usually larger than the row length, and NaN in every padding element (a kernel
     * that reads padding poisons C). A has many zeros, whole zero rows and columns, and some −0. C0 holds
     * no −0 and no product underflows, so skipping zeros must not change a single bit.
     */
    static final class Operands {
        final int m, n, k;
        final float[] aRows; final int aRowsOff, aRowsLd;   // A  as [m×k]
        final float[] aCols; final int aColsOff, aColsLd;   // Aᵀ as [k×m]
        final float[] bRows; final int bRowsOff, bRowsLd;   // B  as [k×n]
        final float[] bCols; final int bColsOff, bColsLd;   // Bᵀ as [n×k]
        final float[] c0; final int cOff, ldc;              // C's initial contents, padding = C_PAD

        Operands(Shape s, long seed) {
            m = s.m(); n = s.n(); k = s.k();
            SplittableRandom r = new SplittableRandom(seed);
            boolean tight = r.nextInt(4) == 0; // a quarter of the shapes use ld == row length
            float[][] a = new float[m][k];
            boolean[] zeroRow = new boolean[m], zeroCol = new boolean[k];
            for (int i = 0; i < m; i++) zeroRow[i] = r.nextInt(10) == 0 || (m >= 3 && i == m / 2);
            for (int p = 0; p < k; p++) zeroCol[p] = r.nextInt(10) == 0 || (k >= 3 && p == k / 3);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    int pick = r.nextInt(20);
                    if (zeroRow[i] || zeroCol[p] || pick < 9) a[i][p] = 0f;
                    else if (pick == 9) a[i][p] = -0f;
                    else a[i][p] = Math.scalb(TestSupport.nonZero(r), r.nextInt(9) - 4);
                }
            }
            float[][] b = new float[k][n];
            boolean[] bZeroRow = new boolean[k], bZeroCol = new boolean[n];
            for (int p = 0; p < k; p++) bZeroRow[p] = r.nextInt(20) == 0;
            for (int j = 0; j < n; j++) bZeroCol[j] = r.nextInt(20) == 0 || (n >= 3 && j == n - 2);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    b[p][j] = bZeroRow[p] || bZeroCol[j] || r.nextInt(8) == 0 ? 0f : Math.scalb(TestSupport.nonZero(r), r.nextInt(5) - 2);
                }
            }
            aRowsOff = 1 + r.nextInt(40); aRowsLd = k + (tight ? 0 : 1 + r.nextInt(6));
            aColsOff = 1 + r.nextInt(40); aColsLd = m + (tight ? 0 : 1 + r.nextInt(6));
            bRowsOff = 1 + r.nextInt(40); bRowsLd = n + (tight ? 0 : 1 + r.nextInt(6));
            bColsOff = 1 + r.nextInt(40); bColsLd = k + (tight ? 0 : 1 + r.nextInt(6));
            cOff = 1 + r.nextInt(40); ldc = n + (tight ? 0 : 1 + r.nextInt(6));
            aRows = store(a, m, k, aRowsOff, aRowsLd, false, r);
            aCols = store(a, m, k, aColsOff, aColsLd, true, r);
            bRows = store(b, k, n, bRowsOff, bRowsLd, false, r);
            bCols = store(b, k, n, bColsOff, bColsLd, true, r);
            float[][] c = new float[m][n];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[i][j] = r.nextInt(10) == 0 ? 0f : TestSupport.nonZero(r);
            c0 = store(c, m, n, cOff, ldc, false, r);
            for (int i = 0; i < c0.length; i++) if (Float.isNaN(c0[i])) c0[i] = C_PAD;
        }

        /** x[rows×cols] (or its transpose) into an array with NaN before, between and after the rows. */
        private static float[] store(float[][] x, int rows, int cols, int off, int ld, boolean transpose, SplittableRandom r) {
            int sr = transpose ? cols : rows, sc = transpose ? rows : cols;
            float[] s = new float[off + (sr == 0 || sc == 0 ? 0 : (sr - 1) * ld + sc) + r.nextInt(9)];
            Arrays.fill(s, Float.NaN);
            for (int i = 0; i < sr; i++) {
                for (int j = 0; j < sc; j++) s[off + i * ld + j] = transpose ? x[j][i] : x[i][j];
            }
            return s;
        }

        /** C before the call: C0 for accumulate, NaN inside the matrix otherwise (it must not be read). */
        float[] initialC(boolean accumulate) {
            float[] c = c0.clone();
            if (!accumulate && n > 0) for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            return c;
        }

        boolean insideC(int index) {
            if (m == 0 || n == 0) return false;
            int rel = index - cOff;
            return rel >= 0 && rel / ldc < m && rel % ldc < n;
        }
    }

    /**
     * One workspace for every call with one: it grows and shrinks in use across the shapes, so scratch
     * left by a larger call must never show in a smaller one. (The tests of a class run on one thread.)
     */
    private static final Kernels.Workspace WORKSPACE = new Kernels.Workspace();

    /** The five GEMM entry points, each fed the layout it expects, and the zero-skipping one with a workspace. */
    enum Op {
        MATMUL, MATMUL_TRANS_A, MATMUL_TRANS_B, MATMUL_SKIP_ZEROS, MATMUL_TRANS_A_SKIP_ZEROS, MATMUL_SKIP_ZEROS_WORKSPACE;

        float[] run(Kernels kern, Operands o, boolean accumulate) {
            float[] c = o.initialC(accumulate);
            switch (this) {
                case MATMUL -> kern.matmul(o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd, o.bRows, o.bRowsOff, o.bRowsLd,
                        c, o.cOff, o.ldc, accumulate);
                case MATMUL_TRANS_A -> kern.matmulTransA(o.m, o.n, o.k, o.aCols, o.aColsOff, o.aColsLd, o.bRows, o.bRowsOff,
                        o.bRowsLd, c, o.cOff, o.ldc, accumulate);
                case MATMUL_TRANS_B -> kern.matmulTransB(o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd, o.bCols, o.bColsOff,
                        o.bColsLd, c, o.cOff, o.ldc, accumulate);
                case MATMUL_SKIP_ZEROS -> kern.matmulSkipZeros(o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd, o.bRows,
                        o.bRowsOff, o.bRowsLd, c, o.cOff, o.ldc, accumulate);
                case MATMUL_TRANS_A_SKIP_ZEROS -> kern.matmulTransASkipZeros(o.m, o.n, o.k, o.aCols, o.aColsOff, o.aColsLd,
                        o.bRows, o.bRowsOff, o.bRowsLd, c, o.cOff, o.ldc, accumulate);
                case MATMUL_SKIP_ZEROS_WORKSPACE -> kern.matmulSkipZeros(o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd, o.bRows,
                        o.bRowsOff, o.bRowsLd, c, o.cOff, o.ldc, accumulate, WORKSPACE);
            }
            return c;
        }

        float[] run(Gemm gemm, Operands o, boolean accumulate) {
            float[] c = o.initialC(accumulate);
            switch (this) {
                case MATMUL, MATMUL_SKIP_ZEROS, MATMUL_SKIP_ZEROS_WORKSPACE -> gemm.matmul(o.m, o.n, o.k, o.aRows, o.aRowsOff,
                        o.aRowsLd, o.bRows, o.bRowsOff, o.bRowsLd, c, o.cOff, o.ldc, accumulate, this != MATMUL);
                case MATMUL_TRANS_A, MATMUL_TRANS_A_SKIP_ZEROS -> gemm.matmulTransA(o.m, o.n, o.k, o.aCols, o.aColsOff,
                        o.aColsLd, o.bRows, o.bRowsOff, o.bRowsLd, c, o.cOff, o.ldc, accumulate, this == MATMUL_TRANS_A_SKIP_ZEROS);
                case MATMUL_TRANS_B -> gemm.matmulTransB(o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd, o.bCols, o.bColsOff,
                        o.bColsLd, c, o.cOff, o.ldc, accumulate);
            }
            return c;
        }
    }

    private static long seed(Shape s) {
        return 0x9E3779B97F4A7C15L * (s.m() * 1_000_003L + s.n() * 1_009L + s.k());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void scalarMatchesNaiveReferenceAndAllFormsAgree(Shape shape) {
        Operands o = new Operands(shape, seed(shape));
        Kernels scalar = TestSupport.scalar();
        // The layouts hold the same logical matrices, so one oracle serves every form.
        for (int i = 0; i < o.m; i++) for (int p = 0; p < o.k; p++) {
            assertEquals(NaiveReference.a(Form.AB, o.aRows, o.aRowsOff, o.aRowsLd, i, p),
                    NaiveReference.a(Form.ATB, o.aCols, o.aColsOff, o.aColsLd, i, p));
        }
        for (int p = 0; p < o.k; p++) for (int j = 0; j < o.n; j++) {
            assertEquals(NaiveReference.b(Form.AB, o.bRows, o.bRowsOff, o.bRowsLd, p, j),
                    NaiveReference.b(Form.ABT, o.bCols, o.bColsOff, o.bColsLd, p, j));
        }
        double[][] product = NaiveReference.gemm(Form.AB, o.m, o.n, o.k, o.aRows, o.aRowsOff, o.aRowsLd,
                o.bRows, o.bRowsOff, o.bRowsLd, o.c0, o.cOff, o.ldc, false);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] dense = Op.MATMUL.run(scalar, o, accumulate);
            checkAgainstReference(o, product, dense, accumulate);
            for (Op op : Op.values()) {
                // Same fma sequence per element in every form; zero-skipping drops only fma(0, b, acc) = acc.
                assertBitsEqual(dense, op.run(scalar, o, accumulate), shape + " " + op + " accumulate=" + accumulate
                        + " vs MATMUL");
            }
        }
    }

    /**
     * Each element must be within the classical bound for a k-step fma recurrence,
     * |ĉ − c| ≤ γ_k (|C0| + Σ|a·b|) with γ_k = k·u / (1 − k·u), and nothing outside C may change.
     */
    private static void checkAgainstReference(Operands o, double[][] product, float[] c, boolean accumulate) {
        double gamma = o.k * (double) U / (1 - o.k * (double) U);
        for (int i = 0; i < o.m; i++) {
            for (int j = 0; j < o.n; j++) {
                float c0 = o.c0[o.cOff + i * o.ldc + j];
                double expected = product[0][i * o.n + j] + (accumulate ? c0 : 0);
                double bound = product[1][i * o.n + j] + (accumulate ? Math.abs(c0) : 0);
                float got = c[o.cOff + i * o.ldc + j];
                if (!Float.isFinite(got) || Math.abs(got - expected) > gamma * bound * 1.0001 + Double.MIN_NORMAL) {
                    fail(o.m + "x" + o.n + "x" + o.k + " accumulate=" + accumulate + ": C[" + i + "][" + j + "] = " + got
                            + ", reference " + expected + " (tolerance " + gamma * bound + ")");
                }
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            if (!o.insideC(idx) && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(C_PAD)) {
                fail("C[" + idx + "] outside the matrix was written: " + c[idx]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void vectorIsBitIdenticalToScalar(Shape shape) {
        Kernels vector = TestSupport.vectorOrSkip();
        Kernels scalar = TestSupport.scalar();
        Operands o = new Operands(shape, seed(shape));
        for (boolean accumulate : new boolean[] {false, true}) {
            for (Op op : Op.values()) {
                assertBitsEqual(op.run(scalar, o, accumulate), op.run(vector, o, accumulate),
                        vector.name() + " " + shape + " " + op + " accumulate=" + accumulate);
            }
        }
    }

    /**
     * Single rows (one image; the rows left after the 4-row tiles) at every width up to 300: at 512 bits
     * each width class takes its own path (whole 8-vector strips, then one strip of 3 to 8 vectors with a
     * masked part-vector, or single vectors and a masked tail).
     */
    @Test
    void singleRowsOfEveryWidthAreBitIdenticalToScalar() {
        Kernels vector = TestSupport.vectorOrSkip();
        Kernels scalar = TestSupport.scalar();
        for (int m : new int[] {1, 5}) {
            for (int n = 1; n <= 300; n++) {
                Shape shape = new Shape(m, n, 1 + n % 70);
                Operands o = new Operands(shape, seed(shape));
                for (Op op : Op.values()) {
                    assertBitsEqual(op.run(scalar, o, true), op.run(vector, o, true), vector.name() + " " + shape + " " + op);
                }
            }
        }
    }

    static List<Shape> threadedShapes() {
        // Big enough for Gemm to split rows over up to 7 threads, with chunk edges off the 4-row tile.
        return List.of(new Shape(129, 128, 127), new Shape(1021, 33, 31), new Shape(784, 17, 9), new Shape(33, 1021, 31),
                new Shape(7, 129, 1021));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("threadedShapes")
    void threadedGemmIsBitIdenticalForAnyThreadCount(Shape shape) {
        Operands o = new Operands(shape, seed(shape) ^ 0xABCDL);
        for (Kernels kern : TestSupport.implementations()) {
            for (boolean accumulate : new boolean[] {false, true}) {
                for (Op op : Op.values()) {
                    float[] single = op.run(kern, o, accumulate);
                    for (int threads : new int[] {1, 2, 3, 7}) {
                        try (BatchScheduler scheduler = new BatchScheduler(threads)) {
                            assertBitsEqual(single, op.run(new Gemm(kern, scheduler), o, accumulate),
                                    kern.name() + " " + shape + " " + op + " accumulate=" + accumulate + " threads=" + threads);
                        }
                    }
                }
            }
        }
    }

    @Test
    void zeroInnerDimensionClearsOrKeepsC() {
        Operands o = new Operands(new Shape(6, 19, 0), 42);
        for (Kernels kern : TestSupport.implementations()) {
            for (Op op : Op.values()) {
                float[] cleared = op.run(kern, o, false);
                for (int idx = 0; idx < cleared.length; idx++) {
                    float expected = o.insideC(idx) ? 0f : C_PAD;
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(cleared[idx]),
                            kern.name() + " " + op + " k=0: C[" + idx + "]");
                }
                assertBitsEqual(o.c0, op.run(kern, o, true), kern.name() + " " + op + " k=0, accumulate");
            }
        }
    }

    @Test
    void emptyOutputWritesNothing() {
        for (Shape shape : List.of(new Shape(0, 9, 5), new Shape(6, 0, 5))) {
            Operands o = new Operands(shape, 43);
            for (Kernels kern : TestSupport.implementations()) {
                for (Op op : Op.values()) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        assertBitsEqual(o.c0, op.run(kern, o, accumulate), kern.name() + " " + op + " " + shape);
                    }
                }
            }
        }
    }

    @Test
    void emptyRowsMayStartAnywhereInC() {
        // n = 0: C holds no element, so its checks pass for any offset and leading dimension, and C is not touched.
        int m = 3, n = 0, k = 2;
        float[] a = {1, 2, 3, 4, 5, 6}, b = {};
        for (Kernels kern : TestSupport.implementations()) {
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] c = {7, 8, 9};
                kern.matmul(m, n, k, a, 0, k, b, 0, 0, c, 1, 4, accumulate);
                kern.matmulTransA(m, n, k, a, 0, m, b, 0, 0, c, 1, 4, accumulate);
                kern.matmulTransB(m, n, k, a, 0, k, b, 0, k, c, 1, 4, accumulate);
                kern.matmulSkipZeros(m, n, k, a, 0, k, b, 0, 0, c, 1, 4, accumulate);
                kern.matmulTransASkipZeros(m, n, k, a, 0, m, b, 0, 0, c, 1, 4, accumulate);
                assertBitsEqual(new float[] {7, 8, 9}, c, kern.name() + " accumulate=" + accumulate);
            }
        }
    }

    @Test
    void aGemmNeedsKernelsAndAScheduler() {
        // Without the check a missing one surfaced only at the first multiplication.
        try (BatchScheduler s = new BatchScheduler(1)) {
            assertEquals("kernels", assertThrows(NullPointerException.class, () -> new Gemm(null, s)).getMessage());
        }
        assertEquals("scheduler", assertThrows(NullPointerException.class,
                () -> new Gemm(KernelsProvider.get(), null)).getMessage());
    }

    @Test
    void zeroSkippingMayOnlyChangeTheSignOfAZero() {
        // fma(+0, b, −0) is +0 while skipping leaves −0: the documented exception to bit-identity.
        for (Kernels kern : TestSupport.implementations()) {
            int m = 5, n = 19, k = 3;
            float[] a = new float[m * k];
            a[3 * k] = -1e-30f; // row 3: a negative product that underflows to −0, then zeros
            float[] b = new float[k * n];
            Arrays.fill(b, 1e-30f);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] dense = new float[m * n], skip = new float[m * n];
                Arrays.fill(dense, -0f);
                Arrays.fill(skip, -0f);
                kern.matmul(m, n, k, a, 0, k, b, 0, n, dense, 0, n, accumulate);
                kern.matmulSkipZeros(m, n, k, a, 0, k, b, 0, n, skip, 0, n, accumulate);
                for (int i = 0; i < m * n; i++) {
                    assertTrue(dense[i] == 0f && skip[i] == 0f, kern.name() + ": " + dense[i] + " vs " + skip[i]);
                }
            }
        }
    }
}
