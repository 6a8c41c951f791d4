package lanes.kernels;

/**
 * exp(x) in float from basic IEEE operations only, so that the scalar loop and the Vector API loop
 * (see {@code VectorKernels}) compute the same bits, compiled or not. Math.exp cannot be vectorised,
 * and the Vector API's EXP returns other bits before C2 compiles it than after.
 *
 * <p>x = k·ln2 + r with k = round(x·log2(e)) (the 1.5·2^23 trick) and |r| ≤ ln2/2 (Cody–Waite, ln2 in two
 * parts); e^r by its Taylor series to r^7 (error below 1e-8, so within an ulp or two of Math.exp);
 * 2^k built in the exponent bits. Below -87.3 the result is +0: e^x turns subnormal a little further
 * down (at -87.34), and the margin keeps p·2^k from doing so on the way (flush-to-zero, as elsewhere
 * in Lanes); above 88 it is e^88. Within 1 ulp of e^x over [-87.3, 88] (0.91–0.94 ulp at worst over
 * millions of random points).
 */
final class Exp {
    private Exp() {}

    static final float LO = -87.3f, HI = 88f;
    static final float LOG2E = 1.44269504f;
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    static float exp(float x) {
        if (x < LO) return 0f;
        x = Math.min(x, HI);
        float t = x * LOG2E + ROUND;
        float k = t - ROUND;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int e = Float.floatToRawIntBits(t) - ROUND_BITS + 127;
        return p * Float.intBitsToFloat(e << 23);
    }
}
