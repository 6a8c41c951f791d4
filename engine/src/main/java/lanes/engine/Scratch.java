package lanes.engine;

import java.util.concurrent.atomic.AtomicReferenceArray;
import lanes.kernels.Kernels;

/**
 * What one prediction writes: two activation buffers and the kernels' workspace (the SIMD zero-skipping
 * GEMM packs rows into it, the SIMD convolution pads into it). Nothing in it refers to a model, so one
 * serves every model, and a dropped model leaves nothing behind. Not thread-safe: one user at a time.
 *
 * <p>Platform threads keep one each in a thread-local. A virtual thread per request would find that
 * thread-local new every time (about 23 KB of buffers per request), so virtual threads borrow from a small
 * shared pool instead and hand it back after the call; the pool takes no lock and allocates nothing.
 */
final class Scratch {
    /** Buffers kept: an activation of 2^20 values (a dense layer of the file's widest), 4 MiB a buffer. */
    static final int KEPT_FLOATS = 1 << 20;

    float[] even = new float[0], odd = new float[0];
    final Kernels.Workspace workspace = new Kernels.Workspace();

    /**
     * Buffers of at least {@code floats}, grown to the largest need so far up to {@link #KEPT_FLOATS}; a
     * larger need (a layer wider than the weight file allows, built in memory) gets buffers of its own for
     * that call, so one huge model does not pin its scratch for good.
     */
    Scratch fit(int floats) {
        if (floats > KEPT_FLOATS) {
            Scratch once = new Scratch();
            once.even = new float[floats];
            once.odd = new float[floats];
            return once;
        }
        if (even.length < floats) {
            even = new float[floats];
            odd = new float[floats];
        }
        return this;
    }

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);
    /** Pooled scratch for virtual threads: twice the cores, so every carrier thread finds one free. */
    private static final AtomicReferenceArray<Scratch> POOL =
            new AtomicReferenceArray<>(Math.min(64, 2 * Runtime.getRuntime().availableProcessors()));

    /** Scratch for the calling thread: its own on a platform thread, one borrowed from the pool on a virtual one. */
    static Scratch acquire() {
        if (!Thread.currentThread().isVirtual()) return PER_THREAD.get();
        for (int i = 0, n = POOL.length(); i < n; i++) {
            Scratch s = POOL.getAndSet(i, null);
            if (s != null) return s;
        }
        return new Scratch(); // more virtual threads predicting at once than slots: this one allocates
    }

    /** Hands back what {@link #acquire()} gave (a platform thread's own stays where it is). */
    static void release(Scratch s) {
        if (!Thread.currentThread().isVirtual()) return;
        for (int i = 0, n = POOL.length(); i < n; i++) {
            if (POOL.compareAndSet(i, null, s)) return;
        }
    }
}
