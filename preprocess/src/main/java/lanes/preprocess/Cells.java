package lanes.preprocess;

/** A coarse grid over an image: sums and means of {@code c x c} cells, the right and bottom ones partial. */
final class Cells {
    private Cells() {}

    /**
     * Sums of {@code in} ({@code w x h}) over cells of {@code c x c} pixels, the cells at the right and bottom
     * edges partial: {@code ceil(w/c) * ceil(h/c)} values, row-major.
     */
    static float[] sums(float[] in, int w, int h, int c) {
        float[] cells = new float[Math.ceilDiv(w, c) * Math.ceilDiv(h, c)];
        for (int y = 0; y < h; y++) addToCells(in, y * w, y, w, c, cells);
        return cells;
    }

    /** Adds image row {@code y} ({@code w} values at {@code row[from...]}) to the cells it falls in. */
    static void addToCells(float[] row, int from, int y, int w, int c, float[] cells) {
        int o = (y / c) * Math.ceilDiv(w, c);
        for (int x = 0; x < w; x++) cells[o + x / c] += row[from + x];
    }

    /** Turns the {@link #sums} of a {@code w x h} image into means, each over the pixels its cell holds. */
    static void means(float[] cells, int w, int h, int c) {
        int gw = Math.ceilDiv(w, c), gh = Math.ceilDiv(h, c);
        for (int cy = 0; cy < gh; cy++) {
            int rows = Math.min(c, h - cy * c);
            for (int cx = 0; cx < gw; cx++) cells[cy * gw + cx] /= rows * Math.min(c, w - cx * c);
        }
    }
}
