package lanes.kernels;

/**
 * bfloat16 weights: a float's sign, exponent and top 7 mantissa bits, so widening one back to float is a
 * 16-bit shift and exact. A dense layer's single-image step reads one row of its kernel per non-zero
 * input and is bound by the bytes it moves from L2 (the fast MLP's 784×128 kernel is 401 KB of float);
 * bf16 halves them. The arithmetic stays float32: {@link Kernels#matmulSkipZerosBf16Row} computes, bit for
 * bit, what {@link Kernels#matmulSkipZeros} computes on the {@link #round rounded} floats.
 *
 * <p>Packed layout ({@link #pack}): each row of n columns takes {@link #rowInts(int) 16·⌈n/32⌉} ints, in
 * groups of 32 columns; int l (0–15) of group g holds column 32g+l in its low half and column 32g+16+l in
 * its high half, so one 512-bit load yields 32 weights as two float vectors (shift left, mask high) with no
 * lane shuffle. Columns past n are zero.
 */
public final class Bf16 {
    private Bf16() {}

    /** x rounded to the nearest bfloat16 (ties to even), as the float of equal value; NaN stays a NaN. */
    public static float round(float x) {
        return Float.intBitsToFloat(bits(x) << 16);
    }

    /** The 16 bits of x rounded to bfloat16 (ties to even); a NaN keeps its sign and stays quiet. */
    static int bits(float x) {
        int b = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (b >>> 16) | 0x40;
        return (b + 0x7FFF + ((b >>> 16) & 1)) >>> 16;
    }

    /** Ints per packed row of n columns. */
    public static int rowInts(int n) {
        return 16 * ((n + 31) / 32);
    }

    /** kernel[k×n] (row-major) rounded to bf16 and packed as described above: k·{@link #rowInts(int)} ints. */
    public static int[] pack(float[] kernel, int k, int n) {
        Checks.dims(1, n, k);
        Checks.matrix("kernel", kernel, 0, n, k, n);
        int s = rowInts(n);
        int[] packed = new int[Math.multiplyExact(k, s)];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                int v = bits(kernel[p * n + j]);
                packed[at(s, p, j)] |= (j & 16) == 0 ? v : v << 16;
            }
        }
        return packed;
    }

    /** Column j of row p of a packed kernel, widened to float. */
    public static float weight(int[] packed, int n, int p, int j) {
        return widen(packed[at(rowInts(n), p, j)], j);
    }

    /** Where column j of row p lies in a packed kernel of rows s ints long: group j/32, int j mod 16. */
    static int at(int s, int p, int j) {
        return p * s + 16 * (j >> 5) + (j & 15);
    }

    /** The column in the low half of a row's int i (the inverse of {@link #at}); its high half holds that + 16. */
    static int lowColumn(int i) {
        return 32 * (i >> 4) + (i & 15);
    }

    /** Column j's weight from the int that holds it: the low half for j mod 32 < 16, else the high half. */
    static float widen(int v, int j) {
        return Float.intBitsToFloat((j & 16) == 0 ? v << 16 : v & 0xFFFF0000);
    }
}
