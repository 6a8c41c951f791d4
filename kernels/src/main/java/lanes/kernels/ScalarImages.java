package lanes.kernels;

/**
 * The scalar convolution and max pooling of {@link Kernels}: the definitions written as loops, one output
 * pixel at a time. {@link ScalarKernels} calls these with operands
 * that {@link CheckedKernels} has checked.
 */
final class ScalarImages {
    private ScalarImages() {}

    /**
     * {@link Kernels#maxPool2dBackward} for channels c0.. of every cell (the SIMD kernel's tail): each
     * window's first tap holding the output's bits gets dy, the others 0; cells outside every window 0.
     */
    static void maxPool2dBackward(int c0, int rows, int inH, int inW, int channels, int pool, float[] x, int xOff,
                                  float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        int outH = inH / pool, outW = inW / pool, rowStride = inW * channels;
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * inH * rowStride, dxi = dxOff + r * inH * rowStride, o = r * outH * outW * channels;
            for (int h = 0; h < inH && (inH % pool != 0 || inW % pool != 0); h++) {
                for (int w = 0; w < inW; w++) {
                    int cell = h * rowStride + w * channels;
                    if (h < outH * pool && w < outW * pool) continue;
                    for (int c = 0; c < channels; c++) dx[dxi + cell + c] = 0f; // every channel: no window reads it
                }
            }
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++, o += channels) {
                    int first = oh * pool * rowStride + ow * pool * channels;
                    for (int c = c0; c < channels; c++) {
                        int max = Float.floatToRawIntBits(y[yOff + o + c]);
                        float g = dy[dyOff + o + c];
                        boolean taken = false;
                        for (int kh = 0; kh < pool; kh++) {
                            for (int kw = 0, tap = first + kh * rowStride + c; kw < pool; kw++, tap += channels) {
                                boolean hit = !taken && Float.floatToRawIntBits(x[xi + tap]) == max;
                                dx[dxi + tap] = hit ? g : 0f;
                                taken |= hit;
                            }
                        }
                    }
                }
            }
        }
    }

    static void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff) {
        int tap = inC * outC; // weights of one (kh, kw)
        for (int img = 0; img < rows; img++) {
            int xi = xOff + img * inH * inW * inC;
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int yo = yOff + ((img * outH + oh) * outW + ow) * outC;
                    java.util.Arrays.fill(y, yo, yo + outC, 0f);
                    for (int kh = 0; kh < kH; kh++) {
                        int ih = oh * strideH - padTop + kh;
                        if (ih < 0 || ih >= inH) continue;
                        for (int kw = 0; kw < kW; kw++) {
                            int iw = ow * strideW - padLeft + kw;
                            if (iw < 0 || iw >= inW) continue;
                            int xp = xi + (ih * inW + iw) * inC, wp = kOff + (kh * kW + kw) * tap;
                            for (int ic = 0; ic < inC; ic++, wp += outC) {
                                float xv = x[xp + ic];
                                if (xv == 0f) continue;
                                for (int oc = 0; oc < outC; oc++) y[yo + oc] = Math.fma(xv, kernel[wp + oc], y[yo + oc]);
                            }
                        }
                    }
                    for (int oc = 0; oc < outC; oc++) y[yo + oc] += bias[bOff + oc];
                }
            }
        }
    }

    static void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        for (int img = 0; img < rows; img++) {
            int xi = xOff + img * inH * inW * channels;
            for (int oh = 0; oh < outH; oh++) {
                int h0 = oh * strideH - padTop, khLo = Math.max(0, -h0), khHi = Math.min(poolH, inH - h0);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * strideW - padLeft, kwLo = Math.max(0, -w0), kwHi = Math.min(poolW, inW - w0);
                    int yo = yOff + ((img * outH + oh) * outW + ow) * channels;
                    // the first tap inside the image starts the maximum; the checks guarantee there is one
                    System.arraycopy(x, xi + ((h0 + khLo) * inW + w0 + kwLo) * channels, y, yo, channels);
                    for (int kh = khLo; kh < khHi; kh++) {
                        for (int kw = kh == khLo ? kwLo + 1 : kwLo; kw < kwHi; kw++) {
                            int xp = xi + ((h0 + kh) * inW + w0 + kw) * channels;
                            for (int c = 0; c < channels; c++) y[yo + c] = Math.max(y[yo + c], x[xp + c]);
                        }
                    }
                }
            }
        }
    }
}
