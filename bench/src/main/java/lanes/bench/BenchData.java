package lanes.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.openjdk.jmh.infra.BenchmarkParams;

/** Seeded inputs and sanity checks shared by the suites: a benchmark that computes garbage fails. */
final class BenchData {
    private BenchData() {}

    static float[] uniform(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** The Vector API kernels, or a failure that says how to get them (never a silent scalar run). */
    static Kernels vectorKernels() {
        return KernelsProvider.vector().orElseThrow(() -> new IllegalStateException(
                "SIMD benchmark without the Vector API: run it with " + KernelsProvider.VECTOR_FLAG));
    }

    /**
     * The kernels a benchmark measures: scalar for the methods named ...scalar / ...Scalar (forked without
     * the Vector API), the Vector API kernels for the others.
     */
    static Kernels kernelsFor(BenchmarkParams params) {
        return params.getBenchmark().toLowerCase(Locale.ROOT).endsWith("scalar") ? KernelsProvider.scalar() : vectorKernels();
    }

    static void checkFinite(float[] x, String name) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) throw new IllegalStateException(name + "[" + i + "] is " + x[i]);
        }
    }
}
