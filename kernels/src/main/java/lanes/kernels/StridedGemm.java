package lanes.kernels;

/**
 * The five GEMM entry points of {@link Kernels}, written once for both implementations: each checks its
 * operands and calls one strided kernel, {@link #gemm}, which reads A through a row and a column stride
 * (A(i, p) = a[aOff + i·ars + p·acs]) so that A and Aᵀ share one loop nest. {@code matmulTransB} packs
 * Bᵀ first and runs the same kernel, which keeps the k order and therefore the bit-identity guarantee.
 */
abstract class StridedGemm implements Kernels {

    /**
     * C[m×n] (+)= A·B with A(i, p) = a[aOff + i·ars + p·acs]; zero entries of A skipped when asked.
     * {@code workspace}: the caller's scratch, or null for the calling thread's own, looked up only when
     * the implementation needs scratch for this call.
     */
    abstract void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs,
                       float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                       boolean accumulate, boolean skipZeros, Workspace workspace);

    @Override
    public final void matmul(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        checked(m, n, k, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, false);
    }

    @Override
    public final void matmulTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        checked(m, n, k, true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, false);
    }

    @Override
    public final void matmulSkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float[] c, int cOff, int ldc, boolean accumulate) {
        checked(m, n, k, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, true);
    }

    @Override
    public final void matmulSkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float[] c, int cOff, int ldc, boolean accumulate, Workspace workspace) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (workspace == null) throw new IllegalArgumentException("workspace is null");
        gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate, true, workspace);
    }

    @Override
    public final void matmulTransASkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                            float[] c, int cOff, int ldc, boolean accumulate) {
        checked(m, n, k, true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, true);
    }

    @Override
    public final void matmulTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        Workspace workspace = Workspace.perThread();
        float[] bt = Packing.transpose(n, k, b, bOff, ldb, workspace);
        gemm(m, n, k, a, aOff, lda, 1, bt, 0, n, c, cOff, ldc, accumulate, false, workspace);
    }

    /** A stored [m×k] (or, transposed, [k×m]): rows lda apart, or columns lda apart for Aᵀ. */
    private void checked(int m, int n, int k, boolean transA, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, boolean accumulate, boolean skipZeros) {
        Checks.gemm(m, n, k, transA, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (transA) gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc, accumulate, skipZeros, null);
        else gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate, skipZeros, null);
    }
}
