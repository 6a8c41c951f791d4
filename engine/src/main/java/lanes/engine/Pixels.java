package lanes.engine;

/**
 * Unsigned 8-bit pixels to network inputs in [0, 1]. Training and inference must agree on this bit
 * for bit, so both use this one table: x/255 computed in double (as NumPy does) and rounded once.
 */
public final class Pixels {
    private Pixels() {}

    private static final float[] UNIT = new float[256];
    static {
        for (int i = 0; i < 256; i++) UNIT[i] = (float) (i / 255.0);
    }

    /** The input value of one pixel byte (read as unsigned). */
    public static float unit(byte pixel) {
        return UNIT[pixel & 0xFF];
    }

    /** dst[dOff + i] = unit(src[sOff + i]) for i in [0, n). */
    public static void toUnit(byte[] src, int sOff, float[] dst, int dOff, int n) {
        for (int i = 0; i < n; i++) dst[dOff + i] = UNIT[src[sOff + i] & 0xFF];
    }
}
