package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parsing, the geometry of each transform, determinism and plausibility, on real MNIST digits. */
class AugmentationTest {

    static final int SIDE = 28, N = SIDE * SIDE;
    static final String[] SPECS = {"affine", "elastic", "thickness", "affine,elastic", "affine,elastic,thickness"};
    static Samples digits;

    @BeforeAll
    static void load() throws IOException {
        digits = MnistSmall.load("train").samples().head(200);
    }

    @Test
    void parseTakesAnySetInAnyOrderAndPrintsItCanonically() {
        assertTrue(Augmentation.parse("none").isNone());
        assertEquals("none", Augmentation.NONE.toString());
        assertEquals("affine", Augmentation.parse("affine").toString());
        assertEquals("affine,elastic", Augmentation.parse("elastic,affine").toString());
        assertEquals("affine,elastic,thickness", Augmentation.parse(" thickness, affine ,elastic").toString());
        assertEquals("elastic,thickness", Augmentation.parse("thickness,elastic").toString());
        assertEquals(Augmentation.parse("affine,thickness"), Augmentation.parse("thickness,affine"));
        for (String spec : SPECS) {
            Augmentation a = Augmentation.parse(spec);
            assertFalse(a.isNone(), spec);
            assertEquals(a, Augmentation.parse(a.toString()), "toString parses back: " + spec);
        }
    }

    @Test
    void parseRefusesBadSpecsNamingTheTokenAndTheValidOnes() {
        String[][] cases = {{"rotate", "'rotate'"}, {"Affine", "'Affine'"}, {"affine,affine", "'affine' appears twice"},
                {"none,affine", "'none'"}, {"affine,,elastic", "empty"}, {"", "empty"}, {"affine;elastic", "'affine;elastic'"}};
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().contains("none or a comma-separated set of affine, elastic, thickness"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> Augmentation.parse(null));
    }

    @Test
    void noneAndIdentityParametersGiveExactlyXOver255() {
        float[] expected = new float[N], out = new float[N], scratch = new float[Augmentation.scratchSize(SIDE, SIDE)];
        for (int e = 0; e < 20; e++) {
            KernelsProvider.scalar().unitBytes(N, digits.pixels(), e * N, expected, 0);
            Augmentation.NONE.apply(digits.pixels(), e * N, SIDE, SIDE, out, 0, e, scratch);
            assertArrayEquals(expected, out, "none, example " + e);
            Augmentation.affine(digits.pixels(), e * N, SIDE, SIDE, out, 0, 0, 1, 0, 0, 0);
            assertArrayEquals(expected, out, "identity, example " + e);
        }
    }

