package lanes.kernels;

/**
 * Every piece of arithmetic Lanes does, on flat row-major {@code float[]} with offsets.
 *
 * <p>Two implementations of the arithmetic exist: {@code ScalarKernels} (plain Java, the fallback and
 * the test oracle's neighbour) and {@code VectorKernels} (the JDK Vector API). {@link KernelsProvider#get()}
 * picks one once per JVM. Both sit behind one checking layer ({@code CheckedKernels}, Lucene's
 * check-once pattern): every operand is checked there, once, before anything is written, and a bad one
 * is an {@link IllegalArgumentException} naming it; the implementations only compute.
 *
 * <h2>Names</h2>
 * The GEMM is this interface's {@code matmul*} methods (one thread: the caller's). {@link Gemm} is the
 * same GEMM with the rows of C split over a {@link BatchScheduler}'s threads, checked once for the whole
 * product. Inside, the five forms are one strided kernel ({@code Arithmetic.gemm}).
 *
 * <h2>GEMM and its guarantee</h2>
 * Matrices are row-major with a leading dimension ({@code lda}, {@code ldb}, {@code ldc}: the distance
 * between rows). Every output element is computed as
 * {@code acc = accumulate ? C[i][j] : 0; for p in 0..k-1: acc = fma(A[i][p], B[p][j], acc)} — one
 * fused multiply-add per step, in increasing {@code p}. Both implementations follow exactly this
 * order (the SIMD one vectorises across {@code j}, never across {@code p}), so <b>scalar and SIMD GEMM
 * results are bit-identical</b>, and so are results for any split of rows over threads.
 * {@code matmulTransB} packs {@code Bᵀ} first and then runs the same kernel, so it keeps the guarantee.
 * The {@code SkipZeros} forms skip {@code A[i][p] == 0}; for finite {@code B} that changes no value
 * (an fma with a zero product returns its addend, except that a −0 addend can come back as +0), so they
 * agree bit for bit with the dense forms unless an element of C passes through −0 (an accumulated −0,
 * or a negative product that underflows), where the two may differ in the sign of that zero.
 * C must not overlap A or B: C is cleared (or read) and written while A and B are still being read, so an
 * overlapping C gives a wrong result; it is not checked, since the arrays may be the same with disjoint
 * ranges (activations laid out in one buffer).
 */
public interface Kernels {

    /** "scalar" or "vector-N" where N is the vector width in bits. */
    String name();

    /** Vector width in bits, 0 for the scalar implementation. */
    int vectorBits();

    // ---- GEMM -------------------------------------------------------------------------------

    /** C[m×n] (+)= A[m×k] · B[k×n]. */
    void matmul(int m, int n, int k,
                float[] a, int aOff, int lda,
                float[] b, int bOff, int ldb,
                float[] c, int cOff, int ldc, boolean accumulate);

    /** C[m×n] (+)= Aᵀ · B, where A is stored as [k×m] and B as [k×n] (weight gradients: Xᵀ·dY). */
    void matmulTransA(int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate);

    /** C[m×n] (+)= A · Bᵀ, where A is [m×k] and B is stored as [n×k] (input gradients: dY·Wᵀ). */
    void matmulTransB(int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate);

