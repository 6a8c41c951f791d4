package lanes.kernels;

/** Re-layouts that let one GEMM kernel serve every transposed form. */
final class Packing {
    private Packing() {}

    // Per-thread scratch: A·Bᵀ runs on every training step, and a fresh array each time would be garbage.
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** Returns x[rows×cols] (rows ld apart) transposed into a dense [cols×rows] per-thread scratch array. */
    static float[] transpose(int rows, int cols, float[] x, int off, int ld) {
        int size = rows * cols;
        float[] t = SCRATCH.get();
        if (t.length < size) { t = new float[size]; SCRATCH.set(t); }
        for (int r = 0; r < rows; r++) {
            int xr = off + r * ld;
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[xr + c];
        }
        return t;
    }
}
