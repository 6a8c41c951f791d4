package lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv2d, maxPool2d, sigmoid and tanh allocate nothing once a thread has its scratch and C2 has compiled
 * them: predict runs them per image and must not make garbage. Covers the padded image, channel counts
 * off the vector length (6: 256-bit lanes on 512-bit machines; 17: a part-padding vector) and pooling
 * through both its 2×2 and its general loops.
 */
class ImageAllocationTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void imageKernelsAllocateNothingOnceWarm(Kernels kern) {
        var counter = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(counter.isThreadAllocatedMemorySupported()
                && counter.isThreadAllocatedMemoryEnabled(), "no per-thread allocation counter here");
        SplittableRandom r = new SplittableRandom(8);
        float[] x = ConvCases.data(r, 0, 10 * 10 * 17, 0), k6 = ConvCases.data(r, 0, 3 * 3 * 17 * 6, 0);
        float[] k17 = ConvCases.data(r, 0, 3 * 3 * 17 * 17, 0), k32 = ConvCases.data(r, 0, 3 * 3 * 17 * 32, 0);
        float[] b = ConvCases.data(r, 0, 32, 0), y = new float[10 * 10 * 32], p = new float[5 * 5 * 17];
        long id = Thread.currentThread().threadId(), bytes = -1, end = System.nanoTime() + 30_000_000_000L;
        // Until C2 has compiled them, Vector API kernels allocate their vectors: rounds run until one
        // allocates nothing, and the test fails if none ever does. Bounded by time, not rounds: on a busy
        // two-core machine C2's one queue can take seconds to reach these kernels.
        while (bytes != 0 && System.nanoTime() - end < 0) {
            long before = counter.getThreadAllocatedBytes(id);
            for (int i = 0; i < 300; i++) {
                kern.conv2d(1, 10, 10, 17, 6, 3, 3, 1, 1, 1, 1, 10, 10, x, 0, k6, 0, b, 0, y, 0);
                kern.conv2d(1, 10, 10, 17, 17, 3, 3, 2, 2, 0, 0, 4, 4, x, 0, k17, 0, b, 0, y, 0);
                kern.conv2d(1, 10, 10, 17, 32, 3, 3, 1, 1, 0, 0, 8, 8, x, 0, k32, 0, b, 0, y, 0);
                kern.maxPool2d(1, 10, 10, 17, 2, 2, 2, 2, 0, 0, 5, 5, x, 0, p, 0);
                kern.maxPool2d(1, 10, 10, 17, 3, 3, 2, 2, 1, 1, 5, 5, x, 0, p, 0);
                kern.sigmoid(100, x, 0, y, 0);
                kern.tanh(100, x, 0, y, 0);
            }
            bytes = counter.getThreadAllocatedBytes(id) - before;
        }
        assertEquals(0, bytes, kern.name() + ": bytes allocated by 300 rounds of the image kernels after warm-up");
    }
}
