package lanes.trainer;

import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * The first layer of a network in training: a {@link Dense} layer whose rows of W are cut into fixed
 * blocks, one per thread, forward and backward, and whose input is the batch itself, converted from
 * pixels by the thread that uses them. It holds ~99% of the parameters, so its weight gradient is never
 * written out: Adam applies it tile by tile as it is computed. {@link Network.Builder} makes a dense first
 * layer one of these; the step then walks every layer alike.
 *
 * <p>Same arithmetic as a plain {@link Dense} layer except the order of the first product's sum (block
 * sums, added in block order), and the same bits for any thread count.
 */
final class RowBlockedDense extends Dense {

    RowBlockedDense(int in, int out, Activation activation, int weightOffset) {
        super(in, out, activation, weightOffset);
    }

    /** The partial product of each block: BLOCKS × B × out floats. */
    @Override
    int scratchPerRow() {
        return BLOCKS * out;
    }

    /** The training forward pass, in row blocks ({@link #forwardBlocks}); the batch converts its pixels into act[0] as they are used. */
    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        forwardBlocks(k, s, rows, b.act[l], params, b.act[l + 1], b.scratch[l], b);
    }

    /** The backward pass fused with the kernel's update ({@link #backwardFused}), then Adam on the bias. */
    @Override
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        Kernels k = g.kernels();
        backwardFused(k, s, rows, b.act[l], b.act[l + 1], b.grad[l + 1], params, grads, adam, t, b);
        s.forRange(out, 1 << 14, (i0, i1) -> adam.apply(k, params, grads, biasOffset + i0, i1 - i0, t));
    }

    /** The plain backward pass (no update), whose input is the batch: no input gradient, its zeros skipped. */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        backward(g, rows, b.act[l], b.act[l + 1], b.grad[l + 1], params, grads, null, true);
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
    private void forwardBlocks(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y,
                               float[] partials, Batch input) {
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

    /**
     * The first layer's backward pass fused with its optimiser step: x (B, in) is the input batch, which
     * gets no gradient. Each thread takes the blocks of W's rows it owned in {@link #forwardBlocks}, and
     * updates them with Adam as their gradient dW[block] = x[:, block]ᵀ·dz is computed, tile by tile:
     * the gradient is never written out and read back. The bias gradient is left in grads for
     * {@link #backwardAndUpdate}'s Adam pass. Same arithmetic as backward + a separate update, so the same bits. Each thread
     * then prefetches its columns of the next batch from {@code input}.
     */
    private void backwardFused(Kernels k, BatchScheduler s, int rows, float[] x, float[] y, float[] dy, float[] params,
                               float[] grads, Adam adam, long step, Batch input) {
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
}
