package lanes.trainer;

import lanes.engine.Shape;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * Max pooling in training: square window, stride = window, valid padding (floor), channel by channel
 * over NHWC (the engine's {@link lanes.engine.MaxPool2D} with those settings). x is (B, H, W, C), y is
 * (B, H / P, W / P, C). The training pass keeps, for each output, where in its image the maximum was
 * (the first of equal values in row-major window order, as the engine's pooling takes it), and the
 * backward pass routes each output's gradient there: windows do not overlap, so that is a copy. Data
 * movement only: the same bits on any thread count and kernels.
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

    /** Where each output's maximum came from, as an index into its image. */
    @Override
    int indicesPerRow() {
        return out;
    }

    /** The fewest images worth a thread of their own: each costs about one read of its input. */
    private int minImages() {
        return Gemm.minChunk(in);
    }

    /** The engine's pooling, images split over threads. */
    @Override
    void forward(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, boolean skipZeros) {
        s.forRange(rows, minImages(), (i0, i1) -> k.maxPool2d(i1 - i0, height, width, channels, size, size, size, size,
                0, 0, outHeight, outWidth, x, i0 * in, y, i0 * out));
    }

    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        float[] x = input(b, l, rows), y = b.act[l + 1];
        int[] at = b.indices[l];
        s.forRange(rows, minImages(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) pool(x, i * in, y, at, i * out);
        });
    }

    /**
     * One image: y[o] = the largest x in output o's window, at[o] its index in the image. Ties keep the
     * first tap (a later one must be strictly larger), in kh, kw order. A NaN never wins here, where the
     * engine's pooling would propagate it: with a NaN among the activations, training has already failed.
     */
    void pool(float[] x, int xOff, float[] y, int[] at, int yOff) {
        int rowStride = width * channels, o = yOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++, o += channels) {
                int first = oh * size * rowStride + ow * size * channels;
                for (int c = 0; c < channels; c++) {
                    y[o + c] = x[xOff + first + c];
                    at[o + c] = first + c;
                }
                for (int kh = 0; kh < size; kh++) {
                    for (int kw = kh == 0 ? 1 : 0; kw < size; kw++) {
                        int tap = first + kh * rowStride + kw * channels;
                        for (int c = 0; c < channels; c++) {
                            float v = x[xOff + tap + c];
                            if (v > y[o + c]) {
                                y[o + c] = v;
                                at[o + c] = tap + c;
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        gradient(g, rows, b, l, params, grads);
    }

    /** dx = dy at each output's maximum, 0 elsewhere (inputs outside every window, or not the maximum). */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        float[] dy = b.grad[l + 1], dx = b.grad[l];
        if (dx == null) return;
        int[] at = b.indices[l];
        g.scheduler().forRange(rows, minImages(), (i0, i1) -> {
            java.util.Arrays.fill(dx, i0 * in, i1 * in, 0f);
            for (int i = i0; i < i1; i++) {
                int xi = i * in;
                for (int o = i * out, end = o + out; o < end; o++) dx[xi + at[o]] = dy[o];
            }
        });
    }
}
