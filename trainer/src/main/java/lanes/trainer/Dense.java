package lanes.trainer;

import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * A fully connected layer: z = x·W + b, then the activation. W is [in×out] row-major (the Keras
 * layout, so the weight file needs no transposition); W and b live at offsets of the network's one
 * flat parameter array, so that Adam is a single pass over every parameter.
 *
 * <p>Softmax is not applied here: the loss fuses it with cross-entropy (gradient p − onehot), and
 * inference applies it after the last layer.
 */
final class Dense {
    final int in, out;
    final Activation activation;
    final int weightOffset, biasOffset;

    Dense(int in, int out, Activation activation, int weightOffset) {
        this.in = in;
        this.out = out;
        this.activation = activation;
        this.weightOffset = weightOffset;
        this.biasOffset = weightOffset + in * out;
    }

    int parameterCount() {
        return (int) parameterCount(in, out);
    }

    /** Kernel and bias of a layer of this shape, in long: {@link Network.Builder} refuses one that does not fit an array. */
    static long parameterCount(int in, int out) {
        return (long) in * out + out;
    }

    /**
     * x is (B, in), y is (B, out): y = act(x·W + b), ReLU applied in place; rows split over threads.
     * skipZeros: the input is sparse (pixels, or the previous layer's ReLU output).
     */
    void forward(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, boolean skipZeros) {
        s.forRange(rows, Gemm.minRows(out, in), (r0, r1) -> {
            int n = r1 - r0;
            if (skipZeros) {
                k.matmulSkipZeros(n, out, in, x, r0 * in, in, params, weightOffset, out, y, r0 * out, out, false);
            } else {
                k.matmul(n, out, in, x, r0 * in, in, params, weightOffset, out, y, r0 * out, out, false);
            }
            k.addBias(n, out, y, r0 * out, params, biasOffset);
            if (activation == Activation.RELU) k.reluForward(n * out, y, r0 * out, y, r0 * out);
        });
    }

    /**
     * The first layer's rows of W are cut into this many fixed blocks. A thread owns whole blocks, the
     * same ones in the forward and the backward pass of every step, so its rows of W and of Adam's
     * moments stay in its own core's cache instead of crossing to the other core twice per step. The
     * block sums are added in block order, so the result does not depend on the thread count. Two
     * blocks, not more: every block's partial product (B × out floats) crosses to the thread that adds
     * them up, and with four the second core spent ~10 µs a step taking back the cache lines of its two
     * partials (0.28 s per Fashion-MNIST epoch against 0.24 s). More threads than blocks wait here.
     */
    static final int BLOCKS = 2;

    /** Start of block b of the rows of W: the blocks split [0, in) as evenly as whole rows allow. */
    int blockStart(int b) {
        return (int) ((long) in * b / BLOCKS);
    }

    /** The fewest blocks worth a thread of their own for a batch of {@code rows}: one, unless the layer is tiny. */
    private int minBlocks(int rows) {
        return Gemm.minChunk((long) rows * out * blockStart(1));
    }

    /**
     * The training forward pass of the first layer: y = act(x·W + b) with x (B, in), y (B, out), where
     * x·W = Σ_blocks x[:, block]·W[block, :] — each block's product into its own slice of
     * {@code partials} (BLOCKS × B × out), blocks split over threads, then summed in block order.
     * Each thread first has {@code input} fill the columns of x its blocks read, so a batch's pixels are
     * converted where they are used. Zeros of x (background pixels) are skipped.
     */
    void forwardBlocks(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, float[] partials,
                       BatchInput input) {
        int size = rows * out;
        s.forRange(BLOCKS, minBlocks(rows), (b0, b1) -> {
            input.fill(rows, blockStart(b0), blockStart(b1));
            for (int b = b0; b < b1; b++) {
                int k0 = blockStart(b), k1 = blockStart(b + 1);
                // partial_b = x[:, k0..k1)·W[k0..k1, :]: (B, k1-k0)·(k1-k0, out)
                k.matmulSkipZeros(rows, out, k1 - k0, x, k0, in, params, weightOffset + k0 * out, out, partials, b * size, out, false);
            }
        });
        // y = partial_0 + partial_1 + … (the partials seen as BLOCKS rows of B·out values), then bias and activation
        k.sumRows(BLOCKS, size, partials, 0, y, 0, false);
        k.addBias(rows, out, y, 0, params, biasOffset);
        if (activation == Activation.RELU) k.reluForward(size, y, 0, y, 0);
    }

