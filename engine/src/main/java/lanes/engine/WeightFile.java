package lanes.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Reads and writes {@link Weights} in the Lanes weight file format, versions 1 and 2
 * ({@code docs/weight-format.md}): a little-endian header describing the layers and their provenance, the
 * float32 parameters, and a CRC32C of everything before it. {@link WeightFileV2} holds version 2's header.
 *
 * <p>Reading trusts nothing in the file: every count is bounded, the declared sizes are checked against
 * the file length before any parameter array is allocated, the checksum must match, every weight must be
 * finite, and nothing may follow the checksum. Any failure is a {@link WeightFileException} naming the
 * source and the problem.
 *
 * <p>Writing is atomic: the file is written beside the target under a temporary name, forced to disk,
 * then renamed over the target. A crash or a failed save leaves either the previous file or the new one,
 * never a mix, and no temporary file after a failure this process saw.
 */
public final class WeightFile {

    /** The conventional file name extension. */
    public static final String EXTENSION = ".lnw";
    /**
     * The newest format version, which this class reads along with version 1. Weights a version 1 file can
     * hold ({@link Weights#isVersion1()}: a Dense chain on a vector input in [0, 1], no labels, trained by
     * Lanes) are still written as version 1, byte for byte as before, so older readers keep reading what
     * the trainer saves; anything else is written as version 2.
     */
    public static final int VERSION = 2;
    /** At most this many layers. */
    public static final int MAX_LAYERS = 64;
    /** At most this many units per dense layer (and filters per convolution). */
    public static final int MAX_UNITS = 1 << 20;
    /** At most this many input features. */
    public static final int MAX_INPUTS = 1 << 24;
    /** At most this many bytes in a whole file (about 268 million parameters). */
    public static final long MAX_FILE_BYTES = 1L << 30;

    /** "LANESNW" and a NUL. */
    static final byte[] MAGIC = {'L', 'A', 'N', 'E', 'S', 'N', 'W', 0};
    /** Magic, version, flags, header length, input size, layer count. */
    static final int FIXED_HEADER_BYTES = 24;
    /** Units (u32), activation (u16), reserved (u16). */
    static final int LAYER_ENTRY_BYTES = 8;
    /** Epochs (i32), validation accuracy (f64), created (i64), dataset length (u16). */
    static final int METADATA_FIXED_BYTES = 22;
    static final int CRC_BYTES = 4;

    private static final int CHUNK_BYTES = 1 << 16;
    private static final int CHUNK_FLOATS = CHUNK_BYTES / Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private WeightFile() {}

