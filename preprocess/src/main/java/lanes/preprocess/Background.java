package lanes.preprocess;

/**
 * Stage 3, background: the paper level is subtracted (following uneven lighting), then the ink is rescaled
 * so its typical level is 1 with the paper's grain below a floor that becomes 0.
 */
final class Background {
    /** Ink must differ from the paper by this much (in [0, 1] luminance) to count. */
    static final float MIN_CONTRAST = 0.08f;

    private Background() {}

    /**
     * Subtracts the paper level (ink is high here), following uneven lighting: a grid of cell means (at most
     * 64 cells a side), a greyscale opening (minimum then maximum filter) with a window of half the image's
     * longer side, which removes anything narrower (the strokes) and keeps broad shading, then bilinear
     * interpolation back to pixels. Negative residuals (paper brighter than its surroundings) become 0.
     */
    static void subtract(float[] ink, int w, int h) {
        int c = Math.max(1, Math.ceilDiv(Math.max(w, h), 64));
        int gw = Math.ceilDiv(w, c), gh = Math.ceilDiv(h, c);
        float[] cells = Cells.sums(ink, w, h, c);
        Cells.means(cells, w, h, c);
        int r = Math.max(1, (int) Math.ceil(0.25 * Math.max(gw, gh)));
        float[] bg = filter(filter(cells, gw, gh, r, false), gw, gh, r, true);

        int[] ix = new int[w];
        float[] fx = new float[w];
        for (int x = 0; x < w; x++) {
            float g = Math.max(0f, Math.min(gw - 1f, (x + 0.5f) / c - 0.5f));
            ix[x] = Math.min((int) g, gw - 2 < 0 ? 0 : gw - 2);
            fx[x] = gw == 1 ? 0f : g - ix[x];
        }
        for (int y = 0; y < h; y++) {
            float g = Math.max(0f, Math.min(gh - 1f, (y + 0.5f) / c - 0.5f));
            int iy = Math.min((int) g, gh - 2 < 0 ? 0 : gh - 2);
            float fy = gh == 1 ? 0f : g - iy;
            int r0 = iy * gw, r1 = gh == 1 ? r0 : r0 + gw;
            for (int x = 0; x < w; x++) {
                int i0 = ix[x], i1 = gw == 1 ? i0 : i0 + 1;
                float top = bg[r0 + i0] + fx[x] * (bg[r0 + i1] - bg[r0 + i0]);
                float bottom = bg[r1 + i0] + fx[x] * (bg[r1 + i1] - bg[r1 + i0]);
                float level = top + fy * (bottom - top);
                int i = y * w + x;
                ink[i] = Math.max(0f, ink[i] - level);
            }
        }
    }

    /** Separable square minimum ({@code max == false}) or maximum filter of radius {@code r}, clipped at the edges. */
    private static float[] filter(float[] in, int w, int h, int r, boolean max) {
        float[] tmp = new float[w * h], out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = in[y * w + x];
                for (int j = Math.max(0, x - r), end = Math.min(w - 1, x + r); j <= end; j++) {
                    m = max ? Math.max(m, in[y * w + j]) : Math.min(m, in[y * w + j]);
                }
                tmp[y * w + x] = m;
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = tmp[y * w + x];
                for (int j = Math.max(0, y - r), end = Math.min(h - 1, y + r); j <= end; j++) {
                    m = max ? Math.max(m, tmp[j * w + x]) : Math.min(m, tmp[j * w + x]);
                }
                out[y * w + x] = m;
            }
        }
        return out;
    }

    /**
     * Rescales the ink so its typical level is 1 and zeroes the noise. On a histogram of the residuals:
     * Otsu's threshold {@code t} splits paper from ink; the ink level {@code hi} is the median above
     * {@code t}; the floor {@code lo} is the paper's median + 4 sigma (the paper being most of the image),
     * kept between {@code t / 2} and {@code t}. Then {@code v -> (v - lo) / (hi - lo)}, clamped to [0, 1].
     * Blank if the ink does not clear the floor by {@code MIN_CONTRAST / 2}.
     */
    static void normalise(float[] ink, String name) throws ImageException {
        float max = 0f;
        for (float v : ink) max = Math.max(max, v);
        if (!(max >= MIN_CONTRAST)) throw ImageException.noInk(name);
        int bins = 1024;
        int[] hist = new int[bins];
        for (float v : ink) hist[Histogram.binOf(v, max, bins)]++;
        int n = ink.length;
        int t = Histogram.otsu(hist, n);
        float binWidth = max / bins;
        float threshold = t * binWidth;
        int above = 0;
        for (int b = t; b < bins; b++) above += hist[b];
        int hiBin = t;
        for (int seen = 0, half = (above + 1) / 2; hiBin < bins; hiBin++) {
            seen += hist[hiBin];
            if (seen >= half) break;
        }
        float hi = (Math.min(hiBin, bins - 1) + 0.5f) * binWidth;
        // Grain: from the upper side only, since residuals below the background were clipped to 0 (the
        // MAD would collapse onto the median). q75 - q50 = 0.6745 sigma for normal noise.
        int q50 = Histogram.quantileBin(hist, n, 0.5), q75 = Histogram.quantileBin(hist, n, 0.75);
        float median = (q50 + 0.5f) * binWidth;
        float sigma = (q75 - q50) * binWidth / 0.6745f;
        // Capped at Otsu's threshold: with over a quarter of the image inked, q75 is ink, not grain.
        float lo = Math.max(0.5f * threshold, Math.min(threshold, median + 4f * sigma));
        if (hi - lo < MIN_CONTRAST / 2) throw ImageException.noInk(name);
        float scale = 1f / (hi - lo);
        for (int i = 0; i < n; i++) ink[i] = Clamp.unit((ink[i] - lo) * scale);
    }
}