    /** The input batch x, filled a block of columns at a time by the thread that will use them. */
    interface BatchInput {
        /** Fills columns [k0, k1) of the first {@code rows} rows of x. */
        void fill(int rows, int k0, int k1);

        /**
         * Brings columns [k0, k1) of the next batch's examples into this thread's cache: shuffled
         * examples lie anywhere in tens of megabytes, and reading them cold cost a step ~25 µs.
         */
        void prefetchNext(int k0, int k1);
    }

    /**
     * The first layer's backward pass fused with its optimiser step: x (B, in) is the input batch, which
     * gets no gradient. Each thread takes the blocks of W's rows it owned in {@link #forwardBlocks}, and
     * updates them with Adam as their gradient dW[block] = x[:, block]ᵀ·dz is computed, tile by tile:
     * the gradient is never written out and read back. The bias gradient is left in grads for the
     * caller's Adam pass. Same arithmetic as backward + a separate update, so the same bits. Each thread
     * then prefetches its columns of the next batch from {@code input}.
     */
    void backwardAndUpdate(Kernels k, BatchScheduler s, int rows, float[] x, float[] y, float[] dy, float[] params,
                           float[] grads, Adam adam, long step, BatchInput input) {
        if (activation == Activation.RELU) k.reluBackward(rows * out, y, 0, dy, 0, dy, 0);
        k.sumRows(rows, out, dy, 0, grads, biasOffset, false);
        s.forRange(BLOCKS, minBlocks(rows), (b0, b1) -> {
            int k0 = blockStart(b0), k1 = blockStart(b1);
            // dW rows k0..k1 = x[:, k0..k1]ᵀ·dz: (k1-k0, B)·(B, out), applied by Adam as it is computed,
            // zeros of x skipped (four neighbouring pixels that are background together in an image)
            adam.applyTransA(k, k1 - k0, out, rows, x, k0, in, dy, 0, out, true, params, weightOffset + k0 * out, out, step);
            input.prefetchNext(k0, k1);
        });
    }

    /**
     * dy is (B, out), the gradient of the loss w.r.t. this layer's output y (for softmax: w.r.t. the
     * logits, already fused by the loss). Writes dW (in, out) and db (out) into grads, and dx (B, in)
     * when dx is not null. dy is overwritten with dz = act'(y)·dy.
     * dW rows are split over threads, dx rows over threads: disjoint writes, fixed order, so the
     * gradients are bit-identical for any thread count.
     */
    void backward(Gemm g, int rows, float[] x, float[] y, float[] dy, float[] params, float[] grads, float[] dx,
                  boolean skipZerosOfX) {
        Kernels k = g.kernels();
        if (activation == Activation.RELU) k.reluBackward(rows * out, y, 0, dy, 0, dy, 0);
        // dW = xᵀ·dz: (in, B)·(B, out)
        g.matmulTransA(in, out, rows, x, 0, in, dy, 0, out, grads, weightOffset, out, false, skipZerosOfX);
        // db = Σ_rows dz
        k.sumRows(rows, out, dy, 0, grads, biasOffset, false);
        // dx = dz·Wᵀ: (B, out)·(out, in)
        if (dx != null) g.matmulTransB(rows, in, out, dy, 0, out, params, weightOffset, out, dx, 0, in, false);
    }
}
