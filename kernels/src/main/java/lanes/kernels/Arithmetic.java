package lanes.kernels;

/**
 * The arithmetic of {@link Kernels}, with operands already checked: {@link ScalarKernels} and
 * {@code VectorKernels} implement it, and {@link CheckedKernels}, the one public layer, checks every call
 * before it gets here (as Lucene's {@code VectorUtil} does for its {@code VectorUtilSupport}). The
 * methods are those of {@link Kernels} with their contracts; the five GEMM entry points are one strided
 * {@link #gemm}. Never called with operands that {@link Checks} would reject.
 */
interface Arithmetic {

    /** "scalar" or "vector-N". */
    String name();

    /** Vector width in bits, 0 for scalar. */
    int vectorBits();

    /**
     * C[m×n] (+)= A·B with A(i, p) = a[aOff + i·ars + p·acs] (so A and Aᵀ share one loop nest); zero
     * entries of A skipped when asked. {@code workspace}: the caller's scratch, or null for the calling
     * thread's own, looked up only when the implementation needs scratch for this call.
     */
    void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs,
              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
              boolean accumulate, boolean skipZeros, Kernels.Workspace workspace);

    /**
     * As {@link #gemm} with zeros skipped, every row of A on its own: each zero entry of A is skipped
     * (never packed four rows at a time), so scalar and SIMD skip the same steps.
     */
    void gemmByRow(int m, int n, int k, float[] a, int aOff, int ars, int acs,
                   float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate);

    /** C[1×n] = a·B, B packed bf16 ({@link Bf16}), zeros of a skipped: the bits of gemm on B's rounded floats. */
    void gemmBf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff);

    void matmulTransAAdam(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          boolean skipZeros, float[] param, int pOff, int ldp, float[] mom, float[] vel,
                          float lr, float beta1, float beta2, float epsilon, long step);

    void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff);

    void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff);

    void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff, boolean accumulate);

    void reluForward(int n, float[] x, int xOff, float[] y, int yOff);

    void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff);

    double softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                               float[] probs, int probsOff, float[] grad, int gradOff, float gradScale);

    int argmax(int n, float[] x, int xOff);

    void adam(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff, float[] v, int vOff,
              float lr, float beta1, float beta2, float epsilon, long step);

    void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                int padTop, int padLeft, int outH, int outW,
                float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                Kernels.Workspace workspace);

    void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                   int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff);

    /**
     * The three calls {@link Kernels#conv2dReluPool} stands for, image by image, each convolution's output
     * in the workspace. An implementation that can run some shapes as one pass overrides this for them.
     */
    default void conv2dReluPool(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                                int padTop, int padLeft, int outH, int outW,
                                float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                                Kernels.Workspace workspace) {
        int conv = outH * outW * outC, ph = outH / 2, pw = outW / 2;
        float[] t = workspace.convolved(conv);
        for (int img = 0; img < rows; img++) {
            conv2d(1, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                    x, xOff + img * inH * inW * inC, kernel, kOff, bias, bOff, t, 0, workspace);
            reluForward(conv, t, 0, t, 0);
            maxPool2d(1, outH, outW, outC, 2, 2, 2, 2, 0, 0, ph, pw, t, 0, y, yOff + img * ph * pw * outC);
        }
    }

    void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                           float[] dy, int dyOff, float[] dx, int dxOff);

    void sigmoid(int n, float[] x, int xOff, float[] y, int yOff);

    void tanh(int n, float[] x, int xOff, float[] y, int yOff);
}
