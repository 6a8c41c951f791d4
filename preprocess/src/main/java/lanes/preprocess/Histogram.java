package lanes.preprocess;

/** Histogram helpers shared by the polarity and noise stages. */
final class Histogram {
    private Histogram() {}

    static int binOf(float v, float max, int bins) {
        int b = (int) (v / max * bins);
        return b < 0 ? 0 : Math.min(bins - 1, b);
    }

    /** The bin holding the {@code q} quantile of {@code n} counted values. */
    static int quantileBin(int[] hist, int n, double q) {
        long target = (long) Math.ceil(q * n);
        long seen = 0;
        for (int b = 0; b < hist.length; b++) {
            seen += hist[b];
            if (seen >= target) return b;
        }
        return hist.length - 1;
    }

    /** Otsu's threshold: the first bin of the upper class that maximises the between-class variance. */
    static int otsu(int[] hist, int n) {
        double total = 0;
        for (int b = 0; b < hist.length; b++) total += (double) b * hist[b];
        double sumLow = 0, best = -1;
        long low = 0;
        int t = 1;
        for (int b = 0; b < hist.length - 1; b++) {
            low += hist[b];
            sumLow += (double) b * hist[b];
            long high = n - low;
            if (low == 0 || high == 0) continue;
            double d = sumLow / low - (total - sumLow) / high;
            double between = (double) low * high * d * d;
            if (between > best) {
                best = between;
                t = b + 1;
            }
        }
        return t;
    }
}
