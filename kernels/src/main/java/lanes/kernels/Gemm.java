package lanes.kernels;

import java.util.Objects;

/**
 * The threaded GEMM: {@link Kernels}' matmul forms with the rows of C split into contiguous chunks over
 * a {@link BatchScheduler}, one kernel call per chunk. Each element of C is computed by one thread in the
 * fixed k order, so the result is bit-identical to the single-threaded kernel for any thread count.
 * Operands are checked once, for the whole product; the chunks go straight to the arithmetic.
 */
public final class Gemm {

    /** Below this many multiply-adds per chunk, a hand-off to another thread costs more than it saves. */
    private static final int MIN_FMA_PER_CHUNK = 1 << 15;

    private final Kernels kernels;
    private final BatchScheduler scheduler;

    /** The arithmetic behind {@code kernels} when it is one of ours (chunks skip the checks), else null. */
    private final Arithmetic arithmetic;

    public Gemm(Kernels kernels, BatchScheduler scheduler) {
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.arithmetic = kernels instanceof CheckedKernels checked ? checked.arithmetic : null;
    }

    public Kernels kernels() { return kernels; }
    public BatchScheduler scheduler() { return scheduler; }

    /**
     * The fewest rows of C worth a chunk of their own when each row costs n·k multiply-adds: small GEMMs
     * run inline, since a hand-off costs more than it saves. Callers that split GEMM-shaped work over a
     * {@link BatchScheduler} themselves (a layer fusing bias and activation into its chunks) use it too.
     */
    public static int minRows(int n, int k) {
        // Multiples of 4 rows keep every chunk on the 4-row register tile.
        long rows = minChunk((long) n * k);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(4, (rows + 3) & ~3L));
    }

    /** The fewest indices worth a chunk of their own when each index costs {@code fmaPerIndex} multiply-adds. */
    public static int minChunk(long fmaPerIndex) {
        long per = Math.max(1L, fmaPerIndex);
        return (int) Math.min(Integer.MAX_VALUE, (MIN_FMA_PER_CHUNK + per - 1) / per);
    }

    /** C[m×n] (+)= A[m×k]·B[k×n], rows of C split over threads. */
    public void matmul(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float[] c, int cOff, int ldc, boolean accumulate, boolean skipZerosOfA) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        scheduler.forRange(m, minRows(n, k), (r0, r1) -> {
            int ai = aOff + r0 * lda, ci = cOff + r0 * ldc;
            if (arithmetic != null) {
                arithmetic.gemm(r1 - r0, n, k, a, ai, lda, 1, b, bOff, ldb, c, ci, ldc, accumulate, skipZerosOfA, null);
            } else if (skipZerosOfA) {
                kernels.matmulSkipZeros(r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
            } else {
                kernels.matmul(r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
            }
        });
    }

    /** C[m×n] (+)= Aᵀ·B with A stored [k×m]; rows of C (columns of A) split over threads. */
    public void matmulTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate, boolean skipZerosOfA) {
        Checks.gemm(m, n, k, true, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        scheduler.forRange(m, minRows(n, k), (r0, r1) -> {
            int ai = aOff + r0, ci = cOff + r0 * ldc;
            if (arithmetic != null) {
                arithmetic.gemm(r1 - r0, n, k, a, ai, 1, lda, b, bOff, ldb, c, ci, ldc, accumulate, skipZerosOfA, null);
            } else if (skipZerosOfA) {
                kernels.matmulTransASkipZeros(r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
            } else {
                kernels.matmulTransA(r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
            }
        });
    }

    /** C[m×n] (+)= A·Bᵀ with B stored [n×k]; rows of C split over threads. */
    public void matmulTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        scheduler.forRange(m, minRows(n, k), (r0, r1) -> {
            int ai = aOff + r0 * lda, ci = cOff + r0 * ldc;
            if (arithmetic != null) CheckedKernels.transB(arithmetic, r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
            else kernels.matmulTransB(r1 - r0, n, k, a, ai, lda, b, bOff, ldb, c, ci, ldc, accumulate);
        });
    }

}
