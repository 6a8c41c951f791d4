package lanes.preprocess;

import java.awt.image.BufferedImage;

/** {@link PreprocessMode#SEED}: the original tutorial's resize-and-threshold, reproduced exactly. */
final class Seed {
    /** {@link PreprocessMode#SEED}: a resized grey level below this (of 255) is ink. */
    static final int SEED_THRESHOLD = 75;

    private Seed() {}

    /**
     * The original tutorial's {@code judge_image}: {@code Image.open(f).convert("L").resize((28, 28))}, then
     * a pixel below 75 is ink (1) and anything else 0. The resize is Pillow's {@code Image.BOX} filter,
     * reproduced exactly as in its {@code libImaging/Resample.c}: a horizontal pass then a vertical one,
     * each rounded to 8 bits; per output pixel the input pixels whose centres fall in its box, equally
     * weighted, with 22-bit fixed-point coefficients. Pillow's default BICUBIC differs by a few grey levels
     * at edges. Two deliberate differences from Pillow: alpha is composited on white (Pillow's
     * {@code convert} drops it, so a transparent background reads as whatever colour the transparent pixels
     * hold, often black), and 16-bit grey is scaled to 8 bits (Pillow clips it at 255).
     *
     * <p>Unlike the tutorial, a blank image (one grey level throughout) is refused as in MNIST mode: its
     * 28 x 28 is all ink or all paper, and the network's answer for it would mean nothing.
     */
    static float[] seed(BufferedImage image, String name) throws ImageException {
        int w = image.getWidth(), h = image.getHeight();
        Luminance.Rows rows = new Luminance.Rows(image);
        Coefficients cx = Coefficients.box(w, ImagePreprocessor.SIDE), cy = Coefficients.box(h, ImagePreprocessor.SIDE);
        // Both passes run as rows are read: each 28-wide row is added at once to the output rows whose box
        // holds it, so memory is 28 x 28 sums whatever the image's height. Integer sums: the same bits in
        // any order, so the same as Pillow's vertical pass over a stored h x 28 image.
        int[] row = new int[w], narrow = new int[ImagePreprocessor.SIDE];
        long[] sums = new long[ImagePreprocessor.INPUT_SIZE];
        int lowest = 255, highest = 0;
        for (int y = 0; y < h; y++) {
            rows.luma8(y, row);
            for (int x = 0; x < w; x++) {
                lowest = Math.min(lowest, row[x]);
                highest = Math.max(highest, row[x]);
            }
            for (int x = 0; x < ImagePreprocessor.SIDE; x++) narrow[x] = cx.apply(x, row, 0, 1);
            for (int o = 0; o < ImagePreprocessor.SIDE; o++) cy.accumulate(o, y, narrow, sums, o * ImagePreprocessor.SIDE);
        }
        if (lowest == highest) throw ImageException.noInk(name);
        float[] out = new float[ImagePreprocessor.INPUT_SIZE];
        int ink = 0;
        for (int i = 0; i < ImagePreprocessor.INPUT_SIZE; i++) {
            out[i] = Coefficients.level(sums[i]) < SEED_THRESHOLD ? 1f : 0f;
            ink += (int) out[i];
        }
        // Not blank, yet the threshold left nothing (faint strokes) or everything (a dark image): the
        // network would answer an empty or a solid square, which says nothing about the image.
        if (ink == 0 || ink == ImagePreprocessor.INPUT_SIZE) throw new ImageException(name, "no ink found at the seed threshold: after"
                + " resizing to 28 x 28, " + (ink == 0 ? "no" : "every") + " pixel is darker than " + SEED_THRESHOLD
                + " of 255 (MNIST mode finds fainter ink)");
        return out;
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for the box filter. */
    private record Coefficients(int[] first, int[][] k) {
        static final int PRECISION_BITS = 32 - 8 - 2;

        static Coefficients box(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(1.0, scale);
            double support = 0.5 * filterScale;
            int[] first = new int[outSize];
            int[][] k = new int[outSize][];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] weights = new double[Math.max(0, xmax)];
                double ww = 0;
                for (int x = 0; x < weights.length; x++) {
                    double t = (x + xmin - center + 0.5) * ss;
                    weights[x] = t > -0.5 && t <= 0.5 ? 1.0 : 0.0;
                    ww += weights[x];
                }
                k[o] = new int[weights.length];
                for (int x = 0; x < weights.length; x++) {
                    double c = ww != 0.0 ? weights[x] / ww : weights[x];
                    k[o][x] = (int) (0.5 + c * (1 << PRECISION_BITS));
                }
                first[o] = xmin;
            }
            return new Coefficients(first, k);
        }

        int apply(int o, int[] src, int offset, int stride) {
            long ss = 0;
            int[] ko = k[o];
            for (int i = 0; i < ko.length; i++) ss += (long) src[offset + (first[o] + i) * stride] * ko[i];
            return level(ss);
        }

        /** If input {@code i} is in output {@code o}'s box: {@code sums[at + j] += values[j] * weight}, j < 28. */
        void accumulate(int o, int i, int[] values, long[] sums, int at) {
            int j = i - first[o];
            if (j < 0 || j >= k[o].length) return;
            long weight = k[o][j];
            for (int x = 0; x < values.length; x++) sums[at + x] += values[x] * weight;
        }

        /** A weighted sum back to 8 bits: rounded half up, clipped to 0..255. */
        static int level(long sum) {
            long ss = sum + (1L << (PRECISION_BITS - 1));
            return (int) Math.max(0, Math.min(255, ss >> PRECISION_BITS));
        }
    }
}
