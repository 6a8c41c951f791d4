package lanes.trainer;

import lanes.engine.Shape;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * Max pooling in training: square window, stride = window, valid padding (floor), channel by channel
 * over NHWC (the engine's {@link lanes.engine.MaxPool2D} with those settings). x is (B, H, W, C), y is
 * (B, H / P, W / P, C). The forward pass is the engine's pooling; the backward pass finds, in each window,
 * the input the maximum was copied from (the first one holding its bits, in row-major window order) and
 * routes the output's gradient there. Windows do not overlap, so this is data movement only: the same
 * bits on any thread count and kernels.
 */
final class MaxPool extends Layer {
    final int height, width, channels, size, outHeight, outWidth;

    MaxPool(Shape input, int size) {
        super(input.size(), (input.height() / size) * (input.width() / size) * input.channels());
        this.height = input.height();
        this.width = input.width();
        this.channels = input.channels();
        this.size = size;
        this.outHeight = height / size;
        this.outWidth = width / size;
    }

    @Override
    Shape inputShape() {
        return new Shape(height, width, channels);
    }

    @Override
    Shape outputShape() {
        return new Shape(outHeight, outWidth, channels);
    }

    @Override
    int parameterCount() {
        return 0;
    }

    /** The fewest images worth a thread of their own: each costs about one pass over its input. */
    private int minImages() {
        return Gemm.minChunk(in);
    }

    /** The engine's pooling, images split over threads. */
    @Override
    void forward(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, boolean skipZeros) {
        s.forRange(rows, minImages(), (i0, i1) -> k.maxPool2d(i1 - i0, height, width, channels, size, size, size, size,
                0, 0, outHeight, outWidth, x, i0 * in, y, i0 * out));
    }

    /** As {@link #forward}: the backward pass finds the maxima again from act[l] and act[l+1], which it keeps. */
    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        forward(k, s, rows, input(b, l, rows), params, b.act[l + 1], false);
    }

    @Override
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        gradient(g, rows, b, l, params, grads);
    }

    /** dx = dy at each window's maximum, 0 elsewhere (the other inputs, and those outside every window). */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        float[] x = b.act[l], y = b.act[l + 1], dy = b.grad[l + 1], dx = b.grad[l];
        if (dx == null) return;
        g.scheduler().forRange(rows, minImages(), (i0, i1) -> {
            java.util.Arrays.fill(dx, i0 * in, i1 * in, 0f);
            for (int i = i0; i < i1; i++) {
                if (size == 2) route2x2(x, y, dy, i * out, dx, i * in);
                else route(x, y, dy, i * out, dx, i * in);
            }
        });
    }

    /**
     * One image, whose dx is zero: each output's gradient into the first input of its window whose bits
     * equal the output's (the engine's pooling copies the maximum: Math.max semantics, so +0 beats −0, and
     * of equal values the first is taken). The tap is found without branches: which one holds the maximum
     * is a coin toss, and a mispredicted branch per tap made this pass several times slower. An output whose
     * bits no input holds (a NaN the kernels made canonical) routes nowhere: with a NaN among the
     * activations, training has already failed.
     */
    private void route(float[] x, float[] y, float[] dy, int yOff, float[] dx, int xOff) {
        int rowStride = width * channels, o = yOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++, o += channels) {
                int first = xOff + oh * size * rowStride + ow * size * channels;
                for (int c = 0; c < channels; c++) {
                    int max = Float.floatToRawIntBits(y[o + c]), taken = 0, at = 0;
                    for (int kh = 0; kh < size; kh++) {
                        for (int kw = 0, tap = first + kh * rowStride + c; kw < size; kw++, tap += channels) {
                            int d = Float.floatToRawIntBits(x[tap]) ^ max;
                            int hit = ~((d | -d) >> 31) & ~taken; // all ones at the first equal tap, else 0
                            taken |= hit;
                            at |= tap & hit;
                        }
                    }
                    if (taken != 0) dx[at] = dy[o + c];
                }
            }
        }
    }

    /** {@link #route} for 2×2 windows, the four taps written out: 1.5 times faster than the loops over them. */
    private void route2x2(float[] x, float[] y, float[] dy, int yOff, float[] dx, int xOff) {
        int rowStride = width * channels, o = yOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++, o += channels) {
                int t0 = xOff + 2 * oh * rowStride + 2 * ow * channels, t1 = t0 + channels, t2 = t0 + rowStride, t3 = t2 + channels;
                for (int c = 0; c < channels; c++) {
                    int max = Float.floatToRawIntBits(y[o + c]);
                    int e0 = equal(x[t0 + c], max), e1 = equal(x[t1 + c], max) & ~e0;
                    int e2 = equal(x[t2 + c], max) & ~(e0 | e1), e3 = equal(x[t3 + c], max) & ~(e0 | e1 | e2);
                    int at = (t0 & e0) | (t1 & e1) | (t2 & e2) | (t3 & e3);
                    if ((e0 | e1 | e2 | e3) != 0) dx[at + c] = dy[o + c];
                }
            }
        }
    }

    /** All ones when v's bits are {@code bits}, else 0. */
    private static int equal(float v, int bits) {
        int d = Float.floatToRawIntBits(v) ^ bits;
        return ~((d | -d) >> 31);
    }
}
