package lanes.trainer;

import java.util.Arrays;
import java.util.Objects;

/**
 * Grey-scale images as read from an IDX file: {@code count} images of {@code rows x cols} unsigned bytes,
 * row-major, one after another. Pixels stay bytes in memory (a quarter of the float size); read one as
 * {@code pixels[i] & 0xff}.
 *
 * <p>Equality compares the pixel contents, not the array identity.
 */
public record IdxImages(byte[] pixels, int count, int rows, int cols) {

    public IdxImages {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        if (rows <= 0 || rows > IdxReader.MAX_SIDE || cols <= 0 || cols > IdxReader.MAX_SIDE) {
            throw new IllegalArgumentException("image size must be 1.." + IdxReader.MAX_SIDE + " on each side, got "
                    + rows + "x" + cols);
        }
        if (pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException(count + " images of " + rows + "x" + cols + " need "
                    + (long) count * rows * cols + " pixels, got " + pixels.length);
        }
    }

    /** Pixels per image, {@code rows * cols}. */
    public int imageSize() {
        return rows * cols;
    }

    /** One pixel, 0..255. */
    public int pixel(int image, int row, int col) {
        Objects.checkIndex(image, count);
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, cols);
        return pixels[(image * rows + row) * cols + col] & 0xff;
    }

    /** A copy of images {@code from} (inclusive) to {@code to} (exclusive). */
    public IdxImages slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        int n = imageSize();
        return new IdxImages(Arrays.copyOfRange(pixels, from * n, to * n), to - from, rows, cols);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxImages other && count == other.count && rows == other.rows && cols == other.cols
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, rows, cols, Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " x " + rows + "x" + cols + "]";
    }
}
