package lanes.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of independent rows into contiguous chunks and runs them on a dedicated
 * {@link ForkJoinPool} (never the common pool, which applications share and may starve).
 *
 * <p>Determinism: every index of the range is processed by exactly one chunk, in the caller's code,
 * and chunks write disjoint memory; nothing is reduced across chunks. A kernel whose per-row result
 * does not depend on the chunk boundaries therefore gives bit-identical results for any thread count.
 *
 * <p>The caller runs the first chunk itself, so one thread never waits idle; work smaller than two
 * chunks of {@code minChunk} runs inline with no hand-off at all. An exception in any chunk is rethrown
 * to the caller after every chunk has finished, and the pool stays usable.
 */
public final class BatchScheduler implements AutoCloseable {

    /** A body over the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    /** The most threads a scheduler takes: the caller plus the 32,767 workers a ForkJoinPool can have. */
    public static final int MAX_THREADS = 32_768;

    private final int threads;
    private final boolean shared;
    private final ForkJoinPool pool; // null when threads == 1

    public BatchScheduler(int threads) {
        this(threads, false);
    }

    private BatchScheduler(int threads, boolean shared) {
        if (threads < 1 || threads > MAX_THREADS) throw new IllegalArgumentException(
                "threads must be 1.." + MAX_THREADS + ", got " + threads);
        this.threads = threads;
        this.shared = shared;
        if (threads == 1) {
            this.pool = null;
        } else {
            String prefix = "lanes-batch-" + POOL_IDS.incrementAndGet() + "-";
            this.pool = new ForkJoinPool(threads - 1, p -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                t.setName(prefix + t.getPoolIndex());
                t.setDaemon(true); // a library must never keep the application's JVM alive
                return t;
            }, null, false);
        }
    }

    /** The process-wide scheduler: {@code -Dlanes.threads}, default the available processors. */
    public static BatchScheduler shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final BatchScheduler INSTANCE = new BatchScheduler(defaultThreads(), true);
    }

    /** {@code -Dlanes.threads} if set and valid, else the number of available processors. */
    public static int defaultThreads() {
        String s = System.getProperty("lanes.threads");
        if (s != null) {
            try {
                int t = Integer.parseInt(s.trim());
                if (t >= 1 && t <= MAX_THREADS) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the default, with a word on stderr below
            }
            System.getLogger("lanes.kernels").log(System.Logger.Level.WARNING,
                    "Lanes: ignoring -Dlanes.threads=" + s + " (not an integer in 1.." + MAX_THREADS + ")");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) in at most {@link #threads()} contiguous chunks of at least
     * {@code minChunk} indices each, and returns when all are done. Which thread runs a chunk does not
     * change what it computes. A body may call forRange again, on this scheduler or another: a caller
     * whose chunks no worker has taken after the spin runs them itself, so a worker waiting on chunks it
     * queued behind itself, or schedulers waiting on each other (A's body calling B's forRange calling
     * A's), still finish, and idle workers still share nested work.
     */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        if (minChunk < 1) throw new IllegalArgumentException("minChunk must be >= 1, got " + minChunk);
        java.util.Objects.requireNonNull(body, "body");
        int chunks = (int) Math.min(threads, n / (long) minChunk);
        if (chunks <= 1 || pool == null || pool.isShutdown()) {
            if (pool != null && pool.isShutdown()) throw new IllegalStateException("scheduler is closed");
            if (n > 0) body.run(0, n);
            return;
        }
        Region region = new Region(n, chunks, body);
        for (int t = 1; t < chunks; t++) {
            pool.execute(() -> {
                if (region.runNext()) linger();
            });
        }
        region.run(0);
        region.await();
        Throwable failure = null;
        for (Throwable e : region.failures) {
            if (e == null) continue;
            if (failure == null) failure = e; else failure.addSuppressed(e);
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /**
     * How long the caller spins for the other chunks, and a worker for the next region, before either
     * parks (like OpenMP's blocktime). A training step runs a parallel region every few tens of
     * microseconds; a park/unpark round trip costs about as much as the work, so both sides spin
     * briefly instead. {@code -Dlanes.spinMicros=0} turns spinning off.
     */
    private static final long SPIN_NANOS = Math.max(0, Long.getLong("lanes.spinMicros", 50)) * 1000;

    /**
     * The chunks of one forRange call: chunk 0 is the caller's, chunks 1.. go to whoever claims them first,
     * a worker or, once it has waited out the spin, the caller; a countdown of the unfinished ones, and
     * their failures.
     */
    private static final class Region {
        final int n, chunks;
        final RangeBody body;
        final Throwable[] failures;
        final AtomicInteger next = new AtomicInteger(1), pending;
        final Thread caller = Thread.currentThread();

        Region(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            failures = new Throwable[chunks];
            pending = new AtomicInteger(chunks - 1);
        }

        /** Claims and runs the next unclaimed chunk; false when none was left. */
        boolean runNext() {
            int t = next.getAndIncrement();
            if (t >= chunks) return false;
            run(t);
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            return true;
        }

        void run(int t) {
            try {
                body.run(bound(n, chunks, t), bound(n, chunks, t + 1));
            } catch (Throwable e) {
                failures[t] = e;
            }
        }

        /**
         * Returns when every chunk has finished (the countdown also publishes their failures). Spins first,
         * as a worker normally takes its chunk within microseconds; after that the caller runs what no
         * worker has claimed (every worker may be blocked in a forRange of its own), then parks.
         */
        void await() {
            long start = System.nanoTime();
            while (pending.get() > 0) {
                long waited = System.nanoTime() - start;
                if (waited < SPIN_NANOS) pause(waited);
                else if (!runNext()) LockSupport.park(this);
            }
        }
    }

    /** A worker that just finished a chunk waits briefly for the next region before going back to the pool. */
    private void linger() {
        long start = System.nanoTime(), waited;
        while ((waited = System.nanoTime() - start) < SPIN_NANOS && !pool.hasQueuedSubmissions() && !pool.isShutdown()) {
            pause(waited);
        }
    }

    /** A pure spin for the first microseconds, then yields: on a machine with more threads than cores the
     *  thread being waited for may need this core. */
    private static void pause(long waitedNanos) {
        if (waitedNanos < 5_000) Thread.onSpinWait(); else Thread.yield();
    }

    /** Start of chunk t of `chunks` equal parts of [0, n). */
    private static int bound(int n, int chunks, int t) {
        return (int) ((long) n * t / chunks);
    }

    /** Stops the worker threads; the shared scheduler is never closed. */
    @Override
    public void close() {
        if (shared) return;
        if (pool != null) pool.shutdownNow();
    }
}
