package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import lanes.trainer.IdxFormatException;
import lanes.trainer.IdxImages;
import lanes.trainer.IdxReader;

/**
 * The IDX reader, through the same public calls training uses ({@code Dataset.load} reads each file with
 * {@link IdxReader#readImages} and {@link IdxReader#readLabels}), on a real file. Every input is read
 * both as an images file and as a labels file.
 *
 * <p>Allowed outcome: {@link IdxFormatException}, or a result that matches the bytes: the header fields
 * and the data are exactly what an independent decode finds (the JDK's gzip for compressed input).
 */
class IdxFuzzTest {

    /**
     * Per input. The reader may allocate what the file can actually hold: at most the input's length for
     * raw data, at most the deflate limit (1032x) of it for gzip, and fuzz inputs stay under 64 KiB; the
     * rest is its fixed 64 KiB buffers.
     */
    static final long MAX_ALLOCATED = 96 * Budget.MIB;

    /** Bytes as they arrive: raw IDX, or gzip when they start with 1f 8b (the reader decides by content). */
    @FuzzTest(maxDuration = "10m")
    void raw(byte[] data) throws Exception {
        read(data);
    }

    /** The same bytes gzip-compressed, so the mutations reach the IDX parser behind the decompressor. */
    @FuzzTest(maxDuration = "10m")
    void gzipped(byte[] data) throws Exception {
        read(gzip(data));
    }

    private static void read(byte[] file) throws Exception {
        Path path = TempFiles.write("input.idx", file);
        IdxImages images = readWithinBudget("readImages", path, () -> IdxReader.readImages(path));
        if (images != null) {
            byte[] plain = decode(file);
            assertEquals(3, plain[3], "dimensions");
            assertEquals(int32(plain, 4), images.count());
            assertEquals(int32(plain, 8), images.rows());
            assertEquals(int32(plain, 12), images.cols());
            assertArrayEquals(Arrays.copyOfRange(plain, 16, plain.length), images.pixels());
        }
        byte[] labels = readWithinBudget("readLabels", path, () -> IdxReader.readLabels(path));
        if (labels != null) {
            byte[] plain = decode(file);
            assertEquals(1, plain[3], "dimensions");
            assertEquals(int32(plain, 4), labels.length);
            assertArrayEquals(Arrays.copyOfRange(plain, 8, plain.length), labels);
        }
    }

    /**
     * What the reader makes of {@code path}, or null where it rejects the file as it must (naming it). Only
     * the reader is held to the budget: the independent decode that checks its result runs afterwards.
     */
    private static <T> T readWithinBudget(String what, Path path, Budget.Result<T> read) throws Exception {
        try {
            return Budget.within(what, MAX_ALLOCATED, read);
        } catch (IdxFormatException expected) {
            assertNamesFile(expected, path);
            return null;
        }
    }

    private static void assertNamesFile(IdxFormatException e, Path path) {
        assertTrue(e.getMessage().startsWith(path.toString()), e.getMessage());
        assertEquals(path.toString(), e.file());
    }

    /** What the reader should have seen: the bytes themselves, or the JDK's decompression of them. */
    private static byte[] decode(byte[] file) throws IOException {
        if (file.length < 2 || (file[0] & 0xff) != 0x1f || (file[1] & 0xff) != 0x8b) return file;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
