package lanes.kernels;

import lanes.kernels.Kernels.Workspace;

/**
 * Plain-Java arithmetic: the fallback when the Vector API is absent, and the bit-for-bit twin of the
 * SIMD GEMM (same fma, same k order). Operands arrive checked ({@link CheckedKernels}); tests and
 * benchmarks reach it through {@link KernelsProvider#scalar()}.
 */
final class ScalarKernels implements Arithmetic {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override public String name() { return "scalar"; }
    @Override public int vectorBits() { return 0; }

    // A(i, p) = a[aOff + i*ars + p*acs]: one loop nest serves A and Aᵀ.
    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs,
              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
              boolean accumulate, boolean skipZeros, Workspace workspace) {
        if (n == 0) return; // C has no element; its offset may lie past the end of the array
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
            for (int p = 0; p < k; p++) {
                float aip = a[aOff + i * ars + p * acs];
                if (skipZeros && aip == 0f) continue;
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) c[ci + j] = Math.fma(aip, b[bp + j], c[ci + j]);
            }
        }
    }

    /** The scalar gemm already skips each zero of A on its own. */
    @Override
    public void gemmByRow(int m, int n, int k, float[] a, int aOff, int ars, int acs,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, accumulate, true, null);
    }

    /** The scalar gemm's loop (one row, C from +0, zeros of a skipped) with each weight widened from bf16. */
    @Override
    public void gemmBf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        java.util.Arrays.fill(c, cOff, cOff + n, 0f);
        int s = Bf16.rowInts(n);
        for (int p = 0; p < k; p++) {
            float ap = a[aOff + p];
            if (ap == 0f) continue;
            for (int j = 0; j < n; j++) c[cOff + j] = Math.fma(ap, Bf16.widen(b[Bf16.at(s, p, j)], j), c[cOff + j]);
        }
    }

    @Override
    public void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff) {
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n;
            for (int j = 0; j < n; j++) x[xi + j] += bias[biasOff + j];
        }
    }

    @Override
    public void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, outOff, outOff + n, 0f);
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n;
            for (int j = 0; j < n; j++) out[outOff + j] += x[xi + j];
        }
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = Math.max(x[xOff + i], 0f);
    }

    @Override
    public void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
    }

    @Override
    public void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < m; i++) softmaxRow(n, x, xOff + i * n, y, yOff + i * n);
    }

    /** Writes softmax(x) to y and returns log Σ exp(x − max) (for the loss). */
    static float softmaxRow(int n, float[] x, int xo, float[] y, int yo) {
        if (n == 0) return 0f;
        float max = x[xo];
        for (int j = 1; j < n; j++) max = Math.max(max, x[xo + j]);
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            float e = Exp.exp(x[xo + j] - max);
            y[yo + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) y[yo + j] *= inv;
        return (float) Math.log(sum);
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                                      float[] probs, int probsOff, float[] grad, int gradOff, float gradScale) {
        double loss = 0;
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n, pi = probsOff + i * n, gi = gradOff + i * n;
            int y = labels[labelsOff + i];
            float max = x[xi];
            for (int j = 1; j < n; j++) max = Math.max(max, x[xi + j]);
            float logSum = softmaxRow(n, x, xi, probs, pi);
            loss += logSum - (x[xi + y] - max);
            for (int j = 0; j < n; j++) grad[gi + j] = probs[pi + j] * gradScale;
            grad[gi + y] -= gradScale;
        }
        return loss;
    }

    @Override
    public void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255f;
    }

    @Override
    public int argmax(int n, float[] x, int xOff) {
        int best = 0;
        for (int j = 1; j < n; j++) if (x[xOff + j] > x[xOff + best]) best = j;
        return best;
    }

    @Override
    public void matmulTransAAdam(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 boolean skipZeros, float[] param, int pOff, int ldp, float[] mom, float[] vel,
                                 float lr, float beta1, float beta2, float epsilon, long step) {
        float alpha = Checks.adamAlpha(lr, beta1, beta2, step);
        float[] g = Workspace.perThread().tile(n);
        for (int i = 0; i < m; i++) {
            // one row of G = Aᵀ·B, then its Adam step
            gemm(1, n, k, a, aOff + i, 1, lda, b, bOff, ldb, g, 0, n, false, skipZeros, null);
            int pi = pOff + i * ldp;
            adamSteps(n, param, pi, g, 0, mom, pi, vel, pi, alpha, 1f - beta1, 1f - beta2, epsilon);
        }
    }

    @Override
    public void adam(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float epsilon, long step) {
        adamSteps(n, param, pOff, grad, gOff, m, mOff, v, vOff, Checks.adamAlpha(lr, beta1, beta2, step),
                1f - beta1, 1f - beta2, epsilon);
    }

    /**
     * x, or +0 when x is subnormal (|x| below {@link Float#MIN_NORMAL}, 1.18e-38). Adam's moments decay
     * geometrically wherever the gradient is zero (weights of pixels that are background in the whole
     * batch), through the subnormal range, where x86 cores take a slow path on every operation: kept,
     * they double the cost of the update. TensorFlow flushes them too (it runs with FTZ/DAZ on CPUs),
     * and a moment that small moves no weight.
     */
    private static float flushSubnormal(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }

    /** The Adam update with its step size α = {@link Checks#adamAlpha} already computed. */
    static void adamSteps(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff,
                                  float[] v, int vOff, float alpha, float omb1, float omb2, float epsilon) {
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            float mi = m[mOff + i] + (g - m[mOff + i]) * omb1;
            float vi = v[vOff + i] + (g * g - v[vOff + i]) * omb2;
            mi = flushSubnormal(mi);
            vi = flushSubnormal(vi);
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            param[pOff + i] -= (mi * alpha) / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    // ---- images and squashing activations ---------------------------------------------------

    @Override
    public void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                       Workspace workspace) {
        ScalarImages.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff);
    }

    @Override
    public void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        ScalarImages.maxPool2d(rows, inH, inW, channels, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, y, yOff);
    }

    @Override
    public void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] dx, int dxOff) {
        ScalarImages.maxPool2dBackward(0, rows, inH, inW, channels, pool, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = Activations.sigmoid(x[xOff + i]);
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] = Activations.tanh(x[xOff + i]);
    }
}
