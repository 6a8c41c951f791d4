package lanes.engine;

import static lanes.engine.TestWeights.model;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightFileTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------------
    // Fixtures

    /** A model small enough to damage at every byte: 3 -> 4 -> 2, 26 parameters, 180 bytes. */
    private static Weights small() {
        return model(1, new Metadata("mnist", 3, 0.875, Instant.ofEpochMilli(1_700_000_000_123L)),
                3, Activation.SOFTMAX, 4, 2);
    }

    private byte[] bytesOf(Weights w) throws IOException {
        Path f = dir.resolve("encode" + WeightFile.EXTENSION);
        WeightFile.write(f, w);
        byte[] b = Files.readAllBytes(f);
        Files.delete(f);
        return b;
    }

    /**
     * An encoder written from docs/weight-format.md alone, independent of WeightFile, so tests can build
     * files the writer refuses to produce (NaN weights, bad codes) with a valid checksum.
     */
    private static byte[] handEncode(int inputSize, int[] units, int[] codes, float[][] kernels, float[][] biases,
                                     int epochs, double accuracy, long createdMillis, String dataset) {
        byte[] name = dataset.getBytes(StandardCharsets.UTF_8);
        int layers = units.length;
        int raw = 24 + 8 * layers + 22 + name.length;
        int header = (raw + 7) / 8 * 8;
        int params = 0;
        for (int i = 0; i < layers; i++) params += kernels[i].length + biases[i].length;
        ByteBuffer b = ByteBuffer.allocate(header + 4 * params + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("LANESNW\0".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 1).putShort((short) 0).putInt(header).putInt(inputSize).putInt(layers);
        for (int i = 0; i < layers; i++) b.putInt(units[i]).putShort((short) codes[i]).putShort((short) 0);
        b.putInt(epochs).putDouble(accuracy).putLong(createdMillis).putShort((short) name.length).put(name);
        b.position(header);
        for (int i = 0; i < layers; i++) {
            for (float f : kernels[i]) b.putFloat(f);
            for (float f : biases[i]) b.putFloat(f);
        }
        return withCrc(b.array());
    }

    private static byte[] handEncode(Weights w) {
        int n = w.layers().size();
        int[] units = new int[n];
        int[] codes = new int[n];
        float[][] kernels = new float[n][];
        float[][] biases = new float[n][];
        for (int i = 0; i < n; i++) {
            DenseWeights d = (DenseWeights) w.layers().get(i);
            units[i] = d.units();
            codes[i] = d.activation().code();
            kernels[i] = d.kernel();
            biases[i] = d.bias();
        }
        Metadata m = w.metadata();
        return handEncode(w.inputSize(), units, codes, kernels, biases, m.epochs(), m.validationAccuracy(),
                m.created().toEpochMilli(), m.dataset());
    }

    /** Recomputes the trailing CRC32C over everything before it. */
    private static byte[] withCrc(byte[] file) {
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    private static Weights readBytes(byte[] b) throws WeightFileException {
        return WeightFile.read(new ByteArrayInputStream(b), "test.lnw");
    }

    private Path fileWith(byte[] b) throws IOException {
        Path f = dir.resolve("damaged.lnw");
        Files.write(f, b);
        return f;
    }

    /** Both read paths reject {@code b}; returns the two messages (stream, file). */
    private String[] rejectBoth(byte[] b) throws IOException {
        var s = assertThrows(WeightFileException.class, () -> readBytes(b));
        assertEquals("test.lnw", s.source());
        assertTrue(s.getMessage().startsWith("test.lnw: "), s.getMessage());
        Path f = fileWith(b);
        var p = assertThrows(WeightFileException.class, () -> WeightFile.read(f));
        assertTrue(p.getMessage().startsWith(f + ": "), p.getMessage());
        return new String[] {s.problem(), p.problem()};
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Round trips

    @Test
    void roundTripsSeveralShapesBitExactly() throws IOException {
        var meta = new Metadata("mnist", 12, 0.9812, Instant.parse("2025-01-02T03:04:05.678Z"));
        List<Weights> models = List.of(
                model(7, meta, 784, Activation.SOFTMAX, 128, 10),
                model(8, meta, 1, Activation.LINEAR, 1),
                model(9, meta, 3, Activation.LINEAR, 5, 2, 7),
                model(10, meta, 17, Activation.RELU, 1, 33));
        for (Weights w : models) {
            Path f = dir.resolve("m" + WeightFile.EXTENSION);
            WeightFile.write(f, w);
            Weights back = WeightFile.read(f);
            assertEquals(w, back); // DenseWeights compares arrays bit-exactly
            assertEquals(w.parameterCount() * 4 + WeightFile.headerLength(w.layers().size(), 5) + 4, Files.size(f));
            assertEquals(List.of("m.lnw"), listDir());
            assertArrayEquals(Files.readAllBytes(f), WeightFile.encode(w), "encoded in memory as saved");
        }
    }

    @Test
    void keepsSpecialFloatBitPatterns() throws IOException {
        float[] special = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-40f,
                Float.MAX_VALUE, -Float.MAX_VALUE, Math.nextUp(1f), 1f / 3};
        var w = new Weights(1, List.of(new DenseWeights(1, special.length, Activation.LINEAR, special,
                special.clone())), Metadata.unknown());
        Weights back = readBytes(bytesOf(w));
        float[] k = ((DenseWeights) back.layers().getFirst()).kernel();
        for (int i = 0; i < special.length; i++)
            assertEquals(Float.floatToRawIntBits(special[i]), Float.floatToRawIntBits(k[i]), "index " + i);
    }

    @Test
    void roundTripsMetadata() throws IOException {
        for (Metadata m : List.of(
                Metadata.unknown(),
                new Metadata("MNIST – 手書き 🙂", Integer.MAX_VALUE, 0.5, Instant.parse("1969-07-20T20:17:40.001Z")),
                new Metadata("d".repeat(Metadata.MAX_DATASET_BYTES), 0, 1.0, Instant.ofEpochMilli(Long.MAX_VALUE)),
                new Metadata("fashion", 5, Double.NaN, Instant.parse("2030-12-31T23:59:59.999999Z")))) {
            Weights w = model(3, m, 2, Activation.SOFTMAX, 3);
            Weights back = readBytes(bytesOf(w));
            assertEquals(m, back.metadata());
            assertEquals(w, back);
        }
    }

    @Test
    void layoutMatchesTheDocumentedFormat() throws IOException {
        Weights w = small();
        byte[] written = bytesOf(w);
        assertArrayEquals(handEncode(w), written);
        ByteBuffer b = ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("LANESNW\0", new String(written, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, b.getShort(8));
        int header = b.getInt(12);
        assertEquals(3, b.getInt(16));
        assertEquals(2, b.getInt(20));
        assertEquals(4, b.getInt(24));
        assertEquals(Activation.RELU.code(), b.getShort(28));
        assertEquals(2, b.getInt(32));
        assertEquals(Activation.SOFTMAX.code(), b.getShort(36));
        assertEquals(3, b.getInt(40));
        assertEquals(0.875, b.getDouble(44));
        assertEquals(1_700_000_000_123L, b.getLong(52));
        assertEquals(5, b.getShort(60));
        assertEquals("mnist", new String(written, 62, 5, StandardCharsets.UTF_8));
        assertEquals(72, header); // 67 rounded up to a multiple of 8
        assertEquals(((DenseWeights) w.layers().getFirst()).kernel()[0], b.getFloat(header));
        assertEquals(header + 26 * 4 + 4, written.length);
    }

    @Test
    void readsFromStreamsThatDeliverOneByteAtATime() throws IOException {
        Weights w = model(4, Metadata.unknown(), 30, Activation.SOFTMAX, 20, 10);
        byte[] bytes = bytesOf(w);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        assertEquals(w, WeightFile.read(trickle, "trickle"));
    }

    @Test
    void nullStreamIsAMissingResource() {
        var e = assertThrows(WeightFileException.class,
                () -> WeightFile.read((InputStream) null, "/models/missing.lnw"));
        assertContains(e.getMessage(), "/models/missing.lnw");
        assertContains(e.getMessage(), "not found");
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.lnw");
        var e = assertThrows(WeightFileException.class, () -> WeightFile.read(f));
        assertContains(e.getMessage(), f.toString());
        assertContains(e.getMessage(), "no such file");
    }

    // ---------------------------------------------------------------------------------------------------
    // Damaged files

    @Test
    void rejectsEverySingleByteAndBitFlip() throws IOException {
        byte[] good = bytesOf(small());
        assertEquals(small(), readBytes(good));
        int byCrc = 0;
        for (int pos = 0; pos < good.length; pos++) {
            for (int mask : new int[] {0xFF, 1 << (pos % 8)}) {
                byte[] bad = good.clone();
                bad[pos] ^= (byte) mask;
                String[] why;
                try {
                    why = rejectBoth(bad);
                } catch (AssertionError e) {
                    throw new AssertionError("flip 0x" + Integer.toHexString(mask) + " at offset " + pos
                            + " was accepted", e);
                }
                if (why[0].contains("CRC32C mismatch")) byCrc++;
            }
        }
        // Header fields fail their own checks first; every payload and checksum flip is left to the CRC.
        int payloadAndCrc = good.length - 72;
        assertTrue(byCrc >= 2 * payloadAndCrc, "only " + byCrc + " flips were caught by the CRC");
    }

    @Test
    void rejectsEveryTruncation() throws IOException {
        byte[] good = bytesOf(small());
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            for (String why : rejectBoth(cut)) assertContains(why, "truncated at offset " + len);
        }
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] good = bytesOf(small());
        for (int extra : new int[] {1, 100}) {
            byte[] longer = java.util.Arrays.copyOf(good, good.length + extra);
            for (String why : rejectBoth(longer)) assertContains(why, "trailing bytes");
        }
    }

    @Test
    void rejectsOtherFilesAndVersions() throws IOException {
        for (String why : rejectBoth("hello, this is not a model".getBytes(StandardCharsets.US_ASCII)))
            assertContains(why, "bad magic");
        byte[] v3 = bytesOf(small());
        v3[8] = 3;
        for (String why : rejectBoth(withCrc(v3))) assertContains(why, "unsupported format version 3");
        byte[] flagged = bytesOf(small());
        flagged[10] = 1;
        for (String why : rejectBoth(withCrc(flagged))) assertContains(why, "unknown flags");
    }

    @Test
    void rejectsANaNWeightWithAValidChecksumNamingItsPosition() throws IOException {
        byte[] nan = handEncode(2, new int[] {3, 4}, new int[] {1, 2},
                new float[][] {new float[6], new float[12]},
                new float[][] {new float[3], {0, 1, Float.NaN, 3}}, 1, 0.5, 0, "x");
        for (String why : rejectBoth(nan)) assertContains(why, "non-finite weight at layer 1, bias index 2: NaN");

        float[] kernel = new float[6];
        kernel[5] = Float.NEGATIVE_INFINITY;
        byte[] inf = handEncode(2, new int[] {3}, new int[] {0}, new float[][] {kernel},
                new float[][] {new float[3]}, 1, 0.5, 0, "");
        for (String why : rejectBoth(inf)) assertContains(why, "layer 0, kernel index 5: -Infinity");

        // The same file with a damaged checksum is reported as damage, not as a bad weight.
        nan[nan.length - 1] ^= 1;
        for (String why : rejectBoth(nan)) assertContains(why, "CRC32C mismatch");
    }

    @Test
    void rejectsUnknownActivationCodes() throws IOException {
        byte[] bad = handEncode(2, new int[] {3, 4}, new int[] {1, 7},
                new float[][] {new float[6], new float[12]}, new float[][] {new float[3], new float[4]},
                1, 0.5, 0, "x");
        for (String why : rejectBoth(bad)) assertContains(why, "bad activation code 7 for layer 1");
        // SIGMOID (3) and TANH (4) exist since version 2: in a version 1 file they are damage, not a layer
        // the writer would then save as version 2 (found by fuzzing).
        byte[] sigmoid = handEncode(2, new int[] {3, 4}, new int[] {3, 2},
                new float[][] {new float[6], new float[12]}, new float[][] {new float[3], new float[4]},
                1, 0.5, 0, "x");
        for (String why : rejectBoth(sigmoid)) assertContains(why, "bad activation code 3 for layer 0");
    }

    @Test
    void rejectsBadMetadataWithAValidChecksum() throws IOException {
        byte[] accuracy = handEncode(1, new int[] {1}, new int[] {0}, new float[][] {{1}}, new float[][] {{1}},
                1, 2.5, 0, "");
        for (String why : rejectBoth(accuracy)) assertContains(why, "validation accuracy 2.5");
        byte[] utf8 = handEncode(1, new int[] {1}, new int[] {0}, new float[][] {{1}}, new float[][] {{1}},
                1, 0.5, 0, "ab");
        utf8[54] = (byte) 0xC3; // one layer: the name starts at 54; a lead byte followed by ASCII
        for (String why : rejectBoth(withCrc(utf8))) assertContains(why, "not valid UTF-8");
    }

    /** A header whose counts are in range but whose payload would take {@code params} floats. */
    private static byte[] liarHeader(int inputSize, int... units) {
        int layers = units.length;
        int header = WeightFile.headerLength(layers, 0);
        ByteBuffer b = ByteBuffer.allocate(header + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("LANESNW\0".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 1).putShort((short) 0).putInt(header).putInt(inputSize).putInt(layers);
        for (int u : units) b.putInt(u).putShort((short) 1).putShort((short) 0);
        b.putInt(1).putDouble(0.5).putLong(0).putShort((short) 0);
        return b.array();
    }

    @Test
    void rejectsHugeDeclaredSizesWithoutAllocating() throws IOException {
        // Over the 1 GiB limit: rejected from the header alone.
        for (String why : rejectBoth(liarHeader(1 << 24, 1 << 20))) assertContains(why, "1 GiB");
        for (String why : rejectBoth(liarHeader(1 << 24, 64, 64))) assertContains(why, "1 GiB");

        // Under the limit (about 1 GB of floats declared) in a file of a few dozen bytes.
        byte[] liar = liarHeader(1 << 24, 15);
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        var counter = (com.sun.management.ThreadMXBean) threads;
        long id = Thread.currentThread().threadId();
        String[] why = new String[2];
        long before = counter.getThreadAllocatedBytes(id);
        why[0] = assertThrows(WeightFileException.class, () -> readBytes(liar)).problem();
        long streamBytes = counter.getThreadAllocatedBytes(id) - before;
        Path f = fileWith(liar);
        before = counter.getThreadAllocatedBytes(id);
        why[1] = assertThrows(WeightFileException.class, () -> WeightFile.read(f)).problem();
        long fileBytes = counter.getThreadAllocatedBytes(id) - before;
        for (String w : why) assertContains(w, "truncated");
        assertTrue(streamBytes < 4 << 20, "reading the stream allocated " + streamBytes + " bytes");
        assertTrue(fileBytes < 4 << 20, "reading the file allocated " + fileBytes + " bytes");
    }

    @Test
    void rejectsCountsOutOfBounds() throws IOException {
        for (String why : rejectBoth(liarHeader(0, 3))) assertContains(why, "input size 0");
        for (String why : rejectBoth(liarHeader((1 << 24) + 1, 3))) assertContains(why, "input size");
        for (String why : rejectBoth(liarHeader(5, 0))) assertContains(why, "layer 0 has 0 units");
        for (String why : rejectBoth(liarHeader(5, 3, (1 << 20) + 1))) assertContains(why, "layer 1 has");
        byte[] many = liarHeader(5, 3);
        ByteBuffer.wrap(many).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 65);
        for (String why : rejectBoth(many)) assertContains(why, "layer count 65");
        ByteBuffer.wrap(many).order(ByteOrder.LITTLE_ENDIAN).putInt(20, -1);
        for (String why : rejectBoth(many)) assertContains(why, "layer count 4294967295");
        byte[] header = liarHeader(5, 3);
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(12, Integer.MAX_VALUE);
        for (String why : rejectBoth(header)) assertContains(why, "header length 2147483647");
    }

    // ---------------------------------------------------------------------------------------------------
    // Writing

    @Test
    void refusesToWriteWhatCannotBeRead() {
        Path f = dir.resolve("never.lnw");
        float[] kernel = {1, 2, Float.NaN};
        var nan = new Weights(1, List.of(new DenseWeights(1, 3, Activation.LINEAR, kernel, new float[3])),
                Metadata.unknown());
        var e = assertThrows(IllegalArgumentException.class, () -> WeightFile.write(f, nan));
        assertContains(e.getMessage(), "layer 0, kernel index 2 is NaN");

        List<DenseWeights> deep = new ArrayList<>();
        for (int i = 0; i <= WeightFile.MAX_LAYERS; i++)
            deep.add(new DenseWeights(1, 1, Activation.RELU, new float[1], new float[1]));
        var tooDeep = new Weights(1, deep, Metadata.unknown());
        assertThrows(IllegalArgumentException.class, () -> WeightFile.write(f, tooDeep));
        assertFalse(Files.exists(f));
    }

    @Test
    void overwritesAnExistingFile() throws IOException {
        Path f = dir.resolve("model.lnw");
        WeightFile.write(f, small());
        Weights next = model(2, Metadata.unknown(), 3, Activation.LINEAR, 6);
        WeightFile.write(f, next);
        assertEquals(next, WeightFile.read(f));
        assertEquals(List.of("model.lnw"), listDir());
    }

    @ParameterizedTest
    @EnumSource(WeightFile.WriteObserver.Stage.class)
    void aFailedSaveKeepsThePreviousFileAndLeavesNoTemporaryFile(WeightFile.WriteObserver.Stage stage)
            throws IOException {
        Path f = dir.resolve("model.lnw");
        Weights previous = small();
        WeightFile.write(f, previous);
        byte[] previousBytes = Files.readAllBytes(f);
        Weights next = model(5, Metadata.unknown(), 3, Activation.SOFTMAX, 40, 2);
        int nextHeader = WeightFile.headerLength(2, 0);
        long nextSize = WeightFile.fileSize(nextHeader, next.parameterCount());

        // A checked failure is reported as an IOException naming the target, with the cause kept.
        IOException injected = new IOException("disk full (injected)");
        var e = assertThrows(IOException.class, () -> WeightFile.write(f, next, (s, temp) -> {
            if (s != stage) return;
            assertTrue(Files.exists(temp), "the temporary file exists at " + s);
            assertEquals(temp.getParent(), f.getParent());
            long size = Files.size(temp);
            switch (s) {
                case BEFORE_WRITE -> assertEquals(0, size);
                case MID_WRITE -> assertTrue(size > nextHeader && size < nextSize, "partly written: " + size);
                case BEFORE_RENAME -> assertEquals(nextSize, size);
            }
            assertArrayEquals(previousBytes, Files.readAllBytes(f), "target untouched at " + s);
            throw injected;
        }));
        assertContains(e.getMessage(), f.toString());
        assertSame(injected, e.getCause());
        assertArrayEquals(previousBytes, Files.readAllBytes(f));
        assertEquals(previous, WeightFile.read(f));
        assertEquals(List.of("model.lnw"), listDir());

        // An unchecked failure (a bug, an interrupt turned exception) is rethrown as is, same cleanup.
        var boom = new IllegalStateException("injected");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> WeightFile.write(f, next, (s, temp) -> {
            if (s == stage) throw boom;
        })));
        assertEquals(previous, WeightFile.read(f));
        assertEquals(List.of("model.lnw"), listDir());

        // With no previous file, a failed save leaves nothing at all.
        Path fresh = dir.resolve("fresh.lnw");
        assertThrows(IOException.class, () -> WeightFile.write(fresh, next, (s, temp) -> {
            if (s == stage) throw new IOException("injected");
        }));
        assertEquals(List.of("model.lnw"), listDir());
    }

    @ParameterizedTest
    @EnumSource(WeightFile.WriteObserver.Stage.class)
    void anInterruptedSaveEitherCompletesOrKeepsThePreviousFile(WeightFile.WriteObserver.Stage stage) throws IOException {
        // An interrupt closes the FileChannel under the save (ClosedByInterruptException): before the rename
        // that must fail the save cleanly; once the file is complete the rename goes ahead. Either way the
        // caller keeps its interrupt and never finds a partial model.
        Path f = dir.resolve("model.lnw");
        Weights previous = small();
        WeightFile.write(f, previous);
        Weights next = model(5, Metadata.unknown(), 3, Activation.SOFTMAX, 40, 2);
        try {
            WeightFile.write(f, next, (s, temp) -> {
                if (s == stage) Thread.currentThread().interrupt();
            });
            assertTrue(Thread.interrupted(), "the interrupt is left for the caller");
            assertEquals(WeightFile.WriteObserver.Stage.BEFORE_RENAME, stage, "only a complete file may be renamed");
            assertEquals(next, WeightFile.read(f));
        } catch (IOException e) {
            assertTrue(Thread.interrupted(), "the interrupt is left for the caller");
            assertTrue(e.getCause() instanceof java.nio.channels.ClosedByInterruptException, String.valueOf(e.getCause()));
            assertContains(e.getMessage(), f.toString());
            assertEquals(previous, WeightFile.read(f));
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of("model.lnw"), listDir());
    }

    @Test
    void aSaveThatRunsOutOfSpaceKeepsThePreviousFile() throws Exception {
        // A real write error halfway through the file, as on a full disk: a child JVM with a 64 KiB file-size
        // limit (RLIMIT_FSIZE; the JVM ignores SIGXFSZ, so write() fails with EFBIG) saves a 400 KB model.
        // No root, no mount: runs wherever there is a POSIX shell.
        Path sh = Path.of("/bin/sh");
        assumeTrue(Files.isExecutable(sh) && !System.getProperty("os.name").startsWith("Windows"), "no POSIX shell");
        Path f = dir.resolve("model.lnw");
        Weights previous = small();
        WeightFile.write(f, previous);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(sh.toString(), "-c", "ulimit -f 128 && exec \"$0\" \"$@\"", javaBin.toString(),
                "-XX:-UsePerfData", "-cp", ChildJvm.classPath(),
                SaveUnderFileSizeLimit.class.getName(), f.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "child did not finish: " + out);
        assumeTrue(p.exitValue() != 0 || !out.isEmpty(), "the file-size limit is not enforced here: " + out);
        assertEquals(3, p.exitValue(), out);
        assertContains(out, "cannot save weights to " + f);
        assertContains(out, "File too large");
        assertEquals(previous, WeightFile.read(f));
        assertEquals(List.of("model.lnw"), listDir());
    }

    @Test
    void aStreamThatFailsMidwayIsAWeightFileErrorWithTheOffset() throws IOException {
        byte[] bytes = bytesOf(small());
        for (int failAt : new int[] {0, 7, 24, 100, bytes.length - 1}) {
            InputStream failing = new FilterInputStream(new ByteArrayInputStream(bytes, 0, failAt)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0) throw new IOException("connection reset (injected)");
                    return n;
                }

                @Override
                public int read() throws IOException {
                    int n = super.read();
                    if (n < 0) throw new IOException("connection reset (injected)");
                    return n;
                }
            };
            var e = assertThrows(WeightFileException.class, () -> WeightFile.read(failing, "remote.lnw"));
            assertContains(e.getMessage(), "remote.lnw: cannot be read at offset");
            assertContains(e.getMessage(), "connection reset (injected)");
            assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void missingOrWrongDirectoriesAreNamed() throws IOException {
        Path missing = dir.resolve("no-such-dir");
        var e = assertThrows(IOException.class, () -> WeightFile.write(missing.resolve("m.lnw"), small()));
        assertContains(e.getMessage(), missing.resolve("m.lnw").toString());
        assertContains(e.getMessage(), missing + " does not exist");

        Path plain = Files.writeString(dir.resolve("plain"), "x");
        e = assertThrows(IOException.class, () -> WeightFile.write(plain.resolve("m.lnw"), small()));
        assertContains(e.getMessage(), plain + " is not a directory");

        Path sub = Files.createDirectory(dir.resolve("sub"));
        e = assertThrows(IOException.class, () -> WeightFile.write(sub, small()));
        assertContains(e.getMessage(), sub + ": it is a directory");
        assertEquals(List.of("plain", "sub"), listDir());
    }

    @Test
    void readOnlyDirectoryIsNamed() throws IOException {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        PosixFileAttributeView view = Files.getFileAttributeView(ro, PosixFileAttributeView.class);
        assumeTrue(view != null, "no POSIX permissions here");
        view.setPermissions(PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // Root (and some containers) can write anyway: then there is nothing to test.
            assumeFalse(Files.isWritable(ro), "running with privileges that ignore directory permissions");
            Path f = ro.resolve("m.lnw");
            var e = assertThrows(IOException.class, () -> WeightFile.write(f, small()));
            assertContains(e.getMessage(), f.toString());
            assertContains(e.getMessage(), "permission denied");
            try (Stream<Path> s = Files.list(ro)) {
                assertEquals(0, s.count());
            }
        } finally {
            view.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void savedFileGetsOrdinaryPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX permissions");
        Path f = dir.resolve("m.lnw");
        WeightFile.write(f, small());
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        assertEquals(ordinary, Files.getPosixFilePermissions(f));
    }

    @Test
    void concurrentSavesNeverExposeAPartialFile() throws Exception {
        Path f = dir.resolve("m.lnw");
        Weights a = model(11, Metadata.unknown(), 50, Activation.SOFTMAX, 60, 10);
        Weights b = model(12, Metadata.unknown(), 50, Activation.SOFTMAX, 60, 10);
        WeightFile.write(f, a);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 30; i++) WeightFile.write(f, i % 2 == 0 ? b : a);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        while (writer.isAlive()) {
            Weights seen = WeightFile.read(f);
            if (!seen.equals(a) && !seen.equals(b)) fail("read a model that was never saved");
        }
        writer.join();
        assertEquals(List.of("m.lnw"), listDir());
    }
}
