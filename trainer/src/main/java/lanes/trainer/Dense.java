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
        return in * out + out;
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
     * The first layer's backward pass fused with its optimiser step: x (B, in) is the input batch,
     * which gets no gradient. Each chunk of weight rows gets its gradient dW[r0..r1) = x[:, r0..r1)ᵀ·dz
     * and is updated by Adam right away, while those rows are still in cache: the gradient is never
     * written out and read back as a whole. The bias gradient is left in grads for the caller's
     * Adam pass. Same arithmetic as backward + a separate update, so the same bits.
     */
    void backwardAndUpdate(Kernels k, BatchScheduler s, int rows, float[] x, float[] y, float[] dy, float[] params,
                           float[] grads, Adam adam, long step) {
        if (activation == Activation.RELU) k.reluBackward(rows * out, y, 0, dy, 0, dy, 0);
        k.sumRows(rows, out, dy, 0, grads, biasOffset, false);
        s.forRange(in, Gemm.minRows(out, rows), (r0, r1) -> {
            int n = r1 - r0;
            // dW rows r0..r1 = x[:, r0..r1]ᵀ·dz: (n, B)·(B, out), zeros of x (background pixels) skipped
            k.matmulTransASkipZeros(n, out, rows, x, r0, in, dy, 0, out, grads, weightOffset + r0 * out, out, false);
            adam.apply(k, params, grads, weightOffset + r0 * out, n * out, step);
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
