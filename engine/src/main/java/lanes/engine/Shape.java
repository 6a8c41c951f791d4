package lanes.engine;

/**
 * The shape of one example as the engine lays it out: NHWC without the N, flat row-major with the
 * channel fastest (Keras' own order). A flat vector of n features is {@code Shape(1, 1, n)}.
 *
 * @param height   rows, {@code >= 1}
 * @param width    columns, {@code >= 1}
 * @param channels values per pixel, {@code >= 1}
 */
public record Shape(int height, int width, int channels) {

    /** @throws IllegalArgumentException if a dimension is below 1 or the size exceeds an int */
    public Shape {
        if (height < 1 || width < 1 || channels < 1) throw new IllegalArgumentException(
                "every dimension of a shape must be >= 1, got " + height + "×" + width + "×" + channels);
        if ((long) height * width * channels > Integer.MAX_VALUE) throw new IllegalArgumentException(
                "shape " + height + "×" + width + "×" + channels + " has more than " + Integer.MAX_VALUE + " values");
    }

    /** A flat vector of {@code n} values. */
    public static Shape vector(int n) {
        return new Shape(1, 1, n);
    }

    /** The number of values: height × width × channels. */
    public int size() {
        return height * width * channels;
    }

    /** Whether this is a flat vector (height and width 1). */
    public boolean isVector() {
        return height == 1 && width == 1;
    }

    @Override
    public String toString() {
        return isVector() ? String.valueOf(channels) : height + "×" + width + "×" + channels;
    }
}
