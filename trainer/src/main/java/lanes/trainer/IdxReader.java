package lanes.trainer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads IDX files of unsigned bytes (the MNIST format): images ({@code 00 00 08 03}, count x rows x cols)
 * and labels ({@code 00 00 08 01}, count). A file may be raw or gzip; which one is decided by its first two
 * bytes ({@code 1f 8b}), never by its name.
 *
 * <p>Everything in the header is checked before the data is read, and the file must end exactly where the
 * header says: a truncated file, trailing bytes, or a header that declares more data than the file can
 * hold is an {@link IdxFormatException}, never a short read or a huge allocation. For a raw file the
 * declared size is compared with the file length up front; for gzip the declared size is first bounded by
 * the largest expansion deflate allows, then the buffer only grows as data actually arrives.
 */
public final class IdxReader {

    /** The largest image side accepted, in pixels. */
    public static final int MAX_SIDE = 4096;

    /** Deflate never expands a stream by more than this factor (RFC 1951 limit); bounds what gzip can declare. */
    static final long MAX_DEFLATE_RATIO = 1032;

    /** The largest byte[] a JVM reliably allocates. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    static final int TYPE_UBYTE = 0x08;
    static final int IMAGES_DIMS = 3;
    static final int LABELS_DIMS = 1;

    private static final String[] IMAGE_DIM_NAMES = {"image count", "rows", "columns"};
    private static final String[] LABEL_DIM_NAMES = {"label count"};

    private IdxReader() {}

    /** Reads an IDX images file: unsigned bytes, three dimensions (count, rows, cols). */
    public static IdxImages readImages(Path file) throws IOException {
        Parsed p = read(file, IMAGES_DIMS);
        return new IdxImages(p.data, p.dims[0], p.dims[1], p.dims[2]);
    }

    /** Reads an IDX labels file: unsigned bytes, one dimension (count). Each label is {@code b & 0xff}. */
    public static byte[] readLabels(Path file) throws IOException {
        return read(file, LABELS_DIMS).data;
    }

    private record Parsed(int[] dims, byte[] data) {}

    private static Parsed read(Path file, int expectDims) throws IOException {
        String name = file.toString();
        // Opening a directory succeeds and only its first read fails, with an "Is a directory" that names no path.
        if (Files.isDirectory(file)) throw new NoSuchFileException(name, null, "is a directory, expected an IDX file");
        long fileLength = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new StrictGzipInputStream(raw, name) : raw) {
                return parse(in, name, gzip, fileLength, expectDims);
            }
        }
    }

    private static Parsed parse(InputStream in, String file, boolean gzip, long fileLength, int expectDims)
            throws IOException {
        Cursor c = new Cursor(in, file, gzip);
        byte[] magic = c.field(4, "the 4-byte IDX magic (00 00 08 0" + expectDims + ")");
        if (magic[0] != 0 || magic[1] != 0) {
            throw c.error(0, "IDX magic starting 00 00",
                    String.format("%02x %02x %02x %02x: not an IDX file", magic[0], magic[1], magic[2], magic[3]));
        }
        int type = magic[2] & 0xff;
        if (type != TYPE_UBYTE) {
            String what = typeName(type);
            throw c.error(2, "IDX element type 0x08 (unsigned byte)", what == null
                    ? String.format("0x%02x, which is not an IDX element type", type)
                    : String.format("unsupported IDX element type 0x%02x (%s); Lanes reads unsigned bytes only", type, what));
        }
        int dims = magic[3] & 0xff;
        if (dims != expectDims) {
            String hint = dims == IMAGES_DIMS ? " (an images file?)" : dims == LABELS_DIMS ? " (a labels file?)" : "";
            throw c.error(3, expectDims + (expectDims == 1 ? " dimension (labels)" : " dimensions (images)"),
                    dims + (dims == 1 ? " dimension" : " dimensions") + hint);
        }
        String[] names = expectDims == IMAGES_DIMS ? IMAGE_DIM_NAMES : LABEL_DIM_NAMES;
        int[] size = new int[dims];
        long total = 1;
        for (int d = 0; d < dims; d++) {
            long at = c.pos;
            byte[] b = c.field(4, "the 4-byte " + names[d] + " (dimension " + d + ")");
            int v = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
            if (v <= 0) throw c.error(at, "a positive " + names[d], Integer.toUnsignedString(v));
            if (d > 0 && v > MAX_SIDE) throw c.error(at, names[d] + " of at most " + MAX_SIDE, Integer.toString(v));
            size[d] = v;
            total *= v;
        }
        long header = c.pos;
        String declared = dims == IMAGES_DIMS
                ? size[0] + " images of " + size[1] + "x" + size[2] + " = " + total + " data bytes"
                : size[0] + " labels = " + total + " data bytes";
        if (total > MAX_ARRAY) {
            throw c.error(4, "at most " + MAX_ARRAY + " data bytes (one Java array)", declared);
        }
        if (!gzip) {
            long expected = header + total;
            if (fileLength < expected) {
                throw c.error(fileLength, "a " + expected + "-byte file (" + header + "-byte header + " + declared + ")",
                        "the end of the file after " + fileLength + " bytes: the file is truncated or its header is wrong");
            }
            if (fileLength > expected) {
                throw c.error(expected, "the end of the file (" + header + "-byte header + " + declared + ")",
                        (fileLength - expected) + " trailing bytes");
            }
        } else if (total > fileLength * MAX_DEFLATE_RATIO) {
            throw c.error(4, "at most " + fileLength * MAX_DEFLATE_RATIO + " data bytes (a " + fileLength
                    + "-byte gzip file cannot expand further)", declared + ": the header lies or the file is truncated");
        }
        byte[] data = c.data((int) total, declared);
        if (in.read() != -1) {
            throw c.error(c.pos, "the end of the " + (gzip ? "decompressed data" : "file") + " (" + declared + ")",
                    "more bytes after the data");
        }
        return new Parsed(size, data);
    }

    /** The name of an IDX element type Lanes does not read, or null if the code is not an IDX type. */
    static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit short";
            case 0x0C -> "32-bit int";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit double";
            default -> null;
        };
    }

    /** Reads fields in order, tracking the offset so every error can say where it is. */
    private static final class Cursor {
        final InputStream in;
        final String file;
        final boolean gzip;
        long pos;

        Cursor(InputStream in, String file, boolean gzip) {
            this.in = in;
            this.file = file;
            this.gzip = gzip;
        }

        byte[] field(int n, String what) throws IOException {
            byte[] b = new byte[n];
            int got = in.readNBytes(b, 0, n);
            if (got < n) {
                throw error(pos, what, got == 0 && pos == 0 ? (gzip ? "no decompressed data at all" : "an empty file")
                        : "the end of the " + (gzip ? "decompressed data" : "file") + " after " + got + " of its "
                        + n + " bytes: the file is truncated");
            }
            pos += n;
            return b;
        }

        /** The data block, grown as bytes arrive so a lying header cannot make us allocate what is not there. */
        byte[] data(int total, String declared) throws IOException {
            byte[] buf = new byte[Math.min(total, 1 << 20)];
            int filled = 0;
            while (filled < total) {
                if (filled == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
                }
                int n = in.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    throw error(pos + filled, declared,
                            "the end of the " + (gzip ? "decompressed data" : "file") + " after " + filled
                                    + " data bytes: the file is truncated");
                }
                filled += n;
            }
            pos += filled;
            return buf;
        }

        IdxFormatException error(long offset, String expected, String found) {
            return new IdxFormatException(file, offset, gzip, expected, found);
        }
    }
}
