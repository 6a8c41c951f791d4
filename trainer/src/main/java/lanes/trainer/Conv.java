package lanes.trainer;

import lanes.engine.Activation;
import lanes.engine.Shape;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * A 2-D convolution in training: square kernel, stride 1, valid padding, NHWC (the engine's
 * {@link lanes.engine.Conv2D} with those settings). x is (B, H, W, C), y is (B, OH, OW, F) with
 * OH = H − K + 1, OW = W − K + 1. The kernel is HWIO, [K][K][C][F] row-major at {@code weightOffset}
 * (the engine's layout), the bias [F] after it.
 *
 * <p>Through im2col: each output pixel's window, in (kh, kw, c) order, becomes one row of
 * cols (B·OH·OW, K·K·C), the order of the kernel's rows, so the convolution is the GEMM
 * y = cols·W (B·OH·OW × KKC)·(KKC × F), and its backward pass two more: dW = colsᵀ·dY and
 * dcols = dY·Wᵀ, whose rows col2im adds back onto the input pixels they came from. The GEMMs give the
 * same bits for any split of their rows, and col2im adds each image's rows in one fixed order, so the
 * layer gives the same bits for any thread count. The same bits as the engine's convolution, too: both
 * sum the window in (kh, kw, c) order with fma, then add the bias.
 */
final class Conv extends Layer {
    final int height, width, channels, kernel, filters, outHeight, outWidth;
    final Activation activation;
    final int weightOffset, biasOffset;
    /** Values in one window: a row of cols, a row of the kernel. */
    private final int window;

    Conv(Shape input, int filters, int kernel, Activation activation, int weightOffset) {
        super(input.size(), (input.height() - kernel + 1) * (input.width() - kernel + 1) * filters);
        this.height = input.height();
        this.width = input.width();
        this.channels = input.channels();
        this.kernel = kernel;
        this.filters = filters;
        this.outHeight = height - kernel + 1;
        this.outWidth = width - kernel + 1;
        this.activation = activation;
        this.window = kernel * kernel * channels;
        this.weightOffset = weightOffset;
        this.biasOffset = weightOffset + window * filters;
    }

    /** Kernel and bias of a layer of this shape, in long: {@link Network.Builder} refuses one that does not fit an array. */
    static long parameterCount(int kernel, int channels, int filters) {
        return (long) kernel * kernel * channels * filters + filters;
    }

    @Override
    Shape inputShape() {
        return new Shape(height, width, channels);
    }

    @Override
    Shape outputShape() {
        return new Shape(outHeight, outWidth, filters);
    }

    @Override
    int parameterCount() {
        return (int) parameterCount(kernel, channels, filters);
    }

    /** cols: one row of K·K·C per output pixel. */
    @Override
    int scratchPerRow() {
        return outHeight * outWidth * window;
    }

    /** Output pixels per image. */
    private int pixels() {
        return outHeight * outWidth;
    }

    /** The fewest images worth a thread of their own: a GEMM of pixels × window × filters each. */
    private int minImages() {
        return Gemm.minChunk((long) pixels() * window * filters);
    }

    /**
     * The engine's direct convolution (no cols: evaluation batches have no scratch), images split over
     * threads; it skips zero inputs itself.
     */
    @Override
    void forward(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, boolean skipZeros) {
        s.forRange(rows, minImages(), (i0, i1) -> {
            k.conv2d(i1 - i0, height, width, channels, filters, kernel, kernel, 1, 1, 0, 0, outHeight, outWidth,
                    x, i0 * in, params, weightOffset, params, biasOffset, y, i0 * out);
            if (activation == Activation.RELU) k.reluForward((i1 - i0) * out, y, i0 * out, y, i0 * out);
        });
    }

    /**
     * y = act(cols·W + b), images split over threads: each thread writes its images' rows of cols, then
     * multiplies them while they are in its cache. Zeros of the input batch (background pixels) are
     * skipped; the layers above read ReLU outputs, whose zeros are too scattered to pay for the packing.
     */
    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        float[] x = input(b, l, rows), cols = b.scratch[l], y = b.act[l + 1];
        boolean skipZeros = l == 0;
        int perImage = scratchPerRow();
        s.forRange(rows, minImages(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) im2col(x, i * in, cols, i * perImage);
            int m = (i1 - i0) * pixels();
            if (skipZeros) {
                k.matmulSkipZeros(m, filters, window, cols, i0 * perImage, window, params, weightOffset, filters, y, i0 * out, filters, false);
            } else {
                k.matmul(m, filters, window, cols, i0 * perImage, window, params, weightOffset, filters, y, i0 * out, filters, false);
            }
            k.addBias(m, filters, y, i0 * out, params, biasOffset);
            if (activation == Activation.RELU) k.reluForward(m * filters, y, i0 * out, y, i0 * out);
        });
    }

    /**
     * One image (H, W, C) at x[xOff] into its rows of cols (OH·OW, K·K·C) at cols[cOff]: the K·C values
     * of one kernel row of a window lie side by side in NHWC, so a window is K copies of K·C floats.
     */
    void im2col(float[] x, int xOff, float[] cols, int cOff) {
        int run = kernel * channels, rowStride = width * channels;
        int c = cOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++) {
                int src = xOff + oh * rowStride + ow * channels;
                for (int kh = 0; kh < kernel; kh++, src += rowStride, c += run) copy(x, src, cols, c, run);
            }
        }
    }

    /**
     * The inverse scatter of {@link #im2col}: dx[xOff..] (H, W, C) = Σ of each window's row of dcols over
     * the pixels it came from, rows in output-pixel order, so the sums are the same for any split of images.
     */
    void col2im(float[] dcols, int cOff, float[] dx, int xOff) {
        java.util.Arrays.fill(dx, xOff, xOff + in, 0f);
        int run = kernel * channels, rowStride = width * channels;
        int c = cOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++) {
                int dst = xOff + oh * rowStride + ow * channels;
                for (int kh = 0; kh < kernel; kh++, dst += rowStride, c += run) {
                    for (int j = 0; j < run; j++) dx[dst + j] += dcols[c + j];
                }
            }
        }
    }

    /** A short run (the 5 values of a one-channel kernel row) costs less as a loop than as a call. */
    private static void copy(float[] src, int from, float[] dst, int to, int n) {
        if (n >= 16) {
            System.arraycopy(src, from, dst, to, n);
        } else {
            for (int j = 0; j < n; j++) dst[to + j] = src[from + j];
        }
    }

    @Override
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        gradient(g, rows, b, l, params, grads);
        Kernels k = g.kernels();
        s.forRange(parameterCount(), 1 << 14, (i0, i1) -> adam.apply(k, params, grads, weightOffset + i0, i1 - i0, t));
        if (l == 0) b.prefetchNext(0, in);
    }

    /**
     * dY is grad[l+1] (B·OH·OW, F), overwritten with dZ = act'(y)·dY. dW = colsᵀ·dZ (KKC × F) with the
     * kernel's rows split over threads, db = Σ_rows dZ; then, when the input has a gradient,
     * dcols = dZ·Wᵀ into cols (no longer needed) and col2im into grad[l], images split over threads.
     */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        Kernels k = g.kernels();
        BatchScheduler s = g.scheduler();
        float[] y = b.act[l + 1], dy = b.grad[l + 1], cols = b.scratch[l], dx = b.grad[l];
        int m = rows * pixels();
        if (activation == Activation.RELU) k.reluBackward(rows * out, y, 0, dy, 0, dy, 0);
        g.matmulTransA(window, filters, m, cols, 0, window, dy, 0, filters, grads, weightOffset, filters, false, false);
        k.sumRows(m, filters, dy, 0, grads, biasOffset, false);
        if (dx == null) return;
        int perImage = scratchPerRow();
        s.forRange(rows, minImages(), (i0, i1) -> {
            k.matmulTransB((i1 - i0) * pixels(), window, filters, dy, i0 * out, filters, params, weightOffset, filters,
                    cols, i0 * perImage, window, false);
            for (int i = i0; i < i1; i++) col2im(cols, i * perImage, dx, i * in);
        });
    }
}