    /** As {@link #matmul}, skipping zero entries of A (MNIST pixels are mostly zero). */
    void matmulSkipZeros(int m, int n, int k,
                         float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * As {@link #matmulSkipZeros(int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)},
     * with scratch the caller owns: the call looks up no thread-local and, once {@code workspace} has
     * served this k, allocates nothing. For callers on threads that come and go (a virtual thread per
     * request), whose thread-local scratch would be new on every request. A single row (m = 1) needs no
     * scratch at all, with or without a workspace.
     */
    void matmulSkipZeros(int m, int n, int k,
                         float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, boolean accumulate, Workspace workspace);

    /**
     * C[1×n] = a[1×k] · B for one row a, B a kernel in {@link Bf16#pack bf16, packed}: the same bits as
     * {@link #matmulSkipZeros} (m = 1, no accumulate) on B's {@link Bf16#round rounded} floats, zero entries
     * of a skipped, on every implementation. Half the bytes of a float kernel per step: for single-image
     * dense layers, which are bound by reading B. No scratch, no allocation.
     */
    void matmulSkipZerosBf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff);

    /** As {@link #matmulTransA}, skipping zero entries of A (weight gradients of a sparse input). */
    void matmulTransASkipZeros(int m, int n, int k,
                               float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * As {@link #matmulSkipZeros}, each row of A on its own: every zero entry of A is skipped, where the
     * 4-row forms keep a step when any of four rows is non-zero there. For an A whose zeros are scattered
     * with no pattern shared by neighbouring rows (the gradient behind a max pooling: one cell of each
     * window), which the 4-row tiles would multiply nearly in full. Each non-zero step costs about twice
     * a tiled one, so it pays below about half non-zeros. Scalar and SIMD skip the same entries: the same
     * bits, without the sign-of-zero caveat between the 4-row forms and the scalar ones.
     */
    void matmulSkipZerosByRow(int m, int n, int k,
                              float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc, boolean accumulate);

    /** As {@link #matmulSkipZerosByRow} for Aᵀ·B, A stored [k×m] (as {@link #matmulTransA}). */
    void matmulTransASkipZerosByRow(int m, int n, int k,
                                    float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * A weight gradient applied by Adam as it is computed: G = Aᵀ·B (A stored [k×m], B [k×n], as
     * {@link #matmulTransA}; zero entries of A skipped when {@code skipZeros}, as
     * {@link #matmulTransASkipZeros}), then one Adam step, as {@link #adam}, on each element of
     * {@code param[m×n]} (rows {@code ldp} apart) with its element of G; the moments {@code mom} and
     * {@code vel} are laid out like {@code param}, at the same offsets. G is never stored: a training
     * step would otherwise write the first layer's whole gradient out and read it back. Bit-identical to
     * the GEMM into a buffer followed by {@link #adam} over it.
     */
    void matmulTransAAdam(int m, int n, int k,
                          float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, boolean skipZeros,
                          float[] param, int pOff, int ldp, float[] mom, float[] vel,
                          float lr, float beta1, float beta2, float epsilon, long step);

    // ---- element-wise and row-wise ----------------------------------------------------------

    /**
     * dst[i] = (src[i] &amp; 0xFF) / 255 for n unsigned bytes (pixels to network inputs in [0, 1]),
     * correctly rounded to float: the value {@code (float) (byte / 255.0)} as well.
     */
    void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff);

    /** x[m×n] += bias[n] on every row. */
    void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff);

    /** out[n] (+)= Σ over the m rows of x[m×n] (bias gradients). */
    void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff, boolean accumulate);

    /** y = max(x, 0) over n elements; x and y may be the same array and offset. */
    void reluForward(int n, float[] x, int xOff, float[] y, int yOff);

    /** dx = y &gt; 0 ? dy : 0, where y is the ReLU output; dx may alias dy. */
    void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /** Row-wise softmax of x[m×n] into y, max-subtracted so that inputs of ±1e4 stay finite. */
    void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff);

    /**
     * Softmax of the logits x[m×n] fused with sparse categorical cross-entropy.
     * Writes the probabilities to {@code probs} and {@code grad = (probs − onehot(label)) · gradScale}
     * (the gradient of the summed loss times gradScale with respect to the logits; {@code grad} may
     * alias {@code probs}), and returns the summed loss {@code Σ −log p[label]} of the m rows
     * computed through log-sum-exp, so it stays finite when a probability underflows.
     */
    double softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                               float[] probs, int probsOff, float[] grad, int gradOff, float gradScale);

    /** Index of the largest of n values (the first one on ties). */
    int argmax(int n, float[] x, int xOff);

    /**
     * One Adam step (Keras form) over n parameters, with bias correction for the 1-based {@code step}:
     * {@code m += (g − m)(1 − β1); v += (g² − v)(1 − β2); p −= α·m / (√v + ε)},
     * {@code α = lr·√(1 − β2^step) / (1 − β1^step)}. A moment that falls below the smallest normal
     * float (1.18e-38) is stored as +0, as TensorFlow's flush-to-zero does: subnormal arithmetic is
     * slow on x86, and a moment that small moves no weight.
     */
    void adam(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff, float[] v, int vOff,
              float lr, float beta1, float beta2, float epsilon, long step);

    // ---- images (NHWC) ----------------------------------------------------------------------

    /**
     * NHWC convolution of {@code rows} images. x: [rows][inH][inW][inC] at xOff; kernel HWIO
     * [kH][kW][inC][outC] at kOff; bias [outC] at bOff; y: [rows][outH][outW][outC] at yOff. Output
     * pixel (oh, ow) reads input row {@code oh·strideH − padTop + kh} and column
     * {@code ow·strideW − padLeft + kw}. Each output element is
     * {@code acc = 0; for kh, kw, ic ascending (taps inside the image only, and zero inputs skipped, as
     * matmulSkipZeros): acc = fma(x, w, acc); then y = acc + bias}. Scalar and SIMD give the same bits, and
     * so does any split of the images over threads; as with {@link #matmulSkipZeros}, for finite weights
     * (a kernel may multiply a skipped zero by its weight where that changes nothing) the only possible
     * difference is the sign of a zero that passes through −0 and meets a −0 bias. The padding is implied
     * by outH and outW (a window may lie wholly in the padding: its output is the bias). y must not
     * overlap x, kernel or bias.
     */
    void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                int padTop, int padLeft, int outH, int outW,
                float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff);

    /**
     * As {@link #conv2d(int, int, int, int, int, int, int, int, int, int, int, int, int, float[], int, float[], int, float[], int, float[], int)},
     * with scratch the caller owns (the SIMD convolution pads the image and the weights into it): no
     * thread-local lookup, and no allocation once {@code workspace} has served these shapes.
     */
    void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                int padTop, int padLeft, int outH, int outW,
                float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                Workspace workspace);

    /**
     * {@link #conv2d} (outH × outW, the convolution's output), then ReLU in place ({@link #reluForward}),
     * then {@link #maxPool2d} over 2×2 windows at stride 2 without padding: y is
     * [rows][outH/2][outW/2][outC]. The same bits as those three calls in a row, with no full-size
     * intermediate to write and read back where the SIMD kernels can run them as one pass (a 1-channel
     * image at column stride 1 into 3 to 6 filters: the first layer of LeNet-5 and of the bundled CNN);
     * elsewhere they are those three calls, the convolution's output held in {@code workspace}. outH and
     * outW must be at least 2; y must not overlap x, kernel or bias.
     */
    void conv2dReluPool(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                        int padTop, int padLeft, int outH, int outW,
                        float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                        Workspace workspace);

    /**
     * NHWC max pooling of {@code rows} images: y[r][oh][ow][c] is the largest x over the window's taps
     * inside the image (rows {@code oh·strideH − padTop ..}, {@code + poolH − 1}, columns likewise), in
     * kh, kw order with {@link Math#max} semantics (NaN propagates, +0 beats −0); padded cells never win.
     * Every window must overlap the image: padTop &lt; poolH, padLeft &lt; poolW, and the last window
     * starts inside it. y must not overlap x.
     */
    void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                   int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff);

