package lanes.preprocess;

import java.util.ArrayList;
import java.util.List;

/** Stage 3b, specks: small isolated blobs of ink (dust, JPEG blocks, pen slips) are erased. */
final class Specks {
    /** Blobs with less ink than this fraction of the largest blob are specks. */
    static final float SPECK_FRACTION = 0.05f;

    private Specks() {}

    /**
     * Erases specks: on a grid of at most 256 cells a side (a cell is inked if any pixel in it is), finds
     * 8-connected blobs and zeroes every blob with less ink than {@link #SPECK_FRACTION} of the largest.
     */
    static void remove(float[] ink, int w, int h) {
        int f = Math.max(1, Math.ceilDiv(Math.max(w, h), 256));
        int gw = Math.ceilDiv(w, f), gh = Math.ceilDiv(h, f);
        float[] mass = Cells.sums(ink, w, h, f);
        int[] label = new int[gw * gh];
        int[] queue = new int[gw * gh];
        List<Double> blobs = new ArrayList<>();
        for (int start = 0; start < mass.length; start++) {
            if (mass[start] <= 0 || label[start] != 0) continue;
            int id = blobs.size() + 1;
            double total = 0;
            int head = 0, tail = 0;
            queue[tail++] = start;
            label[start] = id;
            while (head < tail) {
                int cell = queue[head++];
                total += mass[cell];
                int cx = cell % gw, cy = cell / gw;
                for (int ny = Math.max(0, cy - 1); ny <= Math.min(gh - 1, cy + 1); ny++) {
                    for (int nx = Math.max(0, cx - 1); nx <= Math.min(gw - 1, cx + 1); nx++) {
                        int nb = ny * gw + nx;
                        if (mass[nb] > 0 && label[nb] == 0) {
                            label[nb] = id;
                            queue[tail++] = nb;
                        }
                    }
                }
            }
            blobs.add(total);
        }
        if (blobs.size() < 2) return;
        double largest = 0;
        for (double m : blobs) largest = Math.max(largest, m);
        boolean[] speck = new boolean[blobs.size() + 1];
        boolean any = false;
        for (int b = 0; b < blobs.size(); b++) {
            speck[b + 1] = blobs.get(b) < SPECK_FRACTION * largest;
            any |= speck[b + 1];
        }
        if (!any) return;
        for (int y = 0; y < h; y++) {
            int o = (y / f) * gw;
            for (int x = 0; x < w; x++) {
                if (speck[label[o + x / f]]) ink[y * w + x] = 0f;
            }
        }
    }
}
