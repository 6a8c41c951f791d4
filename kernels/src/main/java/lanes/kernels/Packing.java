package lanes.kernels;

/** Re-layouts that let one GEMM kernel serve every transposed form. */
final class Packing {
    private Packing() {}

    /**
     * Returns x[rows×cols] (rows ld apart) transposed into a dense [cols×rows] array of the workspace:
     * A·Bᵀ runs on every training step, and a fresh array each time would be garbage.
     */
    static float[] transpose(int rows, int cols, float[] x, int off, int ld, Kernels.Workspace workspace) {
        float[] t = workspace.transposed(rows * cols);
        for (int r = 0; r < rows; r++) {
            int xr = off + r * ld;
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[xr + c];
        }
        return t;
    }
}
