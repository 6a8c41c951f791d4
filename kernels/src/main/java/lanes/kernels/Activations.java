package lanes.kernels;

/**
 * Sigmoid and tanh of one float from {@link Exp#exp} and basic IEEE operations only, so that the SIMD
 * loops (which run the same operations lane by lane) give the same bits. Math.tanh cannot be vectorised,
 * and the Vector API's TANH returns other bits before C2 compiles it than after.
 *
 * <p>Sigmoid: {@code e = exp(−|x|)}, never above 1, so nothing overflows, and {@code e / (1 + e)} for
 * negative x keeps the relative accuracy that {@code 1 − sigmoid(|x|)} would lose to cancellation.
 * Tanh: {@code (1 − e) / (1 + e)} with {@code e = exp(−2|x|)} cancels near zero (at |x| = 0.01 the
 * numerator keeps only 2% of its bits), so below |x| = 0.5 an odd Taylor polynomial to x^17 takes over:
 * its first omitted term is below 1e-9 relative there. The sign is x's, set on the bits.
 */
final class Activations {
    private Activations() {}

    /** Below this |x|, tanh is the polynomial. */
    static final float TANH_POLY = 0.5f;
    // tanh(x) = x + x^3·(T3 + T5·z + ... + T17·z^7), z = x², Taylor coefficients.
    static final float T3 = (float) (-1.0 / 3), T5 = (float) (2.0 / 15), T7 = (float) (-17.0 / 315),
            T9 = (float) (62.0 / 2835), T11 = (float) (-1382.0 / 155925), T13 = (float) (21844.0 / 6081075),
            T15 = (float) (-929569.0 / 638512875), T17 = (float) (6404582.0 / 10854718875.0);
    static final int SIGN = 0x8000_0000;

    static float sigmoid(float x) {
        float e = Exp.exp(-Math.abs(x));
        return (x >= 0f ? 1f : e) / (1f + e);
    }

    static float tanh(float x) {
        float a = Math.abs(x);
        float v;
        if (a < TANH_POLY) {
            float z = x * x;
            float q = Math.fma(T17, z, T15);
            q = Math.fma(q, z, T13);
            q = Math.fma(q, z, T11);
            q = Math.fma(q, z, T9);
            q = Math.fma(q, z, T7);
            q = Math.fma(q, z, T5);
            q = Math.fma(q, z, T3);
            v = Math.fma(a * z, q, a);
        } else {
            float e = Exp.exp(-2f * a);
            v = (1f - e) / (1f + e);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(v) | (Float.floatToRawIntBits(x) & SIGN));
    }
}
