package lanes.kernels;

/**
 * The oracle: the most direct loops for every kernel, computed in double from the float inputs.
 * Nothing here is clever, shares code with the kernels, or depends on their evaluation order.
 */
final class NaiveReference {
    private NaiveReference() {}

    /** The three storage layouts of GEMM operands. */
    enum Form {
        /** C = A·B, A stored [m×k], B stored [k×n]. */
        AB,
        /** C = Aᵀ·B, A stored [k×m], B stored [k×n]. */
        ATB,
        /** C = A·Bᵀ, A stored [m×k], B stored [n×k]. */
        ABT
    }

    /** Logical A(i, p) of the product for the given storage form. */
    static float a(Form form, float[] a, int aOff, int lda, int i, int p) {
        return form == Form.ATB ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** Logical B(p, j) of the product for the given storage form. */
    static float b(Form form, float[] b, int bOff, int ldb, int p, int j) {
        return form == Form.ABT ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
    }

    /**
     * The exact-as-double product: returns {@code {C, bound}}, both dense [m×n], where
     * {@code C = (accumulate ? C0 : 0) + Σ_p A(i,p)·B(p,j)} and {@code bound = |C0| + Σ_p |A(i,p)·B(p,j)|}
     * (the quantity that floating-point error bounds of a k-term sum scale with).
     */
    static double[][] gemm(Form form, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float[] c, int cOff, int ldc, boolean accumulate) {
        double[] sum = new double[m * n];
        double[] abs = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, t = 0;
                if (accumulate) {
                    s = c[cOff + i * ldc + j];
                    t = Math.abs(s);
                }
                for (int p = 0; p < k; p++) {
                    double prod = (double) a(form, a, aOff, lda, i, p) * b(form, b, bOff, ldb, p, j);
                    s += prod;
                    t += Math.abs(prod);
                }
                sum[i * n + j] = s;
                abs[i * n + j] = t;
            }
        }
        return new double[][] {sum, abs};
    }

    /** Row-wise softmax of x[m×n] (dense rows), in double. */
    static double[] softmaxRows(int m, int n, float[] x, int xOff) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, x[xOff + i * n + j]);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                y[i * n + j] = Math.exp(x[xOff + i * n + j] - max);
                sum += y[i * n + j];
            }
            for (int j = 0; j < n; j++) y[i * n + j] /= sum;
        }
        return y;
    }

    /** Cross-entropy of one row: log Σ_j exp(x_j) − x_label, through log-sum-exp. */
    static double crossEntropyRow(int n, double[] x, int xo, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, x[xo + j]);
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(x[xo + j] - max);
        return max + Math.log(sum) - x[xo + label];
    }

    /** Summed cross-entropy Σ_i −log softmax(x_i)[label_i] of x[m×n] given in double. */
    static double crossEntropy(int m, int n, double[] x, int[] labels) {
        double loss = 0;
        for (int i = 0; i < m; i++) loss += crossEntropyRow(n, x, i * n, labels[i]);
        return loss;
    }

    /** As {@link #crossEntropy(int, int, double[], int[])} for float logits from an offset. */
    static double crossEntropy(int m, int n, float[] x, int xOff, int[] labels) {
        double[] d = new double[m * n];
        for (int i = 0; i < m * n; i++) d[i] = x[xOff + i];
        return crossEntropy(m, n, d, labels);
    }

    /** Σ over rows of x[m×n] (dense rows), in double. */
    static double[] sumRows(int m, int n, float[] x, int xOff) {
        double[] s = new double[n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) s[j] += x[xOff + i * n + j];
        return s;
    }

    /** Index of the first of n values that no other value exceeds (defined by comparisons, not a running max). */
    static int argmax(int n, float[] x, int xOff) {
        for (int j = 0; j < n; j++) {
            boolean largest = true;
            for (int q = 0; q < n && largest; q++) largest = !(x[xOff + q] > x[xOff + j]);
            if (largest) return j;
        }
        throw new AssertionError("no largest value (NaN?)");
    }

    /** Input (ih, iw, c) of image img in NHWC, or null outside the image (padding). */
    private static Float pixel(float[] x, int xOff, int img, int inH, int inW, int ch, int ih, int iw, int c) {
        if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) return null;
        return x[xOff + ((img * inH + ih) * inW + iw) * ch + c];
    }

    /**
     * NHWC convolution in double, dense [rows][outH][outW][outC]: returns {@code {y, bound}} where
     * {@code y = bias + Σ x·w} over the taps inside the image and {@code bound = |bias| + Σ |x·w|}.
     * Kernel HWIO; padding before is padTop/padLeft, after is whatever outH/outW imply.
     */
    static double[][] conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                             int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] kernel, int kOff,
                             float[] bias, int bOff) {
        int size = rows * outH * outW * outC;
        double[] y = new double[size], bound = new double[size];
        for (int img = 0; img < rows; img++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    for (int oc = 0; oc < outC; oc++) {
                        double s = 0, t = 0;
                        for (int kh = 0; kh < kH; kh++) {
                            for (int kw = 0; kw < kW; kw++) {
                                for (int ic = 0; ic < inC; ic++) {
                                    Float v = pixel(x, xOff, img, inH, inW, inC, oh * strideH - padTop + kh, ow * strideW - padLeft + kw, ic);
                                    if (v == null) continue;
                                    double prod = (double) v * kernel[kOff + ((kh * kW + kw) * inC + ic) * outC + oc];
                                    s += prod;
                                    t += Math.abs(prod);
                                }
                            }
                        }
                        int o = ((img * outH + oh) * outW + ow) * outC + oc;
                        y[o] = s + bias[bOff + oc];
                        bound[o] = t + Math.abs(bias[bOff + oc]);
                    }
                }
            }
        }
        return new double[][] {y, bound};
    }

    /**
     * NHWC max pooling, dense [rows][outH][outW][channels]: the largest value among the window's taps
     * inside the image, found by comparisons (a value no other tap exceeds); NaN when a tap is NaN.
     */
    static float[] maxPool2d(int rows, int inH, int inW, int ch, int poolH, int poolW, int strideH, int strideW,
                             int padTop, int padLeft, int outH, int outW, float[] x, int xOff) {
        float[] y = new float[rows * outH * outW * ch];
        for (int img = 0; img < rows; img++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    for (int c = 0; c < ch; c++) {
                        java.util.List<Float> taps = new java.util.ArrayList<>();
                        for (int kh = 0; kh < poolH; kh++) {
                            for (int kw = 0; kw < poolW; kw++) {
                                Float v = pixel(x, xOff, img, inH, inW, ch, oh * strideH - padTop + kh, ow * strideW - padLeft + kw, c);
                                if (v != null) taps.add(v);
                            }
                        }
                        float best = Float.NaN;
                        if (taps.stream().noneMatch(v -> v.isNaN())) {
                            for (float v : taps) if (taps.stream().noneMatch(o -> o > v)) best = v;
                        }
                        y[((img * outH + oh) * outW + ow) * ch + c] = best;
                    }
                }
            }
        }
        return y;
    }
}