    // ---------------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads a weight file.
     *
     * @throws WeightFileException if the file cannot be read or is not a valid version 1 or 2 weight file
     */
    public static Weights read(Path file) throws WeightFileException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return parse(new Reader(Channels.newInputStream(ch), source, ch.size()));
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(source, "cannot be read: " + BadInputException.problem(e, source), e);
        }
    }

    /**
     * Reads a weight file from a stream, for example a classpath resource. Reads exactly the file's bytes
     * and one more to check that nothing follows; does not close the stream. Memory grows with the bytes
     * actually received, never with what a damaged header claims.
     *
     * @param in         the stream; {@code null} (a missing resource) is reported as an error
     * @param sourceName what to call the stream in error messages, such as the resource name
     * @throws WeightFileException if the stream cannot be read or does not hold a valid weight file
     */
    public static Weights read(InputStream in, String sourceName) throws WeightFileException {
        String source = sourceName == null ? "<stream>" : sourceName;
        if (in == null) throw new WeightFileException(source, "not found (the stream is null)");
        return parse(new Reader(in, source, -1));
    }

    private static Weights parse(Reader r) throws WeightFileException {
        ByteBuffer b = r.read(MAGIC.length, "the magic number");
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) throw r.fail("not a Lanes weight file (bad magic "
                    + HexFormat.ofDelimiter(" ").formatHex(b.array(), 0, MAGIC.length) + ", expected \"LANESNW\\0\")");
        }
        b = r.read(8, "the header");
        int version = Short.toUnsignedInt(b.getShort(0));
        if (version == WeightFileV2.VERSION) return WeightFileV2.parse(r, b);
        if (version != 1) throw r.fail("unsupported format version " + version
                + " (this reader knows versions 1 and " + WeightFileV2.VERSION + ")");
        int flags = Short.toUnsignedInt(b.getShort(2));
        if (flags != 0) throw r.fail(String.format("unknown flags 0x%04x at offset 10 (version 1 defines none)", flags));
        long headerLength = Integer.toUnsignedLong(b.getInt(4));
        b = r.read(8, "the header");
        long inputSize = Integer.toUnsignedLong(b.getInt(0));
        long layerCount = Integer.toUnsignedLong(b.getInt(4));
        if (inputSize < 1 || inputSize > MAX_INPUTS)
            throw r.fail("input size " + inputSize + " is outside 1.." + MAX_INPUTS);
        if (layerCount < 1 || layerCount > MAX_LAYERS)
            throw r.fail("layer count " + layerCount + " is outside 1.." + MAX_LAYERS);
        int layers = (int) layerCount;
        long minHeader = headerLength(layers, 0);
        long maxHeader = headerLength(layers, Metadata.MAX_DATASET_BYTES);
        if (headerLength < minHeader || headerLength > maxHeader || headerLength % 8 != 0)
            throw r.fail("header length " + headerLength + " is impossible for " + layers
                    + " layers (a multiple of 8 in " + minHeader + ".." + maxHeader + ")");

        b = r.read((int) headerLength - FIXED_HEADER_BYTES, "the header");
        int[] units = new int[layers];
        Activation[] activations = new Activation[layers];
        for (int i = 0; i < layers; i++) {
            int at = i * LAYER_ENTRY_BYTES;
            long u = Integer.toUnsignedLong(b.getInt(at));
            if (u < 1 || u > MAX_UNITS) throw r.fail("layer " + i + " has " + u + " units, outside 1.." + MAX_UNITS);
            units[i] = (int) u;
            int code = Short.toUnsignedInt(b.getShort(at + 4));
            activations[i] = activationOf(code);
            // Version 1 knows LINEAR, RELU and SOFTMAX; a later code in a version 1 file is damage.
            if (activations[i] == null || code > Activation.SOFTMAX.code())
                throw r.fail("bad activation code " + code + " for layer " + i);
            int reserved = Short.toUnsignedInt(b.getShort(at + 6));
            if (reserved != 0) throw r.fail("reserved field of layer " + i + " is " + reserved + ", must be 0");
        }
        int m = layers * LAYER_ENTRY_BYTES;
        int epochs = b.getInt(m);
        if (epochs < 0) throw r.fail("negative epoch count " + epochs);
        double accuracy = b.getDouble(m + 4);
        if (!Double.isNaN(accuracy) && !(accuracy >= 0 && accuracy <= 1))
            throw r.fail("validation accuracy " + accuracy + " is neither in [0, 1] nor NaN");
        long createdMillis = b.getLong(m + 12);
        int datasetLength = Short.toUnsignedInt(b.getShort(m + 20));
        if (datasetLength > Metadata.MAX_DATASET_BYTES) throw r.fail("dataset name length " + datasetLength
                + " exceeds " + Metadata.MAX_DATASET_BYTES + " bytes");
        long expectedHeader = headerLength(layers, datasetLength);
        if (headerLength != expectedHeader) throw r.fail("header length " + headerLength
                + " does not match its contents (" + layers + " layers and a " + datasetLength
                + "-byte dataset name need " + expectedHeader + ")");
        int datasetAt = m + METADATA_FIXED_BYTES;
        String dataset;
        try {
            dataset = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.slice(datasetAt, datasetLength)).toString();
        } catch (CharacterCodingException e) {
            throw r.fail("dataset name is not valid UTF-8");
        }
        for (int i = datasetAt + datasetLength; i < b.limit(); i++) {
            if (b.get(i) != 0) throw r.fail("header padding at offset " + (FIXED_HEADER_BYTES + i) + " is not zero");
        }

        long parameters = 0;
        long previous = inputSize;
        for (int i = 0; i < layers; i++) {
            parameters += previous * units[i] + units[i];
            previous = units[i];
        }
        long expectedSize = fileSize(headerLength, parameters);
        if (expectedSize > MAX_FILE_BYTES) throw r.fail("declares " + parameters + " parameters (" + expectedSize
                + " bytes), more than the " + (MAX_FILE_BYTES >> 30) + " GiB a weight file may have");
        r.expectSize(expectedSize);

        List<DenseWeights> dense = new ArrayList<>(layers);
        int in = (int) inputSize;
        for (int i = 0; i < layers; i++) {
            float[] kernel = r.readFloats(in * units[i], i, "kernel");
            float[] bias = r.readFloats(units[i], i, "bias");
            dense.add(new DenseWeights(in, units[i], activations[i], kernel, bias));
            in = units[i];
        }
        r.checkCrcAndEnd();
        try {
            return new Weights((int) inputSize, dense,
                    new Metadata(dataset, epochs, accuracy, Instant.ofEpochMilli(createdMillis)));
        } catch (IllegalArgumentException e) { // every field was checked above; kept as a safety net
            throw r.fail("inconsistent contents: " + e.getMessage());
        }
    }

    private static Activation activationOf(int code) {
        try {
            return Activation.ofCode(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Header bytes: fixed part, layer table, metadata, zero padding to a multiple of 8. */
    static int headerLength(int layers, int datasetBytes) {
        int raw = FIXED_HEADER_BYTES + layers * LAYER_ENTRY_BYTES + METADATA_FIXED_BYTES + datasetBytes;
        return (raw + 7) & ~7;
    }

    static long fileSize(long headerLength, long parameters) {
        return headerLength + parameters * Float.BYTES + CRC_BYTES;
    }

    /** Sequential, checksummed reads with offsets for error messages. */
    static final class Reader {
        private final InputStream in;
        private final String source;
        /** The file length when known up front (files), -1 for streams. */
        private final long knownSize;
        private final CRC32C crc = new CRC32C();
        private final byte[] buf = new byte[CHUNK_BYTES];
        private final ByteBuffer view = ByteBuffer.wrap(buf).order(LE);
        private long offset;
        // The first non-finite weight, reported only once the checksum has shown the file is intact.
        private int badLayer = -1;
        private String badPart;
        private int badIndex;
        private float badValue;

        Reader(InputStream in, String source, long knownSize) {
            this.in = in;
            this.source = source;
            this.knownSize = knownSize;
        }

        WeightFileException fail(String problem) {
            return new WeightFileException(source, problem);
        }

        /** The stream itself failed at the current offset (an I/O error, not bad content). */
        WeightFileException readFailure(IOException e) {
            return new WeightFileException(source, "cannot be read at offset " + offset + ": " + BadInputException.problem(e, source), e);
        }

        /** The next {@code n <= CHUNK_BYTES} bytes, checksummed, as a little-endian buffer from index 0. */
        ByteBuffer read(int n, String what) throws WeightFileException {
            fill(n, what);
            crc.update(buf, 0, n);
            return view.clear().limit(n);
        }

        private void fill(int n, String what) throws WeightFileException {
            int got;
            try {
                got = in.readNBytes(buf, 0, n);
            } catch (IOException e) {
                throw readFailure(e);
            }
            if (got < n) throw fail("truncated at offset " + (offset + got) + " while reading " + what
                    + (knownSize >= 0 ? " (the file has " + knownSize + " bytes)" : ""));
            offset += n;
        }

        /** Before any parameter is allocated: a file must have exactly the declared length. */
        void expectSize(long expected) throws WeightFileException {
            if (knownSize < 0 || knownSize == expected) return;
            if (knownSize < expected) throw fail("truncated at offset " + knownSize + ": the header declares "
                    + expected + " bytes, the file has " + knownSize);
            throw fail((knownSize - expected) + " trailing bytes after the checksum at offset " + (expected - CRC_BYTES)
                    + ": the header declares " + expected + " bytes, the file has " + knownSize);
        }

        /**
         * {@code n} floats. When the length was not verified up front the array grows with the data actually
         * read, so a lying header in a short stream costs at most one chunk.
         */
        float[] readFloats(int n, int layer, String part) throws WeightFileException {
            float[] a = new float[knownSize >= 0 ? n : Math.min(n, CHUNK_FLOATS)];
            int filled = 0;
            while (filled < n) {
                if (filled == a.length) a = Arrays.copyOf(a, (int) Math.min(n, 2L * a.length));
                int count = Math.min(a.length - filled, CHUNK_FLOATS);
                read(count * Float.BYTES, "layer " + layer + " " + part).asFloatBuffer().get(a, filled, count);
                if (badLayer < 0) {
                    for (int i = filled; i < filled + count; i++) {
                        if (!Float.isFinite(a[i])) {
                            badLayer = layer;
                            badPart = part;
                            badIndex = i;
                            badValue = a[i];
                            break;
                        }
                    }
                }
                filled += count;
            }
            return a;
        }

        void checkCrcAndEnd() throws WeightFileException {
            int computed = (int) crc.getValue();
            fill(CRC_BYTES, "the checksum");
            int stored = view.getInt(0);
            if (stored != computed) throw fail(String.format(
                    "CRC32C mismatch: stored 0x%08x, computed 0x%08x (the file is damaged)", stored, computed));
            int next;
            try {
                next = in.read();
            } catch (IOException e) {
                throw readFailure(e);
            }
            if (next >= 0) throw fail("trailing bytes after the checksum at offset " + offset);
            if (badLayer >= 0) throw fail("non-finite weight at layer " + badLayer + ", " + badPart + " index "
                    + badIndex + ": " + badValue);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Writing

    /** Points in {@link #write(Path, Weights, WriteObserver)} where a test can inject a failure. */
    interface WriteObserver {
        enum Stage {
            /** The temporary file exists and is empty. */
            BEFORE_WRITE,
            /** The header and the first layer are written, the rest is not. */
            MID_WRITE,
            /** The temporary file is complete and forced to disk; the target is untouched. */
            BEFORE_RENAME
        }

        WriteObserver NONE = (stage, temp) -> {};

        void reached(Stage stage, Path temp) throws IOException;
    }

    /**
     * Writes {@code weights} to {@code file} atomically, replacing an existing file only once the new one
     * is complete on disk.
     *
     * @throws IllegalArgumentException if the weights exceed the format's limits or hold a non-finite value
     *                                  (nothing is written)
     * @throws IOException              if the file cannot be written; the message names it, an existing file
     *                                  is left as it was and no temporary file is left behind
     */
    public static void write(Path file, Weights weights) throws IOException {
        write(file, weights, WriteObserver.NONE);
    }

    static void write(Path file, Weights weights, WriteObserver observer) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(weights, "weights");
        byte[] header = encodeHeader(weights);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null)
            throw new IOException("cannot save weights to " + file + ": not a file path");
        if (!Files.isDirectory(dir)) throw new IOException("cannot save weights to " + file + ": directory " + dir
                + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        if (Files.isDirectory(target)) throw new IOException("cannot save weights to " + file + ": it is a directory");

        Path temp;
        try {
            temp = createTemp(dir, target.getFileName().toString());
        } catch (IOException e) {
            throw new IOException("cannot save weights to " + file + ": cannot create a file in " + dir + ": "
                    + BadInputException.problem(e, null), e);
        }
        try {
            observer.reached(WriteObserver.Stage.BEFORE_WRITE, temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeContents(ch, header, weights, observer, temp);
                ch.force(true);
            }
            observer.reached(WriteObserver.Stage.BEFORE_RENAME, temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            Throwable reported = t instanceof IOException e
                    ? new IOException("cannot save weights to " + file + ": " + BadInputException.problem(e, file.toString()), e) : t;
            try {
                Files.deleteIfExists(temp);
            } catch (IOException | RuntimeException e) {
                reported.addSuppressed(e);
            }
            if (reported instanceof IOException e) throw e;
            throw t;
        }
        forceDirectory(dir);
    }

    /**
     * The bytes {@link #write(Path, Weights)} saves, made by the same code but in memory: for tests that
     * compare a file with what the writer makes of it, without a forced save to disk each time.
     *
     * @throws IllegalArgumentException as {@link #write(Path, Weights)} does
     */
    static byte[] encode(Weights weights) {
        return encode(weights, weights.isVersion1() ? 1 : WeightFileV2.VERSION);
    }

    /** As {@link #encode(Weights)}, in the given version (2 holds any weights, 1 only {@link Weights#isVersion1()}). */
    static byte[] encode(Weights weights, int version) {
        Objects.requireNonNull(weights, "weights");
        byte[] header = version == 1 ? encodeHeader(weights) : WeightFileV2.encodeHeader(weights);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) fileSize(header.length, weights.parameterCount()));
        try {
            writeContents(Channels.newChannel(out), header, weights, WriteObserver.NONE, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }

    /**
     * A new empty file beside the target. Created with CREATE_NEW rather than {@link Files#createTempFile},
     * so the saved model gets the permissions any new file gets (the umask), not owner-only ones.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    /** Makes the rename durable where the platform allows opening a directory; harmless to skip. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Windows and some file systems cannot open or sync a directory; the rename has happened.
        }
    }

    private static void writeContents(WritableByteChannel ch, byte[] header, Weights weights, WriteObserver observer,
                                      Path temp) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(header);
        writeFully(ch, ByteBuffer.wrap(header));
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(LE);
        List<Layer> layers = weights.layers();
        for (int i = 0; i < layers.size(); i++) {
            for (float[] t : tensors(layers.get(i))) writeFloats(ch, buf, crc, t);
            if (i == 0) observer.reached(WriteObserver.Stage.MID_WRITE, temp);
        }
        buf.clear().putInt((int) crc.getValue()).flip();
        writeFully(ch, buf);
    }

    private static void writeFloats(WritableByteChannel ch, ByteBuffer buf, CRC32C crc, float[] a) throws IOException {
        for (int off = 0; off < a.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, a.length - off);
            buf.clear();
            buf.asFloatBuffer().put(a, off, n);
            buf.limit(n * Float.BYTES);
            crc.update(buf.array(), 0, n * Float.BYTES);
            writeFully(ch, buf);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Checks the format's limits and finiteness (a file the reader would reject is never written). */
    static byte[] encodeHeader(Weights w) {
        if (!w.isVersion1()) return WeightFileV2.encodeHeader(w);
        List<DenseWeights> layers = denseLayers(w);
        if (w.inputSize() > MAX_INPUTS) throw new IllegalArgumentException(
                "input size " + w.inputSize() + " exceeds the weight file's limit of " + MAX_INPUTS);
        if (layers.size() > MAX_LAYERS) throw new IllegalArgumentException(
                layers.size() + " layers exceed the weight file's limit of " + MAX_LAYERS);
        for (int i = 0; i < layers.size(); i++) {
            DenseWeights d = layers.get(i);
            if (d.units() > MAX_UNITS) throw new IllegalArgumentException(
                    "layer " + i + " has " + d.units() + " units, more than the weight file's limit of " + MAX_UNITS);
            checkFinite(d.kernel(), i, "kernel");
            checkFinite(d.bias(), i, "bias");
        }
        byte[] dataset = w.metadata().datasetUtf8();
        int headerLength = headerLength(layers.size(), dataset.length);
        long size = fileSize(headerLength, w.parameterCount());
        if (size > MAX_FILE_BYTES) throw new IllegalArgumentException(w.parameterCount() + " parameters need "
                + size + " bytes, more than the " + (MAX_FILE_BYTES >> 30) + " GiB a weight file may have");

        ByteBuffer b = ByteBuffer.allocate(headerLength).order(LE);
        b.put(MAGIC).putShort((short) 1).putShort((short) 0).putInt(headerLength)
                .putInt(w.inputSize()).putInt(layers.size());
        for (DenseWeights d : layers) {
            b.putInt(d.units()).putShort((short) d.activation().code()).putShort((short) 0);
        }
        Metadata m = w.metadata();
        b.putInt(m.epochs()).putDouble(m.validationAccuracy()).putLong(m.created().toEpochMilli())
                .putShort((short) dataset.length).put(dataset);
        return b.array(); // the rest is zero padding
    }

    private static List<DenseWeights> denseLayers(Weights w) {
        List<DenseWeights> out = new ArrayList<>();
        for (Layer l : w.layers()) out.add((DenseWeights) l);
        return out;
    }

    /** A layer's tensors in file order (both versions). */
    static float[][] tensors(Layer layer) {
        return switch (layer) {
            case DenseWeights d -> new float[][] {d.kernel(), d.bias()};
            case Conv2D c -> new float[][] {c.kernel(), c.bias()};
            case BatchNorm b -> new float[][] {b.gamma(), b.beta(), b.mean(), b.variance()};
            case MaxPool2D p -> new float[0][];
            case Flatten f -> new float[0][];
            case Reshape r -> new float[0][];
            case ActivationLayer a -> new float[0][];
        };
    }

    static void checkFinite(float[] a, int layer, String part) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) throw new IllegalArgumentException("weight at layer " + layer + ", " + part
                    + " index " + i + " is " + a[i] + ": weights that are not finite cannot be saved");
        }
    }
}
