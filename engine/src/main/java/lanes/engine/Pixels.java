package lanes.engine;

import lanes.kernels.KernelsProvider;

/**
 * Unsigned 8-bit pixels to network inputs in [0, 1]: x/255, correctly rounded (the value NumPy's
 * {@code x / 255.0} rounds to). It is {@link lanes.kernels.Kernels#unitBytes}, the kernel the trainer
 * converts its batches with, so training and inference agree bit for bit.
 */
public final class Pixels {
    private Pixels() {}

    /** dst[dOff + i] = (src[sOff + i] &amp; 0xFF) / 255 for i in [0, n). */
    public static void toUnit(byte[] src, int sOff, float[] dst, int dOff, int n) {
        KernelsProvider.get().unitBytes(n, src, sOff, dst, dOff);
    }
}