    @Test
    void aShiftMovesThePatternByWholePixels() {
        byte[] src = randomImage(SIDE, SIDE, 1);
        float[] out = new float[N];
        Augmentation.affine(src, 0, SIDE, SIDE, out, 0, 0, 1, 0, 1, -2); // one right, two up
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int sx = x - 1, sy = y + 2;
                float want = sx < 0 || sy >= SIDE ? 0 : (src[sy * SIDE + sx] & 0xFF) / 255f;
                assertEquals(want, out[y * SIDE + x], 0f, "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void aQuarterTurnPermutesThePixels() {
        byte[] src = randomImage(SIDE, SIDE, 2);
        float[] out = new float[N];
        Augmentation.affine(src, 0, SIDE, SIDE, out, 0, Math.PI / 2, 1, 0, 0, 0);
        // x right, y down: source (x, y) lands on (27 − y, x), so output (x, y) reads source (y, 27 − x)
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float want = (src[(SIDE - 1 - x) * SIDE + y] & 0xFF) / 255f;
                assertEquals(want, out[y * SIDE + x], 1e-5f, "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void theDistortionDependsOnTheExampleSeedOnly() {
        Augmentation all = Augmentation.parse("affine,elastic,thickness");
        byte[] px = digits.pixels();
        float[] a = run(all, px, 5, Augmentation.exampleSeed(7, 1, 5));
        float[] dirtyScratch = new float[Augmentation.scratchSize(SIDE, SIDE)];
        Arrays.fill(dirtyScratch, 0.5f);
        float[] b = new float[N];
        all.apply(px, 5 * N, SIDE, SIDE, b, 0, Augmentation.exampleSeed(7, 1, 5), dirtyScratch);
        assertArrayEquals(a, b, "same seed, any scratch: same image");
        assertFalse(Arrays.equals(a, run(all, px, 5, Augmentation.exampleSeed(7, 1, 6))), "another example index");
        assertFalse(Arrays.equals(a, run(all, px, 5, Augmentation.exampleSeed(7, 2, 5))), "another epoch");
        assertFalse(Arrays.equals(a, run(all, px, 5, Augmentation.exampleSeed(8, 1, 5))), "another fit seed");
        assertNotEquals(Augmentation.exampleSeed(1, 1, 2), Augmentation.exampleSeed(1, 2, 1));
    }

    /** The inline generator draws what new SplittableRandom(seed) would. */
    @Test
    void drawsAreSplittableRandoms() {
        for (long seed : new long[] {0, 1, -1, Augmentation.exampleSeed(3, 4, 5)}) {
            SplittableRandom rnd = new SplittableRandom(seed);
            long s = seed;
            for (int i = 0; i < 10; i++) assertEquals(rnd.nextLong(), Augmentation.mix64(s += Augmentation.GAMMA));
        }
    }

    @Test
    void outputStaysInTheUnitRangeAndKeepsAPlausibleInkMass() {
        for (String spec : SPECS) {
            Augmentation a = Augmentation.parse(spec);
            // Scale alone changes the area by 0.72–1.32×; elastic stretches or squeezes parts of a digit by up to
            // half again; erosion can keep a sixth of a thin digit's ink (see Augmentation.morph).
            double[] ratioRange = spec.contains("elastic") ? new double[] {0.5, 2.0}
                    : spec.contains("affine") ? new double[] {0.6, 1.6} : new double[] {1, 1};
            if (spec.contains("thickness")) ratioRange = new double[] {ratioRange[0] * 0.15, ratioRange[1] * 2.2};
            double sumRatio = 0;
            for (int e = 0; e < digits.count(); e++) {
                float[] out = run(a, digits.pixels(), e, Augmentation.exampleSeed(11, 1, e));
                double ink = 0, before = 0;
                for (int i = 0; i < N; i++) {
                    assertTrue(out[i] >= 0 && out[i] <= 1, spec + " example " + e + " pixel " + i + ": " + out[i]);
                    ink += out[i];
                    before += (digits.pixels()[e * N + i] & 0xFF) / 255.0;
                }
                double ratio = ink / before;
                sumRatio += ratio;
                assertTrue(ratio >= ratioRange[0] && ratio <= ratioRange[1], spec + " example " + e + ": ink × " + ratio);
            }
            double mean = sumRatio / digits.count();
            assertTrue(mean > 0.85 && mean < 1.25, spec + ": mean ink × " + mean);
        }
    }

    @Test
    void dilationNeverDarkensAndErosionNeverBrightens() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] hw : new int[][] {{1, 1}, {1, 5}, {4, 1}, {2, 2}, {5, 7}, {28, 28}}) {
            int h = hw[0], w = hw[1];
            float[] in = new float[h * w], up = new float[h * w], down = new float[h * w];
            for (int i = 0; i < in.length; i++) in[i] = rnd.nextInt(4) == 0 ? 0 : (float) rnd.nextDouble();
            Augmentation.morph(in, 0, h, w, up, 0, true);
            Augmentation.morph(in, 0, h, w, down, 0, false);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    assertTrue(up[i] >= in[i] && down[i] <= in[i], h + "×" + w + " (" + x + ", " + y + ")");
                    float max = in[i], min = in[i]; // the 2×2 square, in-image neighbours only
                    for (int[] d : new int[][] {{1, 0}, {0, 1}, {1, 1}}) {
                        int nx = x + d[0], ny = y + d[1];
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        max = Math.max(max, in[ny * w + nx]);
                        min = Math.min(min, in[ny * w + nx]);
                    }
                    assertEquals(max, up[i], 0f);
                    assertEquals(min, down[i], 0f);
                }
            }
        }
        // Through apply: each example is left as it is, dilated or eroded, and each happens.
        Augmentation thickness = Augmentation.parse("thickness");
        int[] seen = new int[3];
        for (int e = 0; e < 60; e++) {
            float[] out = run(thickness, digits.pixels(), e, Augmentation.exampleSeed(2, 1, e));
            boolean up = true, down = true, same = true;
            for (int i = 0; i < N; i++) {
                float x = (digits.pixels()[e * N + i] & 0xFF) / 255f;
                up &= out[i] >= x;
                down &= out[i] <= x;
                same &= out[i] == x;
            }
            assertTrue(up || down, "example " + e);
            seen[same ? 0 : up ? 1 : 2]++;
        }
        for (int m = 0; m < 3; m++) assertTrue(seen[m] >= 10, "none/dilated/eroded: " + Arrays.toString(seen));
    }

    /**
     * The bank holds Simard's fields: uniform noise in [-1, 1] (variance 1/3) through a normalised
     * Gaussian of σ = 4 has variance (1/3)·Σ g², about 1/(3·4πσ²); mean 0.
     */
    @Test
    void elasticFieldsHaveTheVarianceOfSimardsSmoothedNoise() {
        double k2 = 0, ksum = 0;
        for (int d = -16; d <= 16; d++) {
            double g = Math.exp(-d * d / 32.0);
            k2 += g * g;
            ksum += g;
        }
        double expected = (1 / 3.0) * Math.pow(k2 / (ksum * ksum), 2);
        double sum = 0, sq = 0;
        int n = 0;
        for (float[] f : ElasticFields.BANK) {
            for (float v : f) {
                sum += v;
                sq += v * v;
                n++;
            }
        }
        double mean = sum / n, var = sq / n - mean * mean;
        assertEquals(ElasticFields.FIELDS, ElasticFields.BANK.length);
        assertTrue(Math.abs(mean) < 0.1 * Math.sqrt(expected), "mean " + mean);
        assertEquals(1, var / expected, 0.15, "variance " + var + ", expected " + expected);
        // in pixels: α·std, Simard's ~1.4 px
        assertEquals(1.4, Augmentation.ELASTIC_ALPHA * Math.sqrt(var), 0.2);
    }

    @Test
    void applyRefusesWhatItCannotDo() {
        Augmentation elastic = Augmentation.parse("elastic");
        float[] big = new float[Augmentation.scratchSize(65, 65)];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> elastic.apply(new byte[65 * 65], 0, 65, 65, big, 0, 1, big));
        assertTrue(e.getMessage().contains("65×65"), e.getMessage());
        Augmentation.parse("affine").apply(new byte[65 * 65], 0, 65, 65, new float[65 * 65], 0, 1, big); // affine takes any size
        e = assertThrows(IllegalArgumentException.class,
                () -> elastic.apply(digits.pixels(), 0, SIDE, SIDE, new float[N], 0, 1, new float[N]));
        assertTrue(e.getMessage().contains("scratch"), e.getMessage());
        float[] scratch = new float[Augmentation.scratchSize(SIDE, SIDE)];
        assertThrows(IndexOutOfBoundsException.class, () -> elastic.apply(new byte[N - 1], 0, SIDE, SIDE, new float[N], 0, 1, scratch));
        assertThrows(IndexOutOfBoundsException.class, () -> elastic.apply(new byte[N], 0, SIDE, SIDE, new float[N], 1, 1, scratch));
        assertThrows(IllegalArgumentException.class, () -> elastic.apply(new byte[N], 0, 0, SIDE, new float[N], 0, 1, scratch));
    }

    private static float[] run(Augmentation a, byte[] px, int example, long seed) {
        float[] out = new float[N];
        a.apply(px, example * N, SIDE, SIDE, out, 0, seed, new float[Augmentation.scratchSize(SIDE, SIDE)]);
        return out;
    }

    private static byte[] randomImage(int h, int w, long seed) {
        byte[] b = new byte[h * w];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
