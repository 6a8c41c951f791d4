package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Chunking, determinism, failure propagation and shutdown of the batch scheduler. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchSchedulerTest {

    private static final int[] THREADS = {1, 2, 3, 7};

    /** Some float function of the index that any misplaced or repeated write shows up in. */
    private static float f(int i) {
        return (float) Math.sin(i * 0.37) * (i % 5 + 1) + i * 1e-3f;
    }

    @Test
    void everyIndexIsVisitedExactlyOnceAndResultsDoNotDependOnThreads() {
        for (int n : new int[] {0, 1, 2, 3, 6, 7, 8, 100, 1021}) {
            for (int minChunk : new int[] {1, 2, 5, 64}) {
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) expected[i] = f(i);
                for (int threads : THREADS) {
                    try (BatchScheduler scheduler = new BatchScheduler(threads)) {
                        float[] out = new float[n];
                        AtomicIntegerArray visits = new AtomicIntegerArray(n);
                        List<int[]> chunks = new ArrayList<>();
                        scheduler.forRange(n, minChunk, (start, end) -> {
                            synchronized (chunks) { chunks.add(new int[] {start, end}); }
                            for (int i = start; i < end; i++) {
                                visits.incrementAndGet(i);
                                out[i] = f(i);
                            }
                        });
                        String what = "n=" + n + " minChunk=" + minChunk + " threads=" + threads;
                        for (int i = 0; i < n; i++) assertEquals(1, visits.get(i), what + ": visits of " + i);
                        assertBitsEqual(expected, out, what);
                        assertTrue(chunks.size() <= threads, what + ": " + chunks.size() + " chunks");
                        for (int[] c : chunks) {
                            assertTrue(c[0] < c[1], what + ": empty chunk");
                            if (chunks.size() > 1) assertTrue(c[1] - c[0] >= minChunk, what + ": chunk shorter than minChunk");
                        }
                        if (n == 0) assertEquals(0, chunks.size(), what + ": no call for an empty range");
                    }
                }
            }
        }
    }

    @Test
    void chunksRunConcurrentlyOnDaemonWorkersThatCloseStops() throws Exception {
        int threads = 3;
        BatchScheduler scheduler = new BatchScheduler(threads);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        CountDownLatch allStarted = new CountDownLatch(threads);
        Thread caller = Thread.currentThread();
        scheduler.forRange(threads, 1, (start, end) -> {
            allStarted.countDown();
            try {
                // Every chunk waits for all the others: only possible if they run at the same time.
                assertTrue(allStarted.await(20, TimeUnit.SECONDS), "chunks did not run concurrently");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (Thread.currentThread() != caller) workers.add(Thread.currentThread());
        });
        assertEquals(threads - 1, workers.size(), "the caller runs one chunk, workers the others");
        String prefix = null;
        for (Thread t : workers) {
            assertTrue(t.isDaemon(), t.getName() + " must be a daemon thread");
            assertTrue(t.getName().startsWith("lanes-batch-"), t.getName());
            String p = t.getName().substring(0, t.getName().lastIndexOf('-') + 1);
            if (prefix == null) prefix = p;
            assertEquals(prefix, p, "one name prefix per scheduler");
        }

        scheduler.close();
        for (Thread t : workers) t.join(10_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> alive;
        do {
            alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && t.getName().startsWith(prefix)) alive.add(t.getName());
            }
            if (alive.isEmpty()) break;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), alive, "worker threads still alive after close()");
        for (Thread t : workers) assertFalse(t.isAlive(), t.getName());

        assertThrows(IllegalStateException.class, () -> scheduler.forRange(10, 1, (s, e) -> { }),
                "a closed scheduler refuses work");
        scheduler.close(); // idempotent
    }

    @Test
    void aBodyMayCallForRangeAgainWithoutDeadlocking() throws Exception {
        // A worker waiting for chunks it had queued behind itself never returned (always, with one worker).
        for (int threads : new int[] {2, 3}) {
            try (BatchScheduler s = new BatchScheduler(threads); BatchScheduler other = new BatchScheduler(2)) {
                java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.CompletableFuture<Void> run = java.util.concurrent.CompletableFuture.runAsync(() ->
                        s.forRange(8, 1, (a, b) -> {
                            for (int i = a; i < b; i++) {
                                int outer = i;
                                s.forRange(100, 1, (c, d) -> { for (int j = c; j < d; j++) sum.addAndGet(outer * 100L + j); });
                                other.forRange(10, 1, (c, d) -> { for (int j = c; j < d; j++) sum.addAndGet(0); });
                            }
                        }));
                run.get(30, java.util.concurrent.TimeUnit.SECONDS);
                long expected = 0;
                for (int i = 0; i < 8; i++) for (int j = 0; j < 100; j++) expected += i * 100L + j;
                assertEquals(expected, sum.get(), "threads=" + threads);
            }
        }
    }

    @Test
    void schedulersThatWaitOnEachOtherStillFinish() throws Exception {
        // A's worker waits in B.forRange, whose worker calls A.forRange: that chunk was queued behind A's
        // only worker, which was waiting for B. The caller of a region now runs chunks nobody has claimed.
        try (BatchScheduler a = new BatchScheduler(2); BatchScheduler b = new BatchScheduler(2)) {
            java.util.concurrent.atomic.AtomicInteger leaves = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<Void> run = java.util.concurrent.CompletableFuture.runAsync(() ->
                    a.forRange(2, 1, (s1, e1) -> b.forRange(2, 1, (s2, e2) -> a.forRange(2, 1, (s3, e3) -> {
                        for (int i = s3; i < e3; i++) leaves.incrementAndGet();
                    }))));
            run.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(2 * 2 * 2, leaves.get());
        }
    }

    @Test
    void threadCountsOutsideWhatAForkJoinPoolTakesAreRejectedByName() {
        for (int threads : new int[] {0, -1, BatchScheduler.MAX_THREADS + 1, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(threads));
            assertEquals("threads must be 1.." + BatchScheduler.MAX_THREADS + ", got " + threads, e.getMessage());
        }
    }

    @Test
    void everySchedulerThreadIsADaemon() {
        try (BatchScheduler scheduler = new BatchScheduler(7)) {
            scheduler.forRange(700, 1, (s, e) -> { });
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("lanes-batch-")) assertTrue(t.isDaemon(), t.getName());
            }
        }
    }

    /** Marks the exception a chunk throws, so the test can find it again wherever it surfaces. */
    static final class ChunkFailure extends RuntimeException {
        ChunkFailure(String message) { super(message); }
    }

    private static boolean causedBy(Throwable thrown, Throwable original) {
        for (Throwable t = thrown; t != null; t = t.getCause()) if (t == original) return true;
        return false;
    }

    @ParameterizedTest(name = "threads={0}")
    @ValueSource(ints = {2, 3, 7})
    void anExceptionInAnyChunkReachesTheCallerAfterAllChunksFinish(int threads) {
        int n = 7 * 12;
        try (BatchScheduler scheduler = new BatchScheduler(threads)) {
            for (int failing = 0; failing < threads; failing++) {
                int failingChunk = failing;
                List<Integer> starts = new ArrayList<>();
                scheduler.forRange(n, 1, (s, e) -> { synchronized (starts) { starts.add(s); } });
                starts.sort(null);
                assertEquals(threads, starts.size());
                int failingStart = starts.get(failingChunk);

                AtomicInteger finished = new AtomicInteger();
                ChunkFailure[] thrown = new ChunkFailure[1];
                RuntimeException surfaced = assertThrows(RuntimeException.class, () -> scheduler.forRange(n, 1, (s, e) -> {
                    if (s == failingStart) {
                        ChunkFailure failure = new ChunkFailure("chunk at " + s);
                        thrown[0] = failure;
                        throw failure;
                    }
                    try {
                        Thread.sleep(20); // the failure must not overtake the chunks still running
                    } catch (InterruptedException e2) {
                        throw new IllegalStateException(e2);
                    }
                    finished.incrementAndGet();
                }), "threads=" + threads + ", failing chunk " + failingChunk);
                assertTrue(causedBy(surfaced, thrown[0]), "the chunk's own exception must surface, got " + surfaced);
                assertEquals(threads - 1, finished.get(), "every other chunk completed before the rethrow");

                // Still usable.
                float[] out = new float[n];
                scheduler.forRange(n, 1, (s, e) -> { for (int i = s; i < e; i++) out[i] = f(i); });
                for (int i = 0; i < n; i++) assertEquals(f(i), out[i], "after a failure, index " + i);
            }
        }
    }

    @Test
    void anErrorOnTheCallersChunkIsRethrownAsIs() {
        try (BatchScheduler scheduler = new BatchScheduler(1)) {
            ChunkFailure failure = new ChunkFailure("inline");
            ChunkFailure surfaced = assertThrows(ChunkFailure.class, () -> scheduler.forRange(5, 1, (s, e) -> { throw failure; }));
            assertTrue(surfaced == failure);
        }
    }

    @Test
    void gemmResultsAreBitIdenticalForAnyThreadCount() {
        SplittableRandom r = new SplittableRandom(41);
        int m = 257, n = 129, k = 65;
        float[] a = TestSupport.nonZeros(r, m * k), b = TestSupport.nonZeros(r, k * n);
        for (Kernels kern : TestSupport.implementations()) {
            float[] expected = new float[m * n];
            kern.matmul(m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
            for (int threads : THREADS) {
                try (BatchScheduler scheduler = new BatchScheduler(threads)) {
                    float[] c = new float[m * n];
                    new Gemm(kern, scheduler).matmul(m, n, k, a, 0, k, b, 0, n, c, 0, n, false, false);
                    assertBitsEqual(expected, c, kern.name() + " threads=" + threads);
                }
            }
        }
    }

    @Test
    void argumentErrors() {
        assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(-3));
        for (int threads : THREADS) {
            try (BatchScheduler scheduler = new BatchScheduler(threads)) {
                assertEquals(threads, scheduler.threads());
                BatchScheduler.RangeBody mustNotRun = (s, e) -> fail("body ran for invalid arguments");
                IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> scheduler.forRange(-1, 1, mustNotRun));
                assertTrue(e1.getMessage().contains("n"), e1.getMessage());
                IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> scheduler.forRange(10, 0, mustNotRun));
                assertTrue(e2.getMessage().contains("minChunk"), e2.getMessage());
                assertThrows(IllegalArgumentException.class, () -> scheduler.forRange(10, -5, mustNotRun));
            }
        }
    }

    @Test
    void sharedSchedulerIsNeverClosed() {
        BatchScheduler shared = BatchScheduler.shared();
        assertTrue(shared.threads() >= 1);
        shared.close();
        AtomicIntegerArray visits = new AtomicIntegerArray(64);
        shared.forRange(64, 1, (s, e) -> { for (int i = s; i < e; i++) visits.incrementAndGet(i); });
        for (int i = 0; i < 64; i++) assertEquals(1, visits.get(i));
    }
}
