package lanes.engine;

/**
 * Zero (convolution) or ignored (pooling) cells around an image, per side.
 *
 * @param top    rows before the first, {@code >= 0}
 * @param left   columns before the first, {@code >= 0}
 * @param bottom rows after the last, {@code >= 0}
 * @param right  columns after the last, {@code >= 0}
 */
public record Padding(int top, int left, int bottom, int right) {

    /** No padding (Keras "valid"). */
    public static final Padding VALID = new Padding(0, 0, 0, 0);

    /** The most padding per side the engine accepts (the weight file stores it as u16). */
    public static final int MAX = 0xFFFF;

    /** @throws IllegalArgumentException if a side is negative or above {@link #MAX} */
    public Padding {
        if (top < 0 || left < 0 || bottom < 0 || right < 0 || top > MAX || left > MAX || bottom > MAX || right > MAX)
            throw new IllegalArgumentException("padding must be in 0.." + MAX + " on each side, got top " + top
                    + ", left " + left + ", bottom " + bottom + ", right " + right);
    }

    /**
     * TF/Keras "same" (= ONNX SAME_UPPER): per axis total = max((ceil(in/s)−1)·s + k − in, 0),
     * top/left = total/2, bottom/right = the rest, so the output has ceil(in/s) cells.
     */
    public static Padding same(int inH, int inW, int kH, int kW, int strideH, int strideW) {
        if (inH < 1 || inW < 1 || kH < 1 || kW < 1 || strideH < 1 || strideW < 1) throw new IllegalArgumentException(
                "same padding needs positive sizes, got input " + inH + "×" + inW + ", kernel " + kH + "×" + kW
                        + ", stride " + strideH + "×" + strideW);
        int totalH = total(inH, kH, strideH), totalW = total(inW, kW, strideW);
        return new Padding(totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2);
    }

    private static int total(int in, int k, int s) {
        long out = (in + (long) s - 1) / s;
        return (int) Math.max((out - 1) * s + k - in, 0);
    }
}
