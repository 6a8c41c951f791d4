package lanes.fuzz;

import java.lang.management.ManagementFactory;

/**
 * The per-input limits every fuzz target holds the code under test to: a bad input must fail fast and
 * small, never hang or balloon. Measured on the calling thread, so the fuzzer's own work is not counted.
 *
 * <ul>
 *   <li><b>CPU: 2 s</b> of this thread's CPU time. Every target parses inputs of a few KiB that take
 *       microseconds to milliseconds; 2 s is three orders of magnitude above that yet still catches a
 *       quadratic or looping path. CPU time rather than wall time, because the machines this runs on are
 *       shared and a wall clock would measure the neighbours.</li>
 *   <li><b>Wall: 10 s</b>, for what burns no CPU: a read that blocks, a lock that is never released.
 *       (While fuzzing, tools/fuzz also passes libFuzzer {@code -timeout}, which catches a call that never
 *       returns at all.)</li>
 *   <li><b>Allocation</b>: per target, see each target's constant; bytes allocated by this thread
 *       ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), garbage included.</li>
 * </ul>
 */
final class Budget {
    static final long CPU_NANOS = 2_000_000_000L;
    static final long WALL_NANOS = 10_000_000_000L;
    static final long MIB = 1L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Budget() {}

    /** A call that may throw the exceptions the target under test documents. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /** A call that returns what the target under test produced, for checking after the measurement. */
    @FunctionalInterface
    interface Result<T> {
        T get() throws Exception;
    }

    /**
     * Runs {@code call} and rethrows whatever it throws, but first fails with an {@link AssertionError}
     * if it went over the CPU, wall-clock or allocation limit, whether it returned or threw.
     */
    static void within(String what, long maxAllocatedBytes, Call call) throws Exception {
        within(what, maxAllocatedBytes, () -> {
            call.run();
            return null;
        });
    }

    /** As {@link #within(String, long, Call)}, returning the call's result. */
    static <T> T within(String what, long maxAllocatedBytes, Result<T> call) throws Exception {
        T result = null;
        long allocated0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        Throwable thrown = null;
        try {
            result = call.get();
        } catch (Throwable t) {
            thrown = t;
        }
        long wall = System.nanoTime() - wall0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocated0;
        if (cpu > CPU_NANOS || wall > WALL_NANOS || allocated > maxAllocatedBytes) {
            AssertionError over = new AssertionError(String.format(
                    "%s over budget: %.2f s CPU (limit %.0f), %.2f s wall (limit %.0f), %d MiB allocated (limit %d)",
                    what, cpu / 1e9, CPU_NANOS / 1e9, wall / 1e9, WALL_NANOS / 1e9,
                    allocated / MIB, maxAllocatedBytes / MIB));
            if (thrown != null) over.addSuppressed(thrown);
            throw over;
        }
        if (thrown instanceof Exception e) throw e;
        if (thrown instanceof Error e) throw e;
        return result;
    }
}
