package lanes.trainer;

import lanes.kernels.BatchScheduler;
import lanes.kernels.Kernels;

/** Adam with Keras defaults (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7) over one flat parameter array. */
public final class Adam {
    public static final float DEFAULT_LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.999f, EPSILON = 1e-7f;

    /** Read by every update (the kernels derive the bias-corrected step size from it); see {@link #setLearningRate}. */
    private float lr;
    private final float[] m, v;
    private long step;

    /** An optimiser for a network of {@code parameters} parameters ({@link Network#parameterCount()}). */
    public Adam(float learningRate, int parameters) {
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        if (parameters < 0) throw new IllegalArgumentException("parameters must be >= 0, got " + parameters);
        this.lr = learningRate;
        this.m = new float[parameters];
        this.v = new float[parameters];
    }

    public float learningRate() { return lr; }

    /**
     * The learning rate of the updates from now on (a {@link LearningRateSchedule} sets it before each of
     * {@link Trainer#fit}'s steps). Only the value changes: an update with the same rate computes the same
     * bits as before. Zero is allowed (a decayed rate can underflow), and it moves no weight.
     */
    public void setLearningRate(float learningRate) {
        if (!(learningRate >= 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        this.lr = learningRate;
    }

    /** The number of parameters this optimiser keeps moments for: the network's, for a {@link Trainer}. */
    public int parameterCount() { return m.length; }

    /** Number of updates applied so far. */
    public long steps() { return step; }

    /** One update of every parameter; element-wise, so chunks over threads change no bit. */
    void update(Kernels k, BatchScheduler s, float[] params, float[] grads) {
        long t = begin();
        s.forRange(params.length, 1 << 14, (i0, i1) -> apply(k, params, grads, i0, i1 - i0, t));
    }

    /** Starts update number {@link #steps()} + 1, to be applied in parts with {@link #apply}. */
    long begin() {
        return ++step;
    }

    /**
     * Update t for the block params[pOff..] of rows×n parameters, rows ldp apart, whose gradient is
     * Aᵀ·B (A stored [k×rows], B [k×n]): computed and applied tile by tile, never stored.
     */
    void applyTransA(Kernels kern, int rows, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean skipZeros, float[] params, int pOff, int ldp, long t) {
        kern.matmulTransAAdam(rows, n, k, a, aOff, lda, b, bOff, ldb, skipZeros, params, pOff, ldp, m, v,
                lr, BETA1, BETA2, EPSILON, t);
    }

    /** Update t for parameters [from, from + count): a part of one update, in any order or thread. */
    void apply(Kernels k, float[] params, float[] grads, int from, int count, long t) {
        k.adam(count, params, from, grads, from, m, from, v, from, lr, BETA1, BETA2, EPSILON, t);
    }
}
