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
 * routes the output's gradient there ({@link Kernels#maxPool2dBackward}: the engine's pooling copies the
 * maximum, with Math.max semantics, so +0 beats −0 and of equal values the first is taken; an output whose
 * bits no input holds, a NaN the kernels made canonical, routes nowhere: training has already failed). Windows do not overlap, so this is data movement only: the same
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

    /** dx = dy at each window's maximum, 0 elsewhere (the other inputs, and those outside every window). */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        float[] x = b.act[l], y = b.act[l + 1], dy = b.grad[l + 1], dx = b.grad[l];
        if (dx == null) return;
        Kernels k = g.kernels();
        g.scheduler().forRange(rows, minImages(), (i0, i1) -> k.maxPool2dBackward(i1 - i0, height, width, channels, size,
                x, i0 * in, y, i0 * out, dy, i0 * out, dx, i0 * in));
    }
}
