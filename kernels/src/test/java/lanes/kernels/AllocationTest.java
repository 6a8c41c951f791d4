package lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a prediction service calls allocates nothing per call: a single row through the zero-skipping GEMM
 * needs no scratch at all, and more rows, or a convolution, need only the workspace the caller owns. On the thread that
 * calls, and on a virtual thread per request, where every thread-local would be new each time (a
 * per-thread panel cost 23 KB per request there).
 */
class AllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * One request: an MNIST-shaped first layer for one image, then for a batch of 8, bias, ReLU, argmax,
     * and a LeNet-shaped first convolution.
     */
    static final class Request implements Runnable {
        static final int K = 784, N = 128, ROWS = 8;
        final Kernels kernels;
        final Kernels.Workspace workspace = new Kernels.Workspace();
        final float[] images = new float[ROWS * K], w, bias, out = new float[28 * 28 * 6];
        long labels;

        Request(Kernels kernels) {
            this.kernels = kernels;
            SplittableRandom r = new SplittableRandom(13);
            for (int i = 0; i < images.length; i++) images[i] = r.nextInt(5) == 0 ? (float) r.nextDouble() : 0f; // ~150 of 784
            w = TestSupport.nonZeros(r, K * N);
            bias = TestSupport.nonZeros(r, N);
        }

        @Override
        public void run() {
            kernels.matmulSkipZeros(1, N, K, images, 0, K, w, 0, N, out, 0, N, false);
            kernels.addBias(1, N, out, 0, bias, 0);
            kernels.reluForward(N, out, 0, out, 0);
            labels += kernels.argmax(N, out, 0);
            kernels.matmulSkipZeros(ROWS, N, K, images, 0, K, w, 0, N, out, 0, N, false, workspace);
            labels += kernels.argmax(N, out, (ROWS - 1) * N);
            // a 28x28 image to 6 channels of 5x5, "same": a padded image and channels off the vector length
            kernels.conv2d(1, 28, 28, 1, 6, 5, 5, 1, 1, 2, 2, 28, 28, images, 0, w, 0, bias, 0, out, 0, workspace);
            labels += kernels.argmax(6, out, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void nothingIsAllocatedPerCallOnTheCallingThread(Kernels kernels) {
        Request request = new Request(kernels);
        // Until C2 has compiled them, Vector API kernels allocate their vectors: rounds run until one
        // allocates nothing (normally within a few), and the test fails if none ever does.
        long bytes = -1;
        for (int round = 0; round < 60 && bytes != 0; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) request.run();
            bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, bytes, kernels.name() + ": bytes allocated by 2,000 warm requests (labels " + request.labels + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void aVirtualThreadPerRequestAllocatesNothingInTheKernels(Kernels kernels) throws InterruptedException {
        Request request = new Request(kernels);
        for (int i = 0; i < 20_000; i++) request.run(); // compiled before it is measured
        // A virtual thread reports no allocation of its own (-1): count every thread's, and take away what
        // starting and joining as many empty virtual threads costs. The least of a few rounds, since the
        // count includes whatever else the JVM allocates meanwhile.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 20 && least > 64; round++) {
            long work = perRequest(request), empty = perRequest(() -> {});
            least = Math.min(least, work - empty);
        }
        assertTrue(least <= 64, kernels.name() + ": a request on its own virtual thread allocated " + least
                + " bytes more than an empty one (labels " + request.labels + ")");
    }

    /** Bytes allocated by all threads per request, each request on a new virtual thread. */
    private static long perRequest(Runnable task) throws InterruptedException {
        int requests = 200;
        long before = THREADS.getTotalThreadAllocatedBytes();
        for (int i = 0; i < requests; i++) Thread.ofVirtual().start(task).join();
        return (THREADS.getTotalThreadAllocatedBytes() - before) / requests;
    }
}
