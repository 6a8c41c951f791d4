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
 * y = cols·W (B·OH·OW × KKC)·(KKC × F), and its backward pass two more: dW = colsᵀ·dY (computed as
 * dWᵀ = dYᵀ·cols) and dcols = dY·Wᵀ, whose rows col2im adds back onto the input pixels they came from.
 * dY is mostly zeros (max pooling above routes one gradient per window, ReLU drops more), so both take
 * it as their left operand and skip its zeros one by one. The first layer,
 * which reads the input batch and needs no dx, keeps cols transposed instead (KKC, B·OH·OW), see
 * {@link #readsInput}.
 *
 * <p>Every element of y and dW is one fma chain over its sum in a fixed order (the window in
 * (kh, kw, c) order; the batch's output pixels in order), whichever GEMM form or thread computes it, and
 * col2im adds each image's rows in one fixed order: the layer gives the same bits for any thread count
 * and kernels. The same bits as the engine's convolution, too, which sums the window the same way and
 * then adds the bias.
 */
final class Conv extends Layer {
    final int height, width, channels, kernel, filters, outHeight, outWidth;
    final Activation activation;
    final int weightOffset, biasOffset;
    /**
     * The first layer: its input is the batch, whose pixels get no gradient. Its forward pass is the
     * engine's direct convolution (which skips the background's zeros), and its cols are built transposed,
     * by the backward pass: a row of colsᵀ is one (kh, kw, c) of every output pixel, whole rows of pixels
     * copied at once, where a row of cols is K runs of K·C values (5 floats each for one channel).
     */
    final boolean readsInput;
    /** Pixels per block of the weight gradient's pass over cols: 256 rows of a 400-wide cols, 400 KB, stay in L2. */
    private static final int PIXEL_BLOCK = 256;
    /** Values in one window: a row of cols, a row of the kernel. */
    private final int window;

    Conv(Shape input, int filters, int kernel, Activation activation, int weightOffset, boolean readsInput) {
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
        this.readsInput = readsInput;
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

    /** cols (or colsᵀ): one window of K·K·C per output pixel. */
    @Override
    int scratchPerRow() {
        return outHeight * outWidth * window;
    }

    /**
     * Above the first layer, Wᵀ and dWᵀ (KKC × F each) after the cols: the backward pass's GEMMs skip the
     * zeros of dZ, which must be their left operand.
     */
    @Override
    int scratchFixed() {
        return readsInput ? 0 : 2 * window * filters;
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
     * multiplies them while they are in its cache. The first layer runs {@link #forward} on the batch's
     * pixels and leaves its cols to the backward pass.
     */
    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        float[] x = input(b, l, rows), cols = b.scratch[l], y = b.act[l + 1];
        if (readsInput) {
            forward(k, s, rows, x, params, y, true);
            return;
        }
        int perImage = scratchPerRow();
        s.forRange(rows, minImages(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) im2col(x, i * in, cols, i * perImage);
            int m = (i1 - i0) * pixels();
            // Dense: zeros of the ReLU outputs below are too scattered for skipping to pay for its packing.
            k.matmul(m, filters, window, cols, i0 * perImage, window, params, weightOffset, filters, y, i0 * out, filters, false);
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

    /** A short run (a few channels) costs less as a loop than as a call. */
    private static void copy(float[] src, int from, float[] dst, int to, int n) {
        if (n >= 16) {
            System.arraycopy(src, from, dst, to, n);
        } else {
            for (int j = 0; j < n; j++) dst[to + j] = src[from + j];
        }
    }

    /**
     * Rows [q0, q1) of colsᵀ (KKC, B·OH·OW) from the batch x (B, H, W, C): row q = (kh, kw, c) holds
     * x[b][oh + kh][ow + kw][c] for every output pixel (b, oh, ow) in order; with one channel, each output
     * row is one copy of OW pixels.
     */
    void im2colT(int rows, float[] x, float[] colsT, int q0, int q1) {
        int all = rows * pixels(), rowStride = width * channels;
        for (int q = q0; q < q1; q++) {
            int kh = q / (kernel * channels), kw = q / channels % kernel, c = q % channels;
            int dst = q * all;
            for (int i = 0; i < rows; i++) {
                for (int oh = 0; oh < outHeight; oh++, dst += outWidth) {
                    int src = i * in + (oh + kh) * rowStride + kw * channels + c;
                    if (channels == 1) {
                        System.arraycopy(x, src, colsT, dst, outWidth);
                    } else {
                        for (int ow = 0; ow < outWidth; ow++) colsT[dst + ow] = x[src + ow * channels];
                    }
                }
            }
        }
    }

    /**
     * The inverse scatter of {@link #im2col}: dx[xOff..] (H, W, C) = Σ of each window's row of dcols over
     * the pixels it came from, rows in output-pixel order, so the sums are the same for any split of images.
     * Each run is added by the kernels' sumRows (out += one row): a vector loop, where the plain Java loop
     * ran a scalar add per float, three times slower.
     */
    void col2im(Kernels k, float[] dcols, int cOff, float[] dx, int xOff) {
        java.util.Arrays.fill(dx, xOff, xOff + in, 0f);
        int run = kernel * channels, rowStride = width * channels;
        int c = cOff;
        for (int oh = 0; oh < outHeight; oh++) {
            for (int ow = 0; ow < outWidth; ow++) {
                int dst = xOff + oh * rowStride + ow * channels;
                for (int kh = 0; kh < kernel; kh++, dst += rowStride, c += run) k.sumRows(1, run, dcols, c, dx, dst, true);
            }
        }
    }

    @Override
    int parameterOffset() {
        return weightOffset;
    }

    /** As every layer's, then, in the layer that reads the batch, the next batch's pixels into this core's cache. */
    @Override
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        super.backwardAndUpdate(g, s, rows, b, l, params, grads, adam, t);
        if (readsInput) b.prefetchNext(0, in);
    }

    /**
     * dY is grad[l+1] (B·OH·OW, F), overwritten with dZ = act'(y)·dY. db = Σ_rows dZ; dW = colsᵀ·dZ
     * (KKC × F), the kernel's rows split over threads in the first layer, filters (rows of dWᵀ) above it;
     * then, above the first layer, dcols = dZ·Wᵀ into cols (no longer needed) and col2im into grad[l],
     * images split over threads.
     */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        Kernels k = g.kernels();
        BatchScheduler s = g.scheduler();
        float[] y = b.act[l + 1], dy = b.grad[l + 1], cols = b.scratch[l], dx = b.grad[l];
        int m = rows * pixels();
        if (activation == Activation.RELU) k.reluBackward(rows * out, y, 0, dy, 0, dy, 0);
        k.sumRows(m, filters, dy, 0, grads, biasOffset, false);
        if (readsInput) {
            // dW rows q0..q1 = colsᵀ[q0..q1]·dZ, each thread building its own rows of colsᵀ first; pixels'
            // zeros skipped (the background, where a whole 4-row tile of colsᵀ is often zero together).
            float[] x = b.act[l];
            s.forRange(window, Gemm.minRows(filters, m), (q0, q1) -> {
                im2colT(rows, x, cols, q0, q1);
                k.matmulSkipZeros(q1 - q0, filters, m, cols, q0 * m, m, dy, 0, filters, grads, weightOffset + q0 * filters,
                        filters, false);
            });
            return;
        }
        // dZ is mostly zeros (max pooling routes one gradient per window, ReLU drops more): both GEMMs take it
        // as their A, whose zeros they skip. dWᵀ = dZᵀ·cols (F × KKC) into the fixed scratch, then into
        // grads transposed; the sums are dW's, term by term in pixel order.
        int perImage = scratchPerRow(), wT = rows * perImage, dwT = wT + window * filters;
        // About a quarter of dZ is non-zero: a filter costs some m/4 steps of a row.
        // Blocks of pixels, each one's rows of cols read by every filter while they are in cache, and added
        // on in pixel order: the same fma chains as one pass over all pixels.
        s.forRange(filters, Gemm.minRows(window, m / 4), (f0, f1) -> {
            for (int p0 = 0; p0 < m; p0 += PIXEL_BLOCK) {
                k.matmulTransASkipZerosByRow(f1 - f0, window, Math.min(PIXEL_BLOCK, m - p0), dy, p0 * filters + f0, filters,
                        cols, p0 * window, window, cols, dwT + f0 * window, window, p0 > 0);
            }
        });
        for (int q = 0; q < window; q++) {
            for (int f = 0; f < filters; f++) {
                grads[weightOffset + q * filters + f] = cols[dwT + f * window + q];
                cols[wT + f * window + q] = params[weightOffset + q * filters + f];
            }
        }
        // dcols = dZ·Wᵀ with Wᵀ (F × KKC) copied beside the cols, images split over threads.
        s.forRange(rows, minImages(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) { // an image's dcols added back while they are in cache
                k.matmulSkipZerosByRow(pixels(), window, filters, dy, i * out, filters, cols, wT, window,
                        cols, i * perImage, window, false);
                col2im(k, cols, i * perImage, dx, i * in);
            }
        });
    }
}
