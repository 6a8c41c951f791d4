package lanes.trainer;

import java.util.Objects;

/**
 * Labelled examples kept as unsigned bytes (60,000 MNIST images are 47 MB as bytes, four times that as
 * floats); batches are normalised to [0, 1] as they are assembled.
 *
 * <p>The arrays are not copied, and must not be modified while a {@link Trainer} uses them. The trainer
 * checks every label against the network's classes when it first gets a {@code Samples} (once, not on
 * every step: it is a scan of all the labels); a label changed afterwards to a class the network does not
 * have fails its step, before any weight moves, with the kernels' message, which names its row in the
 * batch rather than in the data; one changed to another valid class is simply trained on.
 *
 * @param pixels   count × features unsigned bytes, one example per row
 * @param labels   count class indices, unsigned bytes
 * @param count    number of examples
 * @param features values per example (784 for 28×28 images)
 */
public record Samples(byte[] pixels, byte[] labels, int count, int features) {

    public Samples {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || features < 1) throw new IllegalArgumentException("bad shape " + count + "x" + features);
        if (pixels.length != (long) count * features) throw new IllegalArgumentException(
                "pixels has " + pixels.length + " bytes, expected " + count + "x" + features);
        if (labels.length != count) throw new IllegalArgumentException(
                "labels has " + labels.length + " entries, expected " + count);
    }

    /** The first n examples (for quick runs and tests). */
    public Samples head(int n) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        if (n >= count) return this;
        return new Samples(java.util.Arrays.copyOf(pixels, n * features), java.util.Arrays.copyOf(labels, n), n, features);
    }

    /** Largest label + 1. */
    public int classes() {
        int max = -1;
        for (byte b : labels) max = Math.max(max, b & 0xFF);
        return max + 1;
    }
}
