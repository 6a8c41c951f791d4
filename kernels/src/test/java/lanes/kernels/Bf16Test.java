package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** bf16 rounding and packing, and the single-row bf16 GEMM against the float GEMM on the rounded weights. */
class Bf16Test {

    /** The nearest bf16 by distance in double, ties to the even one: an oracle independent of the bit trick. */
    private static float nearest(float x) {
        int b = Float.floatToRawIntBits(x);
        float down = Float.intBitsToFloat(b & 0xFFFF0000), up = Float.intBitsToFloat((b & 0xFFFF0000) + 0x10000);
        // past the largest bf16, "up" is ±2^128 (infinity once rounded), as IEEE rounding has it
        double upValue = Float.isInfinite(up) ? Math.copySign(0x1p128, x) : up;
        double dDown = Math.abs((double) x - down), dUp = Math.abs((double) x - upValue);
        if (dDown != dUp) return dDown < dUp ? down : up;
        return ((b >>> 16) & 1) == 0 ? down : up;
    }

    @Test
    void roundsToNearestTiesToEven() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(x)) continue;
            assertEquals(Float.floatToRawIntBits(nearest(x)), Float.floatToRawIntBits(Bf16.round(x)), "round(" + x + ")");
        }
        // exact ties: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 and goes to the even 1; 1 + 3·2^-8 goes up
        assertEquals(1f, Bf16.round(1f + 0x1p-8f));
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 3 * 0x1p-8f));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Bf16.round(-0f)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7F800001))), "a NaN whose payload sits in the low bits stays a NaN");
    }

    @Test
    void packedWeightsAreTheRoundedOnesAndPaddingIsZero() {
        SplittableRandom r = new SplittableRandom(12);
        for (int n = 1; n <= 70; n++) {
            int k = 1 + n % 5;
            float[] w = TestSupport.nonZeros(r, k * n);
            int[] packed = Bf16.pack(w, k, n);
            assertEquals(k * Bf16.rowInts(n), packed.length);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(Bf16.round(w[p * n + j]), Bf16.weight(packed, n, p, j), "n=" + n + " row " + p + " column " + j);
                }
                for (int j = n; j < 32 * ((n + 31) / 32); j++) assertEquals(0f, Bf16.weight(packed, n, p, j), "padding column " + j);
            }
        }
    }

    /** Every width class of the vector path (whole 8-vector passes, single vectors, masked columns), every implementation. */
    @Test
    void rowIsTheFloatGemmOnRoundedWeightsBitForBit() {
        for (Kernels kern : TestSupport.implementations()) {
            for (int n = 1; n <= 300; n += n < 70 ? 1 : 7) {
                for (int k : new int[] {1, 63, 64, 65, 200}) {
                    SplittableRandom r = new SplittableRandom(n * 1000L + k);
                    float[] w = TestSupport.nonZeros(r, k * n);
                    float[] rounded = new float[w.length];
                    for (int i = 0; i < w.length; i++) rounded[i] = Bf16.round(w[i]);
                    // a: two thirds zeros (+0 and −0), a NaN now and then, from an offset
                    float[] a = new float[k + 3];
                    for (int p = 0; p < k; p++) {
                        int pick = r.nextInt(3);
                        a[3 + p] = pick == 0 ? TestSupport.nonZero(r) : pick == 1 ? 0f : -0f;
                    }
                    if (n % 11 == 0) a[3 + r.nextInt(k)] = Float.NaN;
                    float[] expected = TestSupport.padded(r, 2, n, 2, 7f), actual = expected.clone();
                    KernelsProvider.scalar().matmulSkipZeros(1, n, k, a, 3, k, rounded, 0, n, expected, 2, n, false);
                    kern.matmulSkipZerosBf16Row(n, k, a, 3, Bf16.pack(w, k, n), actual, 2);
                    assertBitsEqual(expected, actual, kern.name() + " n=" + n + " k=" + k);
                }
            }
        }
    }

    @Test
    void allZeroInputGivesPlusZeros() {
        for (Kernels kern : TestSupport.implementations()) {
            float[] c = {5f, 5f, 5f};
            kern.matmulSkipZerosBf16Row(3, 4, new float[] {0f, -0f, 0f, -0f}, 0, Bf16.pack(new float[12], 4, 3), c, 0);
            assertBitsEqual(new float[] {0f, 0f, 0f}, c, kern.name());
        }
    }

    @Test
    void checksItsOperandsOnce() {
        Kernels kern = KernelsProvider.get();
        int[] packed = Bf16.pack(new float[4 * 40], 4, 40);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kern.matmulSkipZerosBf16Row(40, 5, new float[5], 0, packed, new float[40], 0));
        assertTrue(e.getMessage().contains("5x40"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> kern.matmulSkipZerosBf16Row(40, 4, new float[3], 0, packed, new float[40], 0));
        assertThrows(IllegalArgumentException.class, () -> kern.matmulSkipZerosBf16Row(40, 4, new float[4], 0, packed, new float[39], 0));
        assertThrows(IllegalArgumentException.class, () -> kern.matmulSkipZerosBf16Row(40, 4, new float[4], 0, null, new float[40], 0));
        assertThrows(IllegalArgumentException.class, () -> Bf16.pack(new float[10], 3, 4));
    }
}
