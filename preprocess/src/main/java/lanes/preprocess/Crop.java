package lanes.preprocess;

/**
 * Stage 4, crop: first to every pixel of ink, then, at the working resolution, to the strokes' core.
 *
 * <p>Why the core: a soft or blurred stroke has a faint halo, and fitting the halo into MNIST's 20 x 20 box
 * leaves the digit's core about a pixel smaller than MNIST's (a 9 with a small loop then reads as 4).
 * The core is the ink above {@link #CORE_FRACTION} of the peak: on a blurred edge, where the sharp stroke's
 * edge was. The halo stays in the image, up to {@link #HALO_FRACTION} of the core's side beyond it.
 */
final class Crop {
    /** Ink at or above this fraction of the peak is the strokes' core. */
    static final float CORE_FRACTION = 0.5f;
    /** The halo kept around the core, as a fraction of the core's longer side (3 of 20 pixels). */
    static final float HALO_FRACTION = 0.15f;

    /** A rectangle of pixels, corners inclusive. */
    record Box(int x0, int y0, int x1, int y1) {
        int width() { return x1 - x0 + 1; }
        int height() { return y1 - y0 + 1; }
        int side() { return Math.max(width(), height()); }
    }

    private Crop() {}

    /** The bounding box of the ink at or above {@link #CORE_FRACTION} of the peak ({@code p} has ink). */
    static Box core(Plane p) {
        float[] v = p.values();
        int w = p.width(), h = p.height();
        float peak = 0f;
        for (float x : v) peak = Math.max(peak, x);
        float t = CORE_FRACTION * peak;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (v[y * w + x] >= t && v[y * w + x] > 0) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
            }
        }
        return x1 < 0 ? new Box(0, 0, w - 1, h - 1) : new Box(x0, y0, x1, y1);
    }

    /** {@code core} and up to {@link #HALO_FRACTION} of its side around it, within {@code p}. */
    static Plane withHalo(Plane p, Box core) {
        int m = (int) Math.round(HALO_FRACTION * core.side());
        int x0 = Math.max(0, core.x0() - m), y0 = Math.max(0, core.y0() - m);
        int x1 = Math.min(p.width() - 1, core.x1() + m), y1 = Math.min(p.height() - 1, core.y1() + m);
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        float[] out = new float[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(p.values(), (y0 + y) * p.width() + x0, out, y * cw, cw);
        return new Plane(out, cw, ch);
    }

    /** The smallest rectangle holding every pixel above 0; blank if there is none. */
    static Plane toInk(float[] ink, int w, int h, String name) throws ImageException {
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] > 0) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
            }
        }
        if (x1 < 0) throw ImageException.noInk(name);
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        float[] crop = new float[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(ink, (y0 + y) * w + x0, crop, y * cw, cw);
        return new Plane(crop, cw, ch);
    }
}
