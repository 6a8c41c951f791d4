package lanes.trainer;

import lanes.engine.Shape;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
import lanes.kernels.Kernels;

/**
 * One layer of a {@link Network} in training, as llm.c's {@code xxx_forward} / {@code xxx_backward} pairs:
 * it reads {@code in} floats per example and writes {@code out}, and its parameters (if any) live at an
 * offset of the network's one flat parameter array. A training step walks the layers forward
 * ({@link #forwardTraining}), then in reverse ({@link #backwardAndUpdate}); see {@link Dense} for the
 * conventions of {@link Batch}'s buffers. Every layer gives the same bits for any thread count and for the
 * scalar and the SIMD kernels.
 */
abstract sealed class Layer permits Dense, Conv, MaxPool {
    /** Floats per example of the input and of the output. */
    final int in, out;

    Layer(int in, int out) {
        this.in = in;
        this.out = out;
    }

    /** The shape of one example of the input as the engine sees it: a vector for {@link Dense}. */
    abstract Shape inputShape();

    /** The shape of one example of the output. */
    abstract Shape outputShape();

    /** Trained parameters (kernel and bias): 0 for a layer without any. */
    abstract int parameterCount();

    /** Floats of per-row scratch this layer needs in a training batch ({@link Batch#scratch}). */
    int scratchPerRow() {
        return 0;
    }

    /** Floats of scratch this layer needs in a training batch whatever its rows, after the per-row scratch. */
    int scratchFixed() {
        return 0;
    }

    /**
     * The plain forward pass (evaluation): x (B, in) → y (B, out), rows split over threads. skipZeros: x is
     * sparse (pixels, or the previous layer's ReLU output).
     */
    abstract void forward(Kernels k, BatchScheduler s, int rows, float[] x, float[] params, float[] y, boolean skipZeros);

    /** Training forward pass of layer {@code l} of the batch: act[l] → act[l+1], keeping what backward needs. */
    abstract void forwardTraining(Kernels k, BatchScheduler s, int rows, Batch b, int l, float[] params);

    /** Where this layer's parameters start in the network's one array (kernel, then bias); 0 when it has none. */
    int parameterOffset() {
        return 0;
    }

    /**
     * Backward pass of layer {@code l} and its update number {@code t}: from grad[l+1], the parameters'
     * gradients and grad[l] (none for the input batch), from the weights before the update; then Adam
     * updates this layer's parameters. Element-wise, so updating layer by layer gives the bits of one pass
     * over all parameters.
     */
    void backwardAndUpdate(Gemm g, BatchScheduler s, int rows, Batch b, int l, float[] params, float[] grads, Adam adam,
                           long t) {
        gradient(g, rows, b, l, params, grads);
        int n = parameterCount(), from = parameterOffset();
        if (n == 0) return;
        Kernels k = g.kernels();
        s.forRange(n, 1 << 14, (i0, i1) -> adam.apply(k, params, grads, from + i0, i1 - i0, t));
    }

    /** The backward pass of layer {@code l} alone: its gradients into grads, grad[l] when there is one. */
    abstract void gradient(Gemm g, int rows, Batch b, int l, float[] params, float[] grads);

    /** act[l] as this layer's input: the batch's pixels, converted first, when the layer reads the input batch. */
    float[] input(Batch b, int l, int rows) {
        if (l == 0) b.fill(rows, 0, in);
        return b.act[l];
    }
}
