package lanes.preprocess;

import java.util.Arrays;

/**
 * Stage 5, stroke width: on the crop at the working resolution, strokes thinner than
 * {@link #STROKE_FRACTION} of the digit are thickened (a pen line in a large photo would otherwise shrink
 * to nothing).
 */
final class StrokeWidth {
    /** Strokes are thickened to at least this fraction of the digit's longer side (MNIST: 2 of 20 pixels). */
    static final float STROKE_FRACTION = 0.1f;

    private StrokeWidth() {}

    /**
     * How far to dilate so strokes are at least {@link #STROKE_FRACTION} of the longer side: the stroke width
     * is estimated as 2 * ink / perimeter (a stroke of length L and width W has ink L*W and perimeter about
     * 2L), ink being the sum of values relative to the peak and the perimeter the edges between pixels above
     * and below half the peak. Relative to the peak because a pen line shrunk from a large photo is faint as
     * well as thin, and {@link Centre} rescales the peak to 1. Returns the radius, 0 if thick enough.
     */
    static int thickening(float[] work, int w, int h) {
        float peak = 0f;
        double ink = 0;
        for (float v : work) {
            peak = Math.max(peak, v);
            ink += v;
        }
        if (peak <= 0) return 0;
        float half = peak / 2;
        long edges = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = work[y * w + x] >= half;
                boolean right = x + 1 < w && work[y * w + x + 1] >= half;
                boolean down = y + 1 < h && work[(y + 1) * w + x] >= half;
                if (in != right) edges++;
                if (in != down) edges++;
                if (in && x == 0) edges++;
                if (in && y == 0) edges++;
            }
        }
        if (edges == 0) return 0;
        double width = 2 * ink / (edges * (double) peak);
        double target = STROKE_FRACTION * Math.max(w, h);
        return width < target ? (int) Math.round((target - width) / 2) : 0;
    }

    /**
     * Greyscale dilation by a square of radius {@code r} into an image padded by {@code r} on every side.
     * Van Herk / Gil-Werman: three comparisons per pixel and pass whatever the radius.
     */
    static float[] dilate(float[] in, int w, int h, int r) {
        int pw = w + 2 * r, ph = h + 2 * r, k = 2 * r + 1;
        float[] padded = new float[pw * ph];
        for (int y = 0; y < h; y++) System.arraycopy(in, y * w, padded, (y + r) * pw + r, w);
        int n = Math.max(pw, ph);
        float[] line = new float[n + 2 * r], g = new float[n + 2 * r], hh = new float[n + 2 * r], out = new float[n];
        for (int y = 0; y < ph; y++) {
            maxFilter(padded, y * pw, 1, pw, r, k, line, g, hh, out);
            System.arraycopy(out, 0, padded, y * pw, pw);
        }
        for (int x = 0; x < pw; x++) {
            maxFilter(padded, x, pw, ph, r, k, line, g, hh, out);
            for (int y = 0; y < ph; y++) padded[y * pw + x] = out[y];
        }
        return padded;
    }

    /** {@code out[i] = max(src[i - r .. i + r])} over {@code n} values at {@code offset + i * stride}, 0 outside. */
    private static void maxFilter(float[] src, int offset, int stride, int n, int r, int k,
                                  float[] line, float[] g, float[] h, float[] out) {
        int len = n + 2 * r;
        Arrays.fill(line, 0, len, 0f);
        for (int i = 0; i < n; i++) line[r + i] = src[offset + i * stride];
        for (int i = 0; i < len; i++) g[i] = i % k == 0 ? line[i] : Math.max(g[i - 1], line[i]);
        for (int i = len - 1; i >= 0; i--) h[i] = (i % k == k - 1 || i == len - 1) ? line[i] : Math.max(h[i + 1], line[i]);
        // window [i, i + 2r] of the padded line is centred on original index i
        for (int i = 0; i < n; i++) out[i] = Math.max(h[i], g[i + 2 * r]);
    }
}