    /**
     * The gradient of {@link #maxPool2d} with square windows that tile the image (stride = pool, no
     * padding; outH = inH / pool, outW = inW / pool): dx[r][h][w][c] is dy[r][oh][ow][c] at the first tap
     * of its window (kh, kw order) whose bits are y's, the pooling's output, and 0 at the other taps and
     * at the cells no window covers. x is the pooling's input. Data movement only: the same bits in both
     * implementations. dx must not overlap x, y or dy.
     */
    void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                           float[] dy, int dyOff, float[] dx, int dxOff);

    /**
     * y = 1 / (1 + e^−x) element-wise over n; x and y may be the same array and offset. Computed as
     * {@code e = exp(−|x|); y = (x ≥ 0 ? 1 : e) / (1 + e)} with softmax's own exp polynomial, so scalar and
     * SIMD agree bit for bit: within 3 ulp of the exact value (2.2 ulp at worst over 4 million points; tested
     * in SigmoidTanhTest), +0 for x &lt; −87.3 (where exp flushes: the exact value is below 1.21e-38), NaN for NaN.
     */
    void sigmoid(int n, float[] x, int xOff, float[] y, int yOff);

    /**
     * y = tanh(x) element-wise over n; x and y may be the same array and offset. For |x| &lt; 0.5 an odd
     * Taylor polynomial to x^17; above, {@code (1 − e) / (1 + e)} with {@code e = exp(−2|x|)} by softmax's
     * exp polynomial, given x's sign. Scalar and SIMD agree bit for bit; within 3 ulp of the exact value
     * (2.3 ulp at worst over 4 million points, just above |x| = 0.5; tested in SigmoidTanhTest), ±1 for
     * |x| ≥ 9.1, NaN for NaN.
     */
    void tanh(int n, float[] x, int xOff, float[] y, int yOff);

    /**
     * Scratch for the kernels that need some (the SIMD zero-skipping GEMM packs four rows of A at a time
     * into it, the SIMD convolution pads images and weights into it; {@code matmulTransB} transposes B
     * into it). Create one where a caller owns its state (a
     * predictor, a worker) and pass it to the methods that take one: those calls then allocate nothing
     * once it has grown to their shapes. The methods without a workspace use one kept per thread. Not
     * thread-safe: one per thread, as the scratch it holds is written by every call.
     */
    final class Workspace {
        private static final ThreadLocal<Workspace> PER_THREAD = ThreadLocal.withInitial(Workspace::new);

        // Packed A: kept step q has index pos[q] and the values of rows r = 0..3 at val[r*stride + q].
        int[] pos = new int[0];
        float[] val = new float[0];
        int stride;
        private float[] tile = new float[0];
        private float[] transposed = new float[0];
        private float[] convolved = new float[0];
        /** The convolution's scratch, of the implementation's own type (null until a conv2d needs it). */
        Object images;

        public Workspace() {}

        /** The calling thread's own, for the methods called without one. */
        static Workspace perThread() {
            return PER_THREAD.get();
        }

        /** Room for a 4-row panel of k steps, with {@code pad} more per row (vector stores past the last step). */
        void panel(int k, int pad) {
            if (pos.length < k + pad) {
                stride = k + pad;
                pos = new int[stride];
                val = new float[4 * stride];
            }
        }

        /** A scratch array of at least n floats (a tile of C that never leaves the cache). */
        float[] tile(int n) {
            if (tile.length < n) tile = new float[n];
            return tile;
        }

        /** A scratch array of at least n floats for a convolution's output on its way to pooling. */
        float[] convolved(int n) {
            if (convolved.length < n) convolved = new float[n];
            return convolved;
        }

        /** A scratch array of at least n floats for a transposed operand. */
        float[] transposed(int n) {
            if (transposed.length < n) transposed = new float[n];
            return transposed;
        }
    }
}
