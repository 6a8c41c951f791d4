package lanes.kernels;

/**
 * The one public layer of {@link Kernels}: every entry point checks its operands here, once, with
 * {@link Checks}, then hands them to an {@link Arithmetic} (scalar or Vector API) that only computes.
 * {@link KernelsProvider} hands out one of these per implementation; {@link Gemm} checks a whole threaded
 * GEMM once and calls the arithmetic per chunk.
 */
final class CheckedKernels implements Kernels {

    final Arithmetic arithmetic;

    CheckedKernels(Arithmetic arithmetic) {
        this.arithmetic = arithmetic;
    }

    @Override public String name() { return arithmetic.name(); }
    @Override public int vectorBits() { return arithmetic.vectorBits(); }
    @Override public String toString() { return name(); }

    // ---- GEMM: five forms, one strided kernel --------------------------------------------------

    @Override
    public void matmul(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate, false, null);
    }

    @Override
    public void matmulTransA(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, true, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc, accumulate, false, null);
    }

    @Override
    public void matmulSkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate, true, null);
    }

    @Override
    public void matmulSkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate, Workspace workspace) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (workspace == null) throw new IllegalArgumentException("workspace is null");
        arithmetic.gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate, true, workspace);
    }

    @Override
    public void matmulSkipZerosBf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        Checks.bf16Row(n, k, a, aOff, b, c, cOff);
        if (n == 0) return; // C is empty: its offset may lie anywhere
        arithmetic.gemmBf16Row(n, k, a, aOff, b, c, cOff);
    }

    @Override
    public void matmulTransASkipZeros(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, true, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemm(m, n, k, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc, accumulate, true, null);
    }

    @Override
    public void matmulSkipZerosByRow(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemmByRow(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    @Override
    public void matmulTransASkipZerosByRow(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                           float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, true, false, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        arithmetic.gemmByRow(m, n, k, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    @Override
    public void matmulTransB(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        Checks.gemm(m, n, k, false, true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        transB(arithmetic, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /** A·Bᵀ as Bᵀ packed, then the one kernel: the k order, and so the bits, of the other forms. */
    static void transB(Arithmetic arithmetic, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float[] c, int cOff, int ldc, boolean accumulate) {
        Workspace workspace = Workspace.perThread();
        float[] bt = Packing.transpose(n, k, b, bOff, ldb, workspace);
        arithmetic.gemm(m, n, k, a, aOff, lda, 1, bt, 0, n, c, cOff, ldc, accumulate, false, workspace);
    }

    @Override
    public void matmulTransAAdam(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 boolean skipZeros, float[] param, int pOff, int ldp, float[] mom, float[] vel,
                                 float lr, float beta1, float beta2, float epsilon, long step) {
        Checks.gemmAdam(m, n, k, a, aOff, lda, b, bOff, ldb, param, pOff, ldp, mom, vel, lr, beta1, beta2, epsilon, step);
        arithmetic.matmulTransAAdam(m, n, k, a, aOff, lda, b, bOff, ldb, skipZeros, param, pOff, ldp, mom, vel,
                lr, beta1, beta2, epsilon, step);
    }

    // ---- element-wise and row-wise ---------------------------------------------------------------

    @Override
    public void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff) {
        Checks.unitBytes(n, src, srcOff, dst, dstOff);
        arithmetic.unitBytes(n, src, srcOff, dst, dstOff);
    }

    @Override
    public void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff) {
        Checks.addBias(m, n, x, xOff, bias, biasOff);
        arithmetic.addBias(m, n, x, xOff, bias, biasOff);
    }

    @Override
    public void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff, boolean accumulate) {
        Checks.sumRows(m, n, x, xOff, out, outOff);
        arithmetic.sumRows(m, n, x, xOff, out, outOff, accumulate);
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        Checks.reluForward(n, x, xOff, y, yOff);
        arithmetic.reluForward(n, x, xOff, y, yOff);
    }

    @Override
    public void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        Checks.reluBackward(n, y, yOff, dy, dyOff, dx, dxOff);
        arithmetic.reluBackward(n, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff) {
        Checks.softmaxRows(m, n, x, xOff, y, yOff);
        arithmetic.softmaxRows(m, n, x, xOff, y, yOff);
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                                      float[] probs, int probsOff, float[] grad, int gradOff, float gradScale) {
        Checks.softmaxCrossEntropy(m, n, x, xOff, labels, labelsOff, probs, probsOff, grad, gradOff);
        return arithmetic.softmaxCrossEntropy(m, n, x, xOff, labels, labelsOff, probs, probsOff, grad, gradOff, gradScale);
    }

    @Override
    public int argmax(int n, float[] x, int xOff) {
        Checks.argmax(n, x, xOff);
        return arithmetic.argmax(n, x, xOff);
    }

    @Override
    public void adam(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float epsilon, long step) {
        Checks.adam(n, param, pOff, grad, gOff, m, mOff, v, vOff, lr, beta1, beta2, epsilon, step);
        arithmetic.adam(n, param, pOff, grad, gOff, m, mOff, v, vOff, lr, beta1, beta2, epsilon, step);
    }

    // ---- images and squashing activations ------------------------------------------------------

    @Override
    public void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff) {
        Checks.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff);
        arithmetic.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff, null);
    }

    @Override
    public void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                       Workspace workspace) {
        Checks.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff);
        if (workspace == null) throw new IllegalArgumentException("workspace is null");
        arithmetic.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff, workspace);
    }

    @Override
    public void conv2dReluPool(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                               int padTop, int padLeft, int outH, int outW,
                               float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                               Workspace workspace) {
        Checks.conv2dReluPool(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff);
        if (workspace == null) throw new IllegalArgumentException("workspace is null");
        arithmetic.conv2dReluPool(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff, workspace);
    }

    @Override
    public void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        Checks.maxPool2d(rows, inH, inW, channels, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, y, yOff);
        arithmetic.maxPool2d(rows, inH, inW, channels, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, y, yOff);
    }

    @Override
    public void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] dx, int dxOff) {
        Checks.maxPool2dBackward(rows, inH, inW, channels, pool, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
        arithmetic.maxPool2dBackward(rows, inH, inW, channels, pool, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
        Checks.activation(n, x, xOff, y, yOff);
        arithmetic.sigmoid(n, x, xOff, y, yOff);
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
        Checks.activation(n, x, xOff, y, yOff);
        arithmetic.tanh(n, x, xOff, y, yOff);
    }
}
