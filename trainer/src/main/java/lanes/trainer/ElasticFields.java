package lanes.trainer;

import java.util.SplittableRandom;

/**
 * A bank of Simard's elastic displacement fields (Simard, Steinkraus &amp; Platt 2003, "Best practices for
 * convolutional neural networks applied to visual document analysis", §2.1), drawn once per JVM from a
 * fixed seed: {@link #FIELDS} scalar fields of uniform noise in [-1, 1] convolved with a normalised Gaussian
 * of σ = {@link #SIGMA} px, each on a {@link #SIZE}×{@link #SIZE} torus (circular convolution).
 *
 * <p>Why a bank, and why it is Simard's method: his fields cost two Gaussian blurs of fresh noise per example
 * (dx and dy, each a 33-tap kernel along x then y at σ = 4: ~100,000 multiply-adds a 28×28 image, tens of
 * microseconds, several times the whole distortion's cost here). Here one
 * component of one example (dx or dy) is an h×w window of one bank field, at a random offset on the torus,
 * with a random sign. Circular convolution makes each torus field stationary, so every window is distributed
 * exactly as Simard's field is away from the image border (his border, zero-padded, has a lower variance);
 * the sign is free because the noise is symmetric, and dx and dy are picked independently because his two
 * components are independent. A 28×28 window covers under half the torus, and points ≥ 4σ apart are nearly
 * uncorrelated, so window offsets give thousands of different fields per bank field: 16 fields × 4,096
 * offsets × 2 signs per component. The bank is 256 KB, which stays in a core's L2 cache.
 */
final class ElasticFields {
    private ElasticFields() {}

    /** Side of each torus field, a power of two so that offsets wrap with a mask; the largest image side elastic takes. */
    static final int SIZE = 64;
    static final int MASK = SIZE - 1;
    /** Fields in the bank, a power of two (an example picks one from 4 random bits). */
    static final int FIELDS = 16;
    /** Simard's smoothing: σ = 4 px (he scales the smoothed field by α ≈ 34 px, see {@link Augmentation}). */
    static final double SIGMA = 4;
    /** The Gaussian is cut at 4σ, as scipy's gaussian_filter does, and renormalised. */
    private static final int RADIUS = (int) (4 * SIGMA);
    private static final long SEED = 0x51AA_2D03_E1A5_71C0L;

    /** FIELDS fields of SIZE×SIZE values, row-major; never modified after the class is initialised. */
    static final float[][] BANK = build();

    private static float[][] build() {
        double[] kernel = new double[2 * RADIUS + 1];
        double sum = 0;
        for (int d = -RADIUS; d <= RADIUS; d++) sum += kernel[d + RADIUS] = StrictMath.exp(-d * d / (2 * SIGMA * SIGMA));
        for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
        SplittableRandom rnd = new SplittableRandom(SEED);
        float[][] bank = new float[FIELDS][];
        double[] noise = new double[SIZE * SIZE], rows = new double[SIZE * SIZE];
        for (int f = 0; f < FIELDS; f++) {
            for (int i = 0; i < noise.length; i++) noise[i] = rnd.nextDouble() * 2 - 1;
            // The 2-D Gaussian is separable: blur along x, then along y, both wrapping around.
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double acc = 0;
                    for (int d = -RADIUS; d <= RADIUS; d++) acc += kernel[d + RADIUS] * noise[y * SIZE + ((x + d) & MASK)];
                    rows[y * SIZE + x] = acc;
                }
            }
            float[] field = new float[SIZE * SIZE];
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double acc = 0;
                    for (int d = -RADIUS; d <= RADIUS; d++) acc += kernel[d + RADIUS] * rows[((y + d) & MASK) * SIZE + x];
                    field[y * SIZE + x] = (float) acc;
                }
            }
            bank[f] = field;
        }
        return bank;
    }
}
