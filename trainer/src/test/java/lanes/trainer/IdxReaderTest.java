package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripsImagesAndLabels(boolean gzip) throws IOException {
        IdxImages images = new IdxImages(IdxBytes.pixels(5 * 3 * 4), 5, 3, 4);
        byte[] labels = {0, 9, 255 - 256, 1, 7};
        Path img = dir.resolve("img"), lab = dir.resolve("lab");
        IdxWriter.writeImages(img, images, gzip);
        IdxWriter.writeLabels(lab, labels, gzip);
        assertEquals(gzip, isGzip(img));

        IdxImages back = IdxReader.readImages(img);
        assertEquals(images, back);
        assertEquals(5, back.count());
        assertEquals(3, back.rows());
        assertEquals(4, back.cols());
        assertEquals(IdxBytes.pixels(60)[2 * 12 + 1 * 4 + 3] & 0xff, back.pixel(2, 1, 3));
        assertArrayEquals(labels, IdxReader.readLabels(lab));
        assertEquals(255, IdxReader.readLabels(lab)[2] & 0xff);
    }

    @Test
    void detectsGzipByContentNotByName() throws IOException {
        byte[] raw = IdxBytes.images(2, 2, 2);
        Path gzipNamedPlain = IdxBytes.write(dir.resolve("images-idx3-ubyte"), IdxBytes.gzip(raw));
        Path rawNamedGz = IdxBytes.write(dir.resolve("images-idx3-ubyte.gz"), raw);
        IdxImages expected = new IdxImages(IdxBytes.pixels(8), 2, 2, 2);
        assertEquals(expected, IdxReader.readImages(gzipNamedPlain));
        assertEquals(expected, IdxReader.readImages(rawNamedGz));
    }

    @Test
    void acceptsConcatenatedGzipMembers() throws IOException {
        byte[] raw = IdxBytes.images(3, 2, 2);
        byte[] a = IdxBytes.gzip(Arrays.copyOfRange(raw, 0, 10));
        byte[] b = IdxBytes.gzip(Arrays.copyOfRange(raw, 10, raw.length));
        Path f = IdxBytes.write(dir.resolve("two-members"), concat(a, b));
        assertEquals(new IdxImages(IdxBytes.pixels(12), 3, 2, 2), IdxReader.readImages(f));
    }

    @Test
    void truncatedAtEveryOffsetFailsWithTheOffset() throws IOException {
        byte[] raw = IdxBytes.images(2, 3, 3); // 16-byte header + 18 data bytes
        for (int cut = 0; cut < raw.length; cut++) {
            byte[] part = Arrays.copyOf(raw, cut);
            for (boolean gzip : new boolean[] {false, true}) {
                Path f = IdxBytes.write(dir.resolve("cut" + cut + gzip), gzip ? IdxBytes.gzip(part) : part);
                IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f),
                        "cut at " + cut + (gzip ? " (gzip)" : ""));
                assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("empty")
                        || e.getMessage().contains("no decompressed data"), e.getMessage());
                assertTrue(e.offset() >= 0 && e.offset() <= cut, "offset " + e.offset() + " for cut " + cut);
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
        byte[] rawLabels = IdxBytes.labels(1, 2, 3);
        for (int cut = 0; cut < rawLabels.length; cut++) {
            Path f = IdxBytes.write(dir.resolve("lcut" + cut), Arrays.copyOf(rawLabels, cut));
            assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(f), "labels cut at " + cut);
        }
    }

    @Test
    void truncatedMidDataNamesSizes() throws IOException {
        byte[] raw = Arrays.copyOf(IdxBytes.images(10, 28, 28), 16 + 5 * 784 + 17);
        Path f = IdxBytes.write(dir.resolve("short"), raw);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertEquals(raw.length, e.offset());
        assertTrue(e.getMessage().contains("10 images of 28x28"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path g = IdxBytes.write(dir.resolve("short.gz"), IdxBytes.gzip(raw));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(g));
        assertEquals(raw.length, e.offset());
        assertTrue(e.getMessage().contains("of the decompressed data"), e.getMessage());
    }

    @Test
    void aBadIdxFileIsBadInputWithTheFileAsItsSource() throws IOException {
        byte[] raw = Arrays.copyOf(IdxBytes.images(10, 28, 28), 16 + 5 * 784 + 17);
        Path f = IdxBytes.write(dir.resolve("short"), raw);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        lanes.engine.BadInputException bad = e; // what tools print as FILE: problem
        assertEquals(f.toString(), bad.source());
        assertTrue(bad.problem().startsWith("at byte " + raw.length + ": expected "), bad.problem());
        assertEquals(bad.source() + ": " + bad.problem(), e.getMessage());
    }

    @Test
    void truncatedCompressedStreamFails() throws IOException {
        byte[] gz = IdxBytes.gzip(IdxBytes.images(4, 28, 28));
        for (int cut : new int[] {1, 2, 5, 10, 11, gz.length / 2, gz.length - 8, gz.length - 1}) {
            Path f = IdxBytes.write(dir.resolve("gzcut" + cut), Arrays.copyOf(gz, cut));
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f), "cut " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("IDX magic"), e.getMessage());
        }
    }

    @Test
    void gzipTruncatedAtEveryCompressedOffsetFails() throws IOException {
        // The cuts above are a sample; here every one, for both file kinds, so no cut can slip through as a
        // short but "valid" member (the trailer's CRC and length must always be checked).
        for (byte[] raw : new byte[][] {IdxBytes.images(2, 3, 3), IdxBytes.labels(1, 2, 3)}) {
            byte[] gz = IdxBytes.gzip(raw);
            for (int cut = 0; cut < gz.length; cut++) {
                Path f = IdxBytes.write(dir.resolve("every-cut" + cut), Arrays.copyOf(gz, cut));
                IdxFormatException e = assertThrows(IdxFormatException.class,
                        () -> { if (raw[3] == 3) IdxReader.readImages(f); else IdxReader.readLabels(f); }, "cut " + cut);
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
    }

    @Test
    void corruptGzipFails() throws IOException {
        byte[] gz = IdxBytes.gzip(IdxBytes.images(4, 28, 28));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 1;
        Path f = IdxBytes.write(dir.resolve("badcrc"), badCrc);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
        assertEquals(gz.length - 8, e.offset());

        byte[] badSize = gz.clone();
        badSize[gz.length - 1] ^= 1;
        Path g = IdxBytes.write(dir.resolve("badsize"), badSize);
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(g));

        byte[] badMethod = gz.clone();
        badMethod[2] = 7;
        Path h = IdxBytes.write(dir.resolve("badmethod"), badMethod);
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(h));
        assertEquals(2, e.offset());
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] raw = IdxBytes.images(2, 2, 2);
        Path f = IdxBytes.write(dir.resolve("trail"), concat(raw, new byte[] {0}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertEquals(raw.length, e.offset());
        assertTrue(e.getMessage().contains("1 trailing bytes"), e.getMessage());

        Path g = IdxBytes.write(dir.resolve("trail-inside-gzip"), IdxBytes.gzip(concat(raw, new byte[] {1, 2})));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(g));
        assertEquals(raw.length, e.offset());

        byte[] gz = IdxBytes.gzip(raw);
        Path h = IdxBytes.write(dir.resolve("trail-after-gzip"), concat(gz, new byte[] {0, 0, 0}));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(h));
        assertEquals(gz.length, e.offset());
        assertTrue(e.getMessage().contains("trailing byte"), e.getMessage());
    }

    @Test
    void badMagicIsRejected() throws IOException {
        Path f = IdxBytes.write(dir.resolve("magic1"), IdxBytes.idx(1, 0, 8, 3, new int[] {1, 1, 1}, new byte[1]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());

        Path g = IdxBytes.write(dir.resolve("magic2"), IdxBytes.idx(0, 0x80, 8, 3, new int[] {1, 1, 1}, new byte[1]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(g));

        Path text = IdxBytes.write(dir.resolve("text"), "hello, world\n".getBytes());
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(text));

        Path labels = IdxBytes.write(dir.resolve("labels"), IdxBytes.labels(1, 2));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(labels));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("a labels file?"), e.getMessage());
        Path images = IdxBytes.write(dir.resolve("images"), IdxBytes.images(1, 2, 2));
        e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(images));
        assertTrue(e.getMessage().contains("an images file?"), e.getMessage());

        Path twoDims = IdxBytes.write(dir.resolve("2d"), IdxBytes.idx(8, new int[] {2, 2}, new byte[4]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(twoDims));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x09, 0x0B, 0x0C, 0x0D, 0x0E})
    void otherElementTypesAreUnsupported(int type) throws IOException {
        Path f = IdxBytes.write(dir.resolve("t" + type), IdxBytes.idx(type, new int[] {1, 2, 2}, new byte[64]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("unsupported IDX element type " + String.format("0x%02x", type)), e.getMessage());
        assertTrue(e.getMessage().contains("expected IDX element type 0x08 (unsigned byte)"), e.getMessage());
    }

    @Test
    void unknownElementTypeIsNamedAsSuch() throws IOException {
        Path f = IdxBytes.write(dir.resolve("t7"), IdxBytes.idx(0x07, new int[] {1, 1, 1}, new byte[1]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("0x07, which is not an IDX element type"), e.getMessage());
    }

    @Test
    void sizesMustBePositiveAndBounded() throws IOException {
        int[][] bad = {{0, 2, 2}, {-1, 2, 2}, {1, 0, 2}, {1, 2, 0}, {1, 4097, 1}, {1, 1, 5000}};
        for (int[] sizes : bad) {
            Path f = IdxBytes.write(dir.resolve("sizes" + Arrays.toString(sizes)), IdxBytes.idx(8, sizes, new byte[16]));
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f),
                    Arrays.toString(sizes));
            assertTrue(e.offset() >= 4 && e.offset() <= 12, e.getMessage());
        }
        Path zeroLabels = IdxBytes.write(dir.resolve("zero-labels"), IdxBytes.idx(8, new int[] {0}, new byte[0]));
        assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(zeroLabels));
    }

    @Test
    void lyingCountFailsFastWithoutAllocating() throws IOException {
        byte[] data = new byte[100 - 16];
        byte[] maxCount = IdxBytes.idx(8, new int[] {Integer.MAX_VALUE, 28, 28}, data);   // 100 bytes
        byte[] bigCount = IdxBytes.idx(8, new int[] {2_000_000, 28, 28}, data);            // 1.5 GB declared
        byte[] maxLabels = IdxBytes.idx(8, new int[] {Integer.MAX_VALUE}, new byte[92]);   // 2 GB declared
        assertEquals(100, maxCount.length);
        for (byte[] raw : new byte[][] {maxCount, bigCount, maxLabels}) {
            for (boolean gzip : new boolean[] {false, true}) {
                Path f = IdxBytes.write(dir.resolve("lie" + raw.length + gzip + Arrays.hashCode(raw)),
                        gzip ? IdxBytes.gzip(raw) : raw);
                long before = allocatedBytes();
                IdxFormatException e = assertThrows(IdxFormatException.class,
                        () -> { if (raw == maxLabels) IdxReader.readLabels(f); else IdxReader.readImages(f); });
                long allocated = allocatedBytes() - before;
                assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes for " + e.getMessage());
            }
        }
        Path f = IdxBytes.write(dir.resolve("lie-max"), maxCount);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains(Integer.MAX_VALUE + " images of 28x28"), e.getMessage());
    }

    @Test
    void gzipCountLieWithinTheDeflateBoundStillOnlyAllocatesWhatArrives() throws IOException {
        // 100,000 images (78 MB) declared, 100 present; the noise does not compress, so the gzip file is large
        // enough that the deflate bound allows the declared size: only the growing buffer stops the allocation.
        byte[] noise = new byte[100 * 784];
        new java.util.Random(1).nextBytes(noise);
        byte[] gz = IdxBytes.gzip(IdxBytes.idx(8, new int[] {100_000, 28, 28}, noise));
        assertTrue(gz.length * IdxReader.MAX_DEFLATE_RATIO > 100_000L * 784, "test premise");
        Path f = IdxBytes.write(dir.resolve("lie-in-bound"), gz);
        long before = allocatedBytes();
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
        long allocated = allocatedBytes() - before;
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(16 + noise.length, e.offset());
        assertTrue(allocated < 8 << 20, "allocated " + allocated);
    }

    @Test
    void randomCorruptionOnlyEverGivesAFormatError() throws IOException {
        // Flip, drop or add bytes anywhere in small valid files: the reader must succeed or throw
        // IdxFormatException, never anything else (no index errors, no silent short reads).
        java.util.Random random = new java.util.Random(42);
        byte[] raw = IdxBytes.images(3, 4, 5);
        byte[][] originals = {raw, IdxBytes.gzip(raw)};
        for (int trial = 0; trial < 400; trial++) {
            byte[] b = originals[trial % 2].clone();
            switch (random.nextInt(3)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length));
                default -> b = concat(b, new byte[] {(byte) random.nextInt(256)});
            }
            Path f = IdxBytes.write(dir.resolve("fuzz"), b);
            try {
                IdxImages images = IdxReader.readImages(f);
                assertEquals(images.count() * images.rows() * images.cols(), images.pixels().length);
            } catch (IdxFormatException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
            }
        }
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> IdxReader.readImages(dir.resolve("nope")));
    }

    @Test
    void aDirectoryIsNamedAsSuch() {
        // It was a bare "IOException: Is a directory" from the first read, without the path.
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> IdxReader.readImages(dir));
        assertEquals(dir + ": is a directory, expected an IDX file", e.getMessage());
        e = assertThrows(java.nio.file.NoSuchFileException.class, () -> IdxReader.readLabels(dir));
        assertEquals(dir.toString(), e.getFile());
        assertEquals("is a directory, expected an IDX file", e.getReason());
    }

    private static boolean isGzip(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return b.length > 1 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Bytes this thread has allocated so far (HotSpot); skips the allocation check elsewhere. */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getCurrentThreadAllocatedBytes();
        }
        assumeTrue(false, "thread allocation counter not available");
        return 0;
    }
}
