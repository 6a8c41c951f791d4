package lanes.engine;

/** Output sizes of windowed layers (convolution, pooling), with errors that name what does not fit. */
final class Geometry {
    private Geometry() {}

    /**
     * out = floor((in + before + after − k) / stride) + 1.
     *
     * @throws IllegalArgumentException if the window does not fit in the padded input once
     */
    static int outputSize(String layer, String axis, int in, int before, int after, int k, int stride) {
        long padded = (long) in + before + after;
        if (padded < k) throw new IllegalArgumentException(layer + ": a " + axis + " window of " + k
                + " does not fit an input of " + in + (before + after > 0 ? " padded to " + padded : ""));
        return (int) ((padded - k) / stride + 1);
    }

    static void positive(String what, int value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }

    static void notNull(String what, Object value) {
        if (value == null) throw new IllegalArgumentException(what + " is null");
    }
}
