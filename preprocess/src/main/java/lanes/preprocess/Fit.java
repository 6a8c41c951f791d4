package lanes.preprocess;

/**
 * Stage 6, fit: resampling, to the working resolution where strokes are measured and then into MNIST's
 * {@value #FIT} x {@value #FIT} box keeping the aspect ratio.
 */
final class Fit {
    /** MNIST digits are fitted in a 20 x 20 box inside the 28 x 28 field. */
    static final int FIT = 20;
    /** The crop is shrunk to this side before strokes are measured: 4x the final resolution. */
    static final int WORK_SIDE = 4 * FIT;

    private Fit() {}

    /** The crop shrunk (never enlarged) so its longer side is at most {@link #WORK_SIDE}. */
    static Plane toWorking(Plane crop) {
        double scale = Math.min(1.0, (double) WORK_SIDE / Math.max(crop.width(), crop.height()));
        int w = Math.max(1, (int) Math.round(crop.width() * scale)), h = Math.max(1, (int) Math.round(crop.height() * scale));
        return new Plane(resize(crop.values(), crop.width(), crop.height(), w, h), w, h);
    }

    /**
     * The digit scaled so the longer side of its core is {@link #FIT}, keeping the aspect ratio; the halo
     * around the core comes along, up to the 28 x 28 field.
     */
    static Plane toBox(Plane digit, int coreSide) {
        double fit = (double) FIT / coreSide;
        int w = Clamp.between((int) Math.round(digit.width() * fit), 1, ImagePreprocessor.SIDE);
        int h = Clamp.between((int) Math.round(digit.height() * fit), 1, ImagePreprocessor.SIDE);
        return new Plane(resize(digit.values(), digit.width(), digit.height(), w, h), w, h);
    }

    /** Separable resize: per axis an area average when shrinking, bilinear when enlarging, a copy when equal. */
    static float[] resize(float[] in, int w, int h, int ow, int oh) {
        float[] tmp = new float[h * ow];
        for (int y = 0; y < h; y++) resample(in, y * w, 1, w, tmp, y * ow, 1, ow);
        float[] out = new float[oh * ow];
        for (int x = 0; x < ow; x++) resample(tmp, x, ow, h, out, x, ow, oh);
        return out;
    }

    /** One line of {@code n} values to {@code m} values. */
    static void resample(float[] src, int so, int ss, int n, float[] dst, int d0, int ds, int m) {
        if (n == m) {
            for (int i = 0; i < n; i++) dst[d0 + i * ds] = src[so + i * ss];
        } else if (n > m) {
            double scale = (double) n / m;
            for (int j = 0; j < m; j++) {
                double a = j * scale, b = Math.min(n, (j + 1) * scale);
                double sum = 0;
                for (int i = (int) a; i < b; i++) {
                    double overlap = Math.min(b, i + 1) - Math.max(a, i);
                    sum += overlap * src[so + i * ss];
                }
                dst[d0 + j * ds] = (float) (sum / (b - a));
            }
        } else {
            for (int j = 0; j < m; j++) {
                double x = Math.max(0, Math.min(n - 1, (j + 0.5) * n / m - 0.5));
                int i0 = (int) x, i1 = Math.min(i0 + 1, n - 1);
                double t = x - i0;
                dst[d0 + j * ds] = (float) ((1 - t) * src[so + i0 * ss] + t * src[so + i1 * ss]);
            }
        }
    }
}
