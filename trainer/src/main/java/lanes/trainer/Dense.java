package lanes.trainer;

import lanes.engine.Activation;
import lanes.engine.Shape;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * A fully connected layer: z = x·W + b, then the activation. W is [in×out] row-major (the Keras
 * layout, so the weight file needs no transposition); W and b live at offsets of the network's one
 * flat parameter array, beside Adam's moments in arrays of the same layout.
 *
 * <p>Softmax is not applied here: the loss fuses it with cross-entropy (gradient p − onehot), and
 * inference applies it after the last layer.
 *
 * <p>A training step walks the layers as llm.c's {@code gpt2_forward} and {@code gpt2_backward} do: each
 * layer's {@link #forwardTraining} reads the batch's activations {@code act[l]} and writes {@code act[l+1]};
 * then, in reverse, each {@link #backwardAndUpdate} takes the gradient of its output {@code grad[l+1]},
 * writes the gradient of its input {@code grad[l]} (none for the input batch) and updates its own
 * parameters. The first layer, which reads the input batch, is a {@link RowBlockedDense}.
 */
sealed class Dense extends Layer permits RowBlockedDense {
    final Activation activation;
    final int weightOffset, biasOffset;

    Dense(int in, int out, Activation activation, int weightOffset) {
        super(in, out);
        this.activation = activation;
        this.weightOffset = weightOffset;
        this.biasOffset = weightOffset + in * out;
    }

    /** A vector: a dense layer on an image reads it flattened (NHWC order, so nothing moves). */
    @Override
    Shape inputShape() {
        return Shape.vector(in);
    }

    @Override
    Shape outputShape() {
        return Shape.vector(out);
    }

    @Override
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
    @Override
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
     * Training forward pass of layer {@code l} of the batch: act[l] (B, in) → act[l+1] (B, out). Its input
     * is the layer below's output: ReLU outputs, about half zero, so zeros are skipped.
     */
    @Override
    void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params) {
        forward(k, s, rows, b.act[l], params, b.act[l + 1], true);
    }

    @Override
    int parameterOffset() {
        return weightOffset;
    }

    /** The backward pass of layer {@code l} alone: dW and db into grads, dx into grad[l] when there is one. */
    @Override
    void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads) {
        // Dense weight gradients here: skipping the ReLU zeros of a (B, hidden) input means packing its
        // strided columns, which costs twice what the skipped multiply-adds would (32×128×10: 6 µs vs 3).
        backward(g, rows, b.act[l], b.act[l + 1], b.grad[l + 1], params, grads, b.grad[l], false);
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
