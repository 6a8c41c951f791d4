package lanes.kernels;

/**
 * Operand checks, run once per call by the public layer ({@link CheckedKernels}, and {@link Gemm} for a
 * whole threaded product) before anything is written; the arithmetic behind them checks nothing.
 */
final class Checks {
    private Checks() {}

    static void dims(int m, int n, int k) {
        if (m < 0) throw new IllegalArgumentException("m must be >= 0, got " + m);
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
    }

    static void count(String what, int n) {
        if (n < 0) throw new IllegalArgumentException(what + " must be >= 0, got " + n);
    }

    /** A matrix of {@code rows} rows of {@code cols} elements, rows {@code ld} apart, from {@code off}. */
    static void matrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (x == null) throw new IllegalArgumentException(name + " is null");
        if (ld < cols) throw new IllegalArgumentException(
                "leading dimension of " + name + " (" + ld + ") is smaller than its row length " + cols);
        if (off < 0) throw new IllegalArgumentException("offset of " + name + " is negative: " + off);
        if (rows == 0 || cols == 0) return;
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > x.length) throw new IllegalArgumentException(
                name + " is too short: needs " + end + " elements for " + rows + "x" + cols
                        + " from offset " + off + " with leading dimension " + ld + ", has " + x.length);
    }

    static void vector(String name, float[] x, int off, long n) {
        span(name, x == null ? -1 : x.length, off, n, "elements");
    }

    static void bytes(String name, byte[] x, int off, long n) {
        span(name, x == null ? -1 : x.length, off, n, "bytes");
    }

    /** n {@code units} from {@code off} of an array of {@code length} (-1: the array is null). */
    private static void span(String name, int length, int off, long n, String units) {
        if (length < 0) throw new IllegalArgumentException(name + " is null");
        if (off < 0) throw new IllegalArgumentException("offset of " + name + " is negative: " + off);
        if (off + n > length) throw new IllegalArgumentException(
                name + " is too short: needs " + (off + n) + " " + units + " (" + n + " from offset " + off
                        + "), has " + length);
    }

    static void labels(int[] labels, int off, int m, int classes) {
        if (labels == null) throw new IllegalArgumentException("labels is null");
        if (off < 0 || off + (long) m > labels.length) throw new IllegalArgumentException(
                "labels is too short: needs " + m + " from offset " + off + ", has " + labels.length);
        for (int i = 0; i < m; i++) {
            int y = labels[off + i];
            if (y < 0 || y >= classes) throw new IllegalArgumentException(
                    "labels[" + (off + i) + "] = " + y + " is not a class in [0, " + classes + ")");
        }
    }

    // One check per element-wise and row-wise operation, named after it.

    static void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff) {
        dims(m, n, 0);
        matrix("x", x, xOff, n, m, n);
        vector("bias", bias, biasOff, n);
    }

    static void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff) {
        dims(m, n, 0);
        matrix("x", x, xOff, n, m, n);
        vector("out", out, outOff, n);
    }

    static void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        count("n", n);
        vector("x", x, xOff, n);
        vector("y", y, yOff, n);
    }

    static void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        count("n", n);
        vector("y", y, yOff, n);
        vector("dy", dy, dyOff, n);
        vector("dx", dx, dxOff, n);
    }

    static void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff) {
        dims(m, n, 0);
        matrix("x", x, xOff, n, m, n);
        matrix("y", y, yOff, n, m, n);
    }

    static void softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                                    float[] probs, int probsOff, float[] grad, int gradOff) {
        dims(m, n, 0);
        if (n == 0 && m > 0) throw new IllegalArgumentException("softmaxCrossEntropy needs at least one class");
        matrix("x", x, xOff, n, m, n);
        matrix("probs", probs, probsOff, n, m, n);
        matrix("grad", grad, gradOff, n, m, n);
        labels(labels, labelsOff, m, n);
    }

    static void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff) {
        count("n", n);
        bytes("src", src, srcOff, n);
        vector("dst", dst, dstOff, n);
    }

    static void argmax(int n, float[] x, int xOff) {
        if (n < 1) throw new IllegalArgumentException("argmax needs n >= 1, got " + n);
        vector("x", x, xOff, n);
    }

    static void gemm(int m, int n, int k, boolean transA, boolean transB,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        dims(m, n, k);
        if (transA) matrix("A", a, aOff, lda, k, m); else matrix("A", a, aOff, lda, m, k);
        if (transB) matrix("B", b, bOff, ldb, n, k); else matrix("B", b, bOff, ldb, k, n);
        matrix("C", c, cOff, ldc, m, n);
    }

    static void adam(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float eps, long step) {
        count("n", n);
        vector("param", p, pOff, n);
        vector("grad", g, gOff, n);
        vector("m", m, mOff, n);
        vector("v", v, vOff, n);
        if (step < 1) throw new IllegalArgumentException("step is 1-based, got " + step);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + eps);
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
    }

    /** The fused weight gradient and Adam step: G = Aᵀ·B of m×n, applied to param, mom and vel (m×n, ldp). */
    static void gemmAdam(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] p, int pOff, int ldp, float[] mom, float[] vel,
                         float lr, float beta1, float beta2, float eps, long step) {
        dims(m, n, k);
        matrix("A", a, aOff, lda, k, m);
        matrix("B", b, bOff, ldb, k, n);
        matrix("param", p, pOff, ldp, m, n);
        matrix("m", mom, pOff, ldp, m, n);
        matrix("v", vel, pOff, ldp, m, n);
        adam(0, p, pOff, p, pOff, mom, pOff, vel, pOff, lr, beta1, beta2, eps, step);
    }

    /** Keras' bias-corrected step size α = lr·√(1 − β2^t) / (1 − β1^t), computed in double once per step. */
    static float adamAlpha(float lr, float beta1, float beta2, long step) {
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
    }

    // ---- images -----------------------------------------------------------------------------

    private static void atLeast(String what, int value, int min) {
        if (value < min) throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
    }

    /** The geometry shared by conv2d and maxPool2d: sizes, strides, pads and output size. */
    private static void window(int rows, int inH, int inW, int channels, String channelsName, int kH, int kW,
                               String kHName, String kWName, int strideH, int strideW, int padTop, int padLeft, int outH, int outW) {
        count("rows", rows);
        atLeast("inH", inH, 1);
        atLeast("inW", inW, 1);
        atLeast(channelsName, channels, 1);
        // names as literals: a concatenation here would allocate on every call
        atLeast(kHName, kH, 1);
        atLeast(kWName, kW, 1);
        atLeast("strideH", strideH, 1);
        atLeast("strideW", strideW, 1);
        count("padTop", padTop);
        count("padLeft", padLeft);
        atLeast("outH", outH, 1);
        atLeast("outW", outW, 1);
        // Index arithmetic stays in int: the padded image must be addressable.
        if ((long) (outH - 1) * strideH + kH > Integer.MAX_VALUE / 2 || (long) (outW - 1) * strideW + kW > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("outH/outW, strides and " + kHName + "/" + kWName + " span more than 2^30 cells");
        }
    }

    static void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff) {
        convolution(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, kernel, kOff, bias, bOff);
        vector("y", y, yOff, (long) rows * outH * outW * outC);
    }

    /** As {@link #conv2d}, y holding the 2×2 pooling of the outH × outW convolution (both at least 2). */
    static void conv2dReluPool(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                               int padTop, int padLeft, int outH, int outW,
                               float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff) {
        convolution(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, kernel, kOff, bias, bOff);
        atLeast("outH", outH, 2);
        atLeast("outW", outW, 2);
        vector("y", y, yOff, (long) rows * (outH / 2) * (outW / 2) * outC);
    }

    /** A convolution's geometry and its input, kernel and bias: what conv2d and conv2dReluPool share. */
    private static void convolution(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                                    int padTop, int padLeft, int outH, int outW,
                                    float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff) {
        window(rows, inH, inW, inC, "inC", kH, kW, "kH", "kW", strideH, strideW, padTop, padLeft, outH, outW);
        atLeast("outC", outC, 1);
        vector("x", x, xOff, (long) rows * inH * inW * inC);
        vector("kernel", kernel, kOff, (long) kH * kW * inC * outC);
        vector("bias", bias, bOff, outC);
    }

    /** One row a[k] times a bf16-packed kernel ({@link Bf16#pack}) of k × n into C[n]. */
    static void bf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        dims(1, n, k);
        vector("a", a, aOff, k);
        vector("C", c, cOff, n);
        if (b == null) throw new IllegalArgumentException("B is null");
        long need = (long) k * Bf16.rowInts(n);
        if (b.length != need) throw new IllegalArgumentException("B holds " + b.length + " ints; a packed " + k + "x" + n
                + " kernel holds " + need);
    }

    static void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        window(rows, inH, inW, channels, "channels", poolH, poolW, "poolH", "poolW", strideH, strideW, padTop, padLeft, outH, outW);
        // A window wholly in the padding would have no value to take the maximum of.
        if (padTop >= poolH) throw new IllegalArgumentException("padTop (" + padTop + ") must be below poolH (" + poolH + ")");
        if (padLeft >= poolW) throw new IllegalArgumentException("padLeft (" + padLeft + ") must be below poolW (" + poolW + ")");
        if ((long) (outH - 1) * strideH - padTop >= inH) throw new IllegalArgumentException(
                "outH " + outH + " is too large: its last window starts below the image's " + inH + " rows");
        if ((long) (outW - 1) * strideW - padLeft >= inW) throw new IllegalArgumentException(
                "outW " + outW + " is too large: its last window starts right of the image's " + inW + " columns");
        vector("x", x, xOff, (long) rows * inH * inW * channels);
        vector("y", y, yOff, (long) rows * outH * outW * channels);
    }

    static void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] dx, int dxOff) {
        count("rows", rows);
        atLeast("pool", pool, 1);
        atLeast("inH", inH, pool);
        atLeast("inW", inW, pool);
        atLeast("channels", channels, 1);
        long in = (long) rows * inH * inW * channels, out = (long) rows * (inH / pool) * (inW / pool) * channels;
        vector("x", x, xOff, in);
        vector("y", y, yOff, out);
        vector("dy", dy, dyOff, out);
        vector("dx", dx, dxOff, in);
    }

    /** sigmoid and tanh: n elements of x read, n of y written. */
    static void activation(int n, float[] x, int xOff, float[] y, int yOff) {
        count("n", n);
        vector("x", x, xOff, n);
        vector("y", y, yOff, n);
    }
}
