package lanes.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Implementations under test, bit-exact comparisons and seeded data shared by the kernel tests. */
final class TestSupport {
    private TestSupport() {}

    /** Sizes that hit every main-loop/tail split for 128-, 256- and 512-bit vectors and the 4-vector tile. */
    static final int[] SIZES = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 127, 128, 129, 784, 1021};

    /** Element counts for the element-wise kernels: every tail for 4, 8 and 16 lanes, plus 0. */
    static final int[] LENGTHS = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 784, 1021};

    static Kernels scalar() {
        return KernelsProvider.scalar();
    }

    /** The Vector API kernels; skips the calling test where this JVM runs without them. */
    static Kernels vectorOrSkip() {
        Optional<Kernels> v = KernelsProvider.vector();
        Assumptions.assumeTrue(v.isPresent(), "Vector API kernels are not available in this JVM");
        return v.get();
    }

    /** Every implementation this JVM can run: the scalar one, and the vector one when present. */
    static List<Kernels> implementations() {
        List<Kernels> all = new ArrayList<>();
        all.add(KernelsProvider.scalar());
        KernelsProvider.vector().ifPresent(all::add);
        return all;
    }

    static Stream<Kernels> implementationStream() {
        return implementations().stream();
    }

    /** Fails at the first element whose raw bits differ (so −0 ≠ +0 and NaN payloads count). */
    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": lengths differ, " + expected.length + " vs " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": first difference at index " + i + ": expected " + expected[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + "), got " + actual[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    /** A value in ±[0.05, 1.05), never zero, uniformly signed. */
    static float nonZero(SplittableRandom r) {
        float v = 0.05f + (float) r.nextDouble();
        return r.nextBoolean() ? v : -v;
    }

    /** An array of n values from {@link #nonZero}. */
    static float[] nonZeros(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = nonZero(r);
        return x;
    }

    /** An array of n values, every element first set to {@code fill}, then [off, off+len) random. */
    static float[] padded(SplittableRandom r, int off, int len, int tail, float fill) {
        float[] x = new float[off + len + tail];
        java.util.Arrays.fill(x, fill);
        for (int i = 0; i < len; i++) x[off + i] = nonZero(r);
        return x;
    }

    /** |expected − actual| ≤ tol, with a message naming the index. */
    static void assertClose(double expected, double actual, double tol, String what) {
        if (!(Math.abs(expected - actual) <= tol)) {
            fail(what + ": expected " + expected + ", got " + actual + " (difference " + Math.abs(expected - actual)
                    + " > tolerance " + tol + ")");
        }
    }
}
