package lanes.engine;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The bytes one round of work allocates on this thread once the JIT has compiled it. Until C2 has compiled
 * them, Vector API kernels allocate their vectors, so rounds run until one allocates nothing. The bound is
 * time, not a round count: on a busy two-core machine C2's single queue can take seconds to reach the
 * kernels a test exercises, and a fixed number of fast rounds ended before it did (a failure that said
 * nothing about the code). A round that still allocates after the deadline is a real, steady allocation.
 */
final class SteadyAllocation {
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    private SteadyAllocation() {}

    /** The last round's bytes: 0 once a round allocated nothing, else what the round at the deadline did. */
    static long bytesPerRound(Runnable round) {
        var counter = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled(),
                "no per-thread allocation counter here");
        long id = Thread.currentThread().threadId(), end = System.nanoTime() + DEADLINE_NANOS, bytes;
        do {
            long before = counter.getThreadAllocatedBytes(id);
            round.run();
            bytes = counter.getThreadAllocatedBytes(id) - before;
        } while (bytes != 0 && System.nanoTime() - end < 0);
        return bytes;
    }
}
