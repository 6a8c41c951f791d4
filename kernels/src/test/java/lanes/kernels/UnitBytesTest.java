package lanes.kernels;

import static lanes.kernels.TestSupport.LENGTHS;
import static lanes.kernels.TestSupport.assertBitsEqual;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pixels to inputs: every byte value against x/255 evaluated in double, and SIMD against scalar. */
class UnitBytesTest {

    private static final float PAD = 7.25f;

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void everyByteIsItsValueOver255(Kernels kern) {
        // every value at every lane position: 256 values, shifted by each offset 0..16
        for (int off = 0; off <= 16; off++) {
            byte[] src = new byte[off + 256 + 3];
            for (int i = 0; i < 256; i++) src[off + i] = (byte) i;
            float[] dst = new float[1 + 256 + 2];
            Arrays.fill(dst, PAD);
            kern.unitBytes(256, src, off, dst, 1);
            float[] expected = new float[dst.length];
            Arrays.fill(expected, PAD);
            for (int i = 0; i < 256; i++) expected[1 + i] = (float) (i / 255.0);
            assertBitsEqual(expected, dst, kern.name() + " from byte offset " + off);
        }
    }

    @Test
    void vectorIsBitIdenticalToScalarOnEveryLength() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(255);
        for (int n : LENGTHS) {
            int sOff = r.nextInt(5), dOff = r.nextInt(5);
            byte[] src = new byte[sOff + n + 2];
            r.nextBytes(src);
            float[] a = new float[dOff + n + 1], b = new float[dOff + n + 1];
            Arrays.fill(a, PAD);
            Arrays.fill(b, PAD);
            scalar.unitBytes(n, src, sOff, a, dOff);
            vector.unitBytes(n, src, sOff, b, dOff);
            assertBitsEqual(a, b, "n=" + n);
            for (int i = 0; i < n; i++) {
                if (a[dOff + i] != (src[sOff + i] & 0xFF) / 255f) throw new AssertionError("n=" + n + " element " + i);
            }
            if (a[a.length - 1] != PAD || (dOff > 0 && a[dOff - 1] != PAD)) throw new AssertionError("padding written, n=" + n);
        }
    }
}
