package lanes.engine;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where a set of weights came from. Informational only: nothing in inference depends on it.
 *
 * @param dataset            the training data set's name; may be empty, at most
 *                           {@value #MAX_DATASET_BYTES} bytes of UTF-8
 * @param epochs             the number of epochs trained, {@code >= 0}
 * @param validationAccuracy the final validation accuracy as a fraction in [0, 1], or NaN when unknown
 * @param created            when the weights were saved; truncated to whole milliseconds (the precision
 *                           the file keeps), so a written and re-read value is equal to the original
 */
public record Metadata(String dataset, int epochs, double validationAccuracy, Instant created) {

    /** The longest data set name the weight file stores, in UTF-8 bytes. */
    public static final int MAX_DATASET_BYTES = 1024;

    /** @throws IllegalArgumentException if a field is out of range */
    public Metadata {
        if (dataset == null) throw new IllegalArgumentException("dataset is null (use \"\" when unknown)");
        int bytes = utf8Length(dataset);
        if (bytes > MAX_DATASET_BYTES) throw new IllegalArgumentException(
                "dataset name is " + bytes + " bytes of UTF-8, at most " + MAX_DATASET_BYTES + " are allowed");
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        if (!Double.isNaN(validationAccuracy) && !(validationAccuracy >= 0 && validationAccuracy <= 1))
            throw new IllegalArgumentException(
                    "validationAccuracy must be a fraction in [0, 1] or NaN, got " + validationAccuracy);
        if (created == null) throw new IllegalArgumentException("created is null");
        created = created.truncatedTo(ChronoUnit.MILLIS);
        try {
            created.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("created is outside the range of epoch milliseconds: " + created);
        }
    }

    /** No known provenance: empty data set name, 0 epochs, unknown accuracy, created at the epoch. */
    public static Metadata unknown() {
        return new Metadata("", 0, Double.NaN, Instant.EPOCH);
    }

    /** The dataset name as UTF-8 (never lossy: unpaired surrogates are rejected at construction). */
    byte[] datasetUtf8() {
        return dataset.getBytes(StandardCharsets.UTF_8);
    }

    private static int utf8Length(String s) {
        try {
            return StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s)).remaining();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("dataset name is not valid Unicode (unpaired surrogate): " + e);
        }
    }
}
