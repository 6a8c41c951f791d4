package lanes.preprocess;

/** Stage 7, centre: MNIST's placement by centre of mass in the 28 x 28 field. */
final class Centre {
    /** MNIST centres the centre of mass at this pixel index, on both axes. */
    static final double CENTRE = 14.0;

    private Centre() {}

    /** Places the digit so its centre of mass is at ({@link #CENTRE}, {@link #CENTRE}), peak rescaled to 1. */
    static float[] centre(float[] digit, int w, int h, String name) throws ImageException {
        double mass = 0, sx = 0, sy = 0;
        float peak = 0f;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = digit[y * w + x];
                mass += v;
                sx += v * x;
                sy += v * y;
                peak = Math.max(peak, v);
            }
        }
        if (!(mass > 0)) throw ImageException.noInk(name);
        int ox = Clamp.between((int) Math.round(CENTRE - sx / mass), 0, ImagePreprocessor.SIDE - w);
        int oy = Clamp.between((int) Math.round(CENTRE - sy / mass), 0, ImagePreprocessor.SIDE - h);
        float[] out = new float[ImagePreprocessor.INPUT_SIZE];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) out[(oy + y) * ImagePreprocessor.SIDE + ox + x] = Clamp.unit(digit[y * w + x] / peak);
        }
        return out;
    }
}
