package lanes.preprocess;

import java.util.Arrays;

/**
 * Stage 5, stroke width, both ways, on the crop at the working resolution: strokes thinner than
 * {@link #STROKE_FRACTION} of the digit are thickened (a pen line in a large photo would otherwise shrink
 * to nothing), strokes thicker than {@link #THIN_ABOVE} thinned to {@link #THIN_TO} (a marker's strokes
 * fitted into 20 x 20 come out 4 px and more: a 1 drawn as a solid bar reads as 8).
 *
 * <p>The thinning bounds are MNIST's own spread, measured with {@link #width} on the 200 test digits of
 * the trainer's fixture: median 0.10 of the digit's side (2 of 20 px), 75th percentile 0.12, 95th 0.16.
 * Strokes inside that spread are left alone: the model learned them. Thinning further (to 0.11 or 0.12,
 * or from 0.15 up) cost 1 to 3 points on the marker half of the development set ({@code DevSet}), as
 * erosion takes the same depth off every edge and a marker's strokes vary in width; redrawing the
 * skeleton at a fixed width cost 10.
 */
final class StrokeWidth {
    /** Strokes are thickened to at least this fraction of the digit's longer side (MNIST: 2 of 20 pixels). */
    static final float STROKE_FRACTION = 0.1f;
    /** Strokes wider than this fraction of the digit's longer side (3.4 of 20 px) are thinned ... */
    static final float THIN_ABOVE = 0.17f;
    /** ... to this fraction (2.6 of 20 px). */
    static final float THIN_TO = 0.13f;
    /** Wider than this fraction of the digit's side is a solid shape, not a stroke: it is left alone. */
    static final float SOLID = 0.35f;

    private StrokeWidth() {}

    /**
     * Strokes brought to MNIST's width for a digit whose core's longer side is {@code side}: dilated into a
     * larger plane when thin, eroded in place when thick, unchanged otherwise.
     */
    static Plane normalise(Plane work, int side) {
        double width = width(work.values(), work.width(), work.height(), false);
        if (width < STROKE_FRACTION * side) {
            int r = (int) Math.round((STROKE_FRACTION * side - width) / 2);
            if (r > 0) return new Plane(dilate(work.values(), work.width(), work.height(), r),
                    work.width() + 2 * r, work.height() + 2 * r);
        }
        width = width(work.values(), work.width(), work.height(), true);
        if (width > THIN_ABOVE * side && width < SOLID * side) {
            // Erosion by r takes r off the digit's side as well as off each stroke edge; solving
            // (width - 2r) = THIN_TO * (side - 2r) for r brings the fitted width to THIN_TO.
            int r = (int) Math.round((width - THIN_TO * side) / (2 * (1 - THIN_TO)));
            r = Math.min(r, (int) ((width - 1) / 2)); // never through a stroke
            if (r > 0) return new Plane(erode(work.values(), work.width(), work.height(), r), work.width(), work.height());
        }
        return work;
    }

    /**
     * The mean stroke width in pixels: the width W of the rectangle with the same ink A and perimeter P,
     * {@code W = (P/2 - sqrt((P/2)^2 - 4A)) / 2} (A = LW and P/2 = L + W; about A / (P/2) for a long
     * stroke, and right for a short, thick one, such as a 1 drawn as a solid bar, where A / (P/2) is
     * not), the perimeter being the edges between pixels above and below half the peak.
     *
     * <p>The ink is either the sum of values relative to the peak ({@code core == false}: a pen line shrunk
     * from a large photo is faint as well as thin, and {@link Centre} rescales the peak to 1), or the
     * pixels at or above half the peak ({@code core}: a blurred stroke's edge is where it crosses half the
     * peak, and its dimmed peak would count the halo as width). Thin strokes are judged on the first, thick
     * ones on the second. 0 for an empty image.
     */
    static double width(float[] work, int w, int h, boolean core) {
        float peak = 0f;
        double ink = 0;
        for (float v : work) {
            peak = Math.max(peak, v);
            ink += v;
        }
        if (peak <= 0) return 0;
        float half = peak / 2;
        long edges = 0, above = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = work[y * w + x] >= half;
                if (in) above++;
                boolean right = x + 1 < w && work[y * w + x + 1] >= half;
                boolean down = y + 1 < h && work[(y + 1) * w + x] >= half;
                if (in != right) edges++;
                if (in != down) edges++;
                if (in && x == 0) edges++;
                if (in && y == 0) edges++;
            }
        }
        if (edges == 0) return 0;
        double area = core ? above : ink / peak, halfPerimeter = edges / 2.0;
        return (halfPerimeter - Math.sqrt(Math.max(0, halfPerimeter * halfPerimeter - 4 * area))) / 2;
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
            lineFilter(padded, y * pw, 1, pw, r, k, line, g, hh, out, true);
            System.arraycopy(out, 0, padded, y * pw, pw);
        }
        for (int x = 0; x < pw; x++) {
            lineFilter(padded, x, pw, ph, r, k, line, g, hh, out, true);
            for (int y = 0; y < ph; y++) padded[y * pw + x] = out[y];
        }
        return padded;
    }

    /**
     * Greyscale erosion by a square of radius {@code r}, the same size as {@code in}; outside the image is
     * paper (0), so strokes at the border thin too.
     */
    static float[] erode(float[] in, int w, int h, int r) {
        int k = 2 * r + 1, n = Math.max(w, h);
        float[] out = in.clone();
        float[] line = new float[n + 2 * r], g = new float[n + 2 * r], hh = new float[n + 2 * r], tmp = new float[n];
        for (int y = 0; y < h; y++) {
            lineFilter(out, y * w, 1, w, r, k, line, g, hh, tmp, false);
            System.arraycopy(tmp, 0, out, y * w, w);
        }
        for (int x = 0; x < w; x++) {
            lineFilter(out, x, w, h, r, k, line, g, hh, tmp, false);
            for (int y = 0; y < h; y++) out[y * w + x] = tmp[y];
        }
        return out;
    }

    /**
     * {@code out[i] = max(src[i - r .. i + r])} ({@code min} when {@code !max}) over {@code n} values at
     * {@code offset + i * stride}, 0 outside. Van Herk / Gil-Werman.
     */
    private static void lineFilter(float[] src, int offset, int stride, int n, int r, int k,
                                   float[] line, float[] g, float[] h, float[] out, boolean max) {
        int len = n + 2 * r;
        Arrays.fill(line, 0, len, 0f);
        for (int i = 0; i < n; i++) line[r + i] = src[offset + i * stride];
        if (max) {
            for (int i = 0; i < len; i++) g[i] = i % k == 0 ? line[i] : Math.max(g[i - 1], line[i]);
            for (int i = len - 1; i >= 0; i--) h[i] = (i % k == k - 1 || i == len - 1) ? line[i] : Math.max(h[i + 1], line[i]);
            // window [i, i + 2r] of the padded line is centred on original index i
            for (int i = 0; i < n; i++) out[i] = Math.max(h[i], g[i + 2 * r]);
        } else {
            for (int i = 0; i < len; i++) g[i] = i % k == 0 ? line[i] : Math.min(g[i - 1], line[i]);
            for (int i = len - 1; i >= 0; i--) h[i] = (i % k == k - 1 || i == len - 1) ? line[i] : Math.min(h[i + 1], line[i]);
            for (int i = 0; i < n; i++) out[i] = Math.min(h[i], g[i + 2 * r]);
        }
    }
}
