package lanes.preprocess;

/** Stage 4, crop: the bounding box of the ink. */
final class Crop {
    private Crop() {}

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
