package lanes.trainer;

import java.io.IOException;

/**
 * An IDX file (or a pair of them) is not what Lanes can read: bad magic, an unsupported element type, a
 * header that does not match the data, a truncated or over-long file, a corrupt gzip stream, labels that
 * do not fit the images. The message always names the file, what was expected, what was found and, where
 * one applies, the byte offset.
 */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
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
        super(file + ": at byte " + offset + (decompressed ? " of the decompressed data" : "")
                + ": expected " + expected + ", found " + found);
        this.file = file;
        this.offset = offset;
    }

    /** A problem that spans files (images against labels); the message must name every file involved. */
    public IdxFormatException(String file, String message) {
        super(message);
        this.file = file;
        this.offset = -1;
    }

    /** The file the problem is in (for a problem between two files, the one the check read last). */
    public String file() {
        return file;
    }

    /** The byte offset of the problem, or -1 when it is not at one place. */
    public long offset() {
        return offset;
    }
}
