package lanes.trainer;

import lanes.engine.BadInputException;

/**
 * An IDX file (or a pair of them) is not what Lanes can read: bad magic, an unsupported element type, a
 * header that does not match the data, a truncated or over-long file, a corrupt gzip stream, labels that
 * do not fit the images. The message always names the file, what was expected, what was found and, where
 * one applies, the byte offset. Like every input Lanes cannot use, it is a {@link BadInputException}: the
 * file is its {@link #source()}, and the rest of the message its {@link #problem()}.
 */
public final class IdxFormatException extends BadInputException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    /**
     * A problem at one place in one file.
     *
     * @param file         the file, as the user named it
     * @param offset       where the problem is, in bytes from the start of the file or, for a gzip file when
     *                     {@code decompressed} is set, from the start of the decompressed data
     * @param decompressed whether {@code offset} counts decompressed bytes
     * @param expected     what should have been there
     * @param found        what was there instead
     */
    public IdxFormatException(String file, long offset, boolean decompressed, String expected, String found) {
        super(file, "at byte " + offset + (decompressed ? " of the decompressed data" : "")
                + ": expected " + expected + ", found " + found, null);
        this.offset = offset;
    }

    /**
     * A problem that spans files (images against labels); the message must name every file involved. It
     * is shown as it is; the problem is the message without a leading {@code "file: "}.
     */
    public IdxFormatException(String file, String message) {
        super(file, message.startsWith(file + ": ") ? message.substring(file.length() + 2) : message, message, null);
        this.offset = -1;
    }

    /** The file the problem is in (for a problem between two files, the one the check read last). */
    public String file() {
        return source();
    }

    /** The byte offset of the problem, or -1 when it is not at one place. */
    public long offset() {
        return offset;
    }
}
