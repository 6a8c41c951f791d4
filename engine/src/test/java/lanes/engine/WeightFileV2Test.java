package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight file version 2: the documented layout, round trips of every layer type, and hostile files. */
class WeightFileV2Test {

    @TempDir
    Path dir;

    /** Every layer type on a 5×5×1 input: 7 layers, 55 parameters, labels, a range and provenance. */
    static Weights small() {
        SplittableRandom r = new SplittableRandom(3);
        List<Layer> l = List.of(
                TestNetworks.conv(r, 3, 1, 2, 1, Padding.same(5, 5, 3, 3, 1, 1), Activation.LINEAR),
                TestNetworks.batchNorm(r, 2),
                new ActivationLayer(Activation.RELU),
                new MaxPool2D(2, 2, 2, 2, Padding.VALID),
                new Reshape(new Shape(1, 2, 4)),
                new Flatten(),
                TestNetworks.dense(r, 8, 3, Activation.SOFTMAX));
        return new Weights(new Shape(5, 5, 1), l, new Metadata("digits", 4, 0.5, Instant.ofEpochMilli(1_700_000_000_123L)),
                new InputRange(0, 255), List.of("zero", "one", "zwei"), new Provenance("keras", "m.h5", "2.14.0"));
    }

    /**
     * An encoder written from docs/weight-format.md's version 2 section alone, independent of WeightFile:
     * the writer must produce exactly these bytes.
     */
    static byte[] handEncode(Weights w) {
        List<byte[]> strings = new ArrayList<>();
        strings.add(w.metadata().dataset().getBytes(StandardCharsets.UTF_8));
        strings.add(w.provenance().format().getBytes(StandardCharsets.UTF_8));
        strings.add(w.provenance().fileName().getBytes(StandardCharsets.UTF_8));
        strings.add(w.provenance().frameworkVersion().getBytes(StandardCharsets.UTF_8));
        for (String s : w.labels()) strings.add(s.getBytes(StandardCharsets.UTF_8));
        int raw = 64 + 32 * w.layers().size();
        for (byte[] s : strings) raw += 2 + s.length;
        int header = (raw + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(header + 4 * (int) w.parameterCount() + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("LANESNW\0".getBytes(StandardCharsets.US_ASCII)).putShort((short) 2).putShort((short) 0).putInt(header);
        b.putInt(w.layers().size()).putInt(w.inputShape().height()).putInt(w.inputShape().width())
                .putInt(w.inputShape().channels()).putFloat(w.inputRange().low()).putFloat(w.inputRange().high());
        b.putInt(w.metadata().epochs()).putDouble(w.metadata().validationAccuracy())
                .putLong(w.metadata().created().toEpochMilli()).putInt(w.labels().size());
        for (Layer layer : w.layers()) {
            int[] a = new int[7];
            int type, act = 0;
            switch (layer) {
                case DenseWeights d -> { type = 1; act = d.activation().code(); a[0] = d.units(); }
                case Conv2D c -> {
                    type = 2; act = c.activation().code();
                    a = new int[] {c.kernelH(), c.kernelW(), c.filters(), c.strideH(), c.strideW(),
                            c.padding().top() | c.padding().left() << 16, c.padding().bottom() | c.padding().right() << 16};
                }
                case MaxPool2D p -> {
                    type = 3;
                    a = new int[] {p.poolH(), p.poolW(), 0, p.strideH(), p.strideW(),
                            p.padding().top() | p.padding().left() << 16, p.padding().bottom() | p.padding().right() << 16};
                }
                case Flatten f -> type = 4;
                case Reshape r -> { type = 5; a[0] = r.target().height(); a[1] = r.target().width(); a[2] = r.target().channels(); }
                case ActivationLayer al -> { type = 6; act = al.activation().code(); }
                case BatchNorm n -> { type = 7; a[0] = Float.floatToRawIntBits(n.epsilon()); }
            }
            b.putShort((short) type).putShort((short) act);
            for (int v : a) b.putInt(v);
        }
        for (byte[] s : strings) b.putShort((short) s.length).put(s);
        b.position(header);
        for (Layer layer : w.layers()) {
            switch (layer) {
                case DenseWeights d -> { put(b, d.kernel()); put(b, d.bias()); }
                case Conv2D c -> { put(b, c.kernel()); put(b, c.bias()); }
                case BatchNorm n -> { put(b, n.gamma()); put(b, n.beta()); put(b, n.mean()); put(b, n.variance()); }
                default -> { }
            }
        }
        return withCrc(b.array());
    }

    private static void put(ByteBuffer b, float[] a) {
        for (float f : a) b.putFloat(f);
    }

    static byte[] withCrc(byte[] file) {
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    static Weights readBytes(byte[] b) throws WeightFileException {
        return WeightFile.read(new ByteArrayInputStream(b), "test.lnw");
    }

    /** Both read paths refuse {@code b} with a WeightFileException (nothing else); returns the stream's problem. */
    private String refused(byte[] b) throws IOException {
        var s = assertThrows(WeightFileException.class, () -> readBytes(b));
        assertEquals("test.lnw", s.source());
        Path f = dir.resolve("hostile.lnw");
        Files.write(f, b);
        var p = assertThrows(WeightFileException.class, () -> WeightFile.read(f));
        assertEquals(f.toString(), p.source());
        return s.problem();
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    @Test
    void layoutMatchesTheDocumentedFormat() throws IOException {
        for (Weights w : List.of(small(), TestNetworks.lenet(1), TestNetworks.bnStride2(2, new InputRange(-1, 1)))) {
            byte[] written = WeightFile.encode(w);
            assertArrayEquals(handEncode(w), written);
            assertEquals(2, written[8]);
        }
        // The documented example: small() has a 64 + 7·32 = 288-byte table, strings 2+6, 2+5, 2+4, 2+6,
        // 2+4, 2+3, 2+4 = 46 bytes: header align8(334) = 336; 55 parameters; 336 + 220 + 4 = 560 bytes.
        byte[] b = WeightFile.encode(small());
        assertEquals(55, small().parameterCount());
        assertEquals(560, b.length);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(336, h.getInt(12));
        assertEquals(7, h.getInt(16));
        assertEquals(255f, h.getFloat(36));
        assertEquals(3, h.getInt(60));
        assertEquals(2, h.getShort(64)); // layer 0: Conv2D
        assertEquals(1 | 1 << 16, h.getInt(64 + 4 + 5 * 4)); // same padding 1 top, 1 left
    }

    @Test
    void everyLayerTypeRoundTripsThroughAFileAndPredictsTheSame() throws IOException {
        for (Weights w : List.of(small(), TestNetworks.lenet(4), TestNetworks.bnStride2(5, new InputRange(0, 255)))) {
            Path f = dir.resolve("net.lnw");
            WeightFile.write(f, w);
            Weights back = WeightFile.read(f);
            assertEquals(w, back);
            assertEquals(w.labels(), back.labels());
            assertEquals(w.provenance(), back.provenance());
            assertEquals(w.inputRange(), back.inputRange());
            Model m = Model.load(f);
            Model ref = Model.of(w, KernelsProvider.get());
            float[] x = TestNetworks.input(8, w.inputSize());
            float[] p = new float[m.outputs()], q = new float[m.outputs()];
            assertEquals(ref.predict(x, q), m.predict(x, p));
            LayerModelTest.assertBits(q, p, "model from " + f);
        }
        // A v1-expressible network is still written as version 1, byte for byte.
        Weights mlp = TestWeights.model(1, Metadata.unknown(), 3, Activation.SOFTMAX, 4, 2);
        assertEquals(1, WeightFile.encode(mlp)[8]);
        // ... but with labels, a range, another provenance or a v2 activation it is version 2.
        Weights labelled = new Weights(mlp.inputShape(), mlp.layers(), mlp.metadata(), mlp.inputRange(),
                List.of("a", "b"), mlp.provenance());
        assertEquals(2, WeightFile.encode(labelled)[8]);
        assertEquals(labelled, readBytes(WeightFile.encode(labelled)));
    }

    @Test
    void everyTruncationAndEveryBitFlipIsRefused() throws IOException {
        byte[] good = WeightFile.encode(small());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            var e = assertThrows(WeightFileException.class, () -> readBytes(cut), "truncated to " + n);
            assertTrue(e.problem().contains("truncated") || e.problem().contains("bad magic"), n + ": " + e.problem());
        }
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = good.clone();
                flipped[i] ^= (byte) (1 << bit);
                assertThrows(WeightFileException.class, () -> readBytes(flipped), "bit " + bit + " of byte " + i);
            }
        }
        assertEquals(small(), readBytes(good));
    }

    /** small()'s bytes with one u32 (or u16) changed and the checksum recomputed: only the field checks can refuse it. */
    private static byte[] with(int offset, int value, int bytes) {
        byte[] b = WeightFile.encode(small());
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes == 2) h.putShort(offset, (short) value); else h.putInt(offset, value);
        return withCrc(b);
    }

    private static int entry(int layer, int field) {
        return 64 + 32 * layer + field;
    }

    private static int attribute(int layer, int k) {
        return entry(layer, 4 + 4 * k);
    }

    @Test
    void badAttributesAreRefusedByName() throws IOException {
        assertContains(refused(with(entry(0, 0), 9, 2)), "layer 0 has an unknown type code 9");
        assertContains(refused(with(entry(0, 2), 7, 2)), "bad activation code 7 for layer 0 (Conv2D)");
        assertContains(refused(with(entry(3, 2), 1, 2)), "layer 3 (MaxPool2D) has activation code 1, must be 0");
        assertContains(refused(with(attribute(0, 3), 0, 4)), "layer 0 (Conv2D): attribute 3 (stride height) is 0");
        assertContains(refused(with(attribute(0, 0), 8, 4)), "layer 0 (Conv2D) does not fit its input 5×5×1: Conv2D: a height window of 8 does not fit an input of 5 padded to 7");
        assertContains(refused(with(attribute(3, 5), 2, 4)), "MaxPool2D padding must be smaller");
        assertContains(refused(with(attribute(3, 2), 5, 4)), "layer 3 (MaxPool2D): attribute 2 is 5, must be 0");
        assertContains(refused(with(attribute(5, 0), 1, 4)), "layer 5 (Flatten): attribute 0 is 1, must be 0");
        assertContains(refused(with(attribute(4, 2), 5, 4)), "layer 4 (Reshape) does not fit its input 2×2×2");
        assertContains(refused(with(attribute(1, 0), Float.floatToRawIntBits(Float.NaN), 4)), "epsilon NaN");
        assertContains(refused(with(attribute(1, 0), Float.floatToRawIntBits(-1e-3f), 4)), "epsilon -0.001");
        assertContains(refused(with(attribute(6, 0), 4, 4)), "the file has 3 labels for 4 outputs");
        assertContains(refused(with(32, Float.floatToRawIntBits(255f), 4)), "input range [255.0, 255.0]");
        assertContains(refused(with(20, 0, 4)), "input shape 0×5×1");
        assertContains(refused(with(16, 65, 4)), "layer count 65 is outside 1..64");
        assertContains(refused(with(60, 70000, 4)), "label count 70000 exceeds 65536");
        assertContains(refused(with(12, 344, 4)), "does not match its contents");
        assertContains(refused(with(10, 1, 2)), "unknown flags 0x0001");
        // Sizes that would need huge scratch or tensors are refused from the header, before any allocation.
        byte[] big = with(20, 1 << 12, 4);
        ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 1 << 12);
        assertContains(refused(withCrc(big)), "layer 0 (Conv2D) outputs 4096×4096×2, more than 16777216 values");
        byte[] lenet = WeightFile.encode(TestNetworks.lenet(1));
        ByteBuffer.wrap(lenet).order(ByteOrder.LITTLE_ENDIAN).putInt(attribute(5, 0), 1 << 20); // dense 120 -> 2^20
        assertContains(refused(withCrc(lenet.clone())), "declares 508562866 parameters (2034251804 bytes), more than the 1 GiB");
        ByteBuffer.wrap(lenet).order(ByteOrder.LITTLE_ENDIAN).putInt(attribute(5, 0), 1 << 16); // 22 MB of tensors
        assertContains(refused(withCrc(lenet)), "truncated"); // a stream: arrays grow with the bytes received
        Path f = dir.resolve("lying.lnw");
        Files.write(f, lenet);
        var e = assertThrows(WeightFileException.class, () -> WeightFile.read(f));
        assertContains(e.problem(), "truncated at offset " + lenet.length + ": the header declares ");
    }

    @Test
    void stringsAndWeightsAreChecked() throws IOException {
        // The provenance format (second string) emptied: lengths 6, 0 and the rest shifted by 5 bytes, padded.
        byte[] good = WeightFile.encode(small());
        int strings = 64 + 7 * 32, format = strings + 2 + 6;
        ByteBuffer h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5, h.getShort(format));
        byte[] badUtf8 = good.clone();
        badUtf8[format + 2] = (byte) 0xC3; // a lead byte followed by 'e' (not a continuation byte)
        assertContains(refused(withCrc(badUtf8)), "the provenance format is not valid UTF-8");
        // A non-finite variance with a valid checksum: reported by layer, tensor and index.
        Weights w = small();
        BatchNorm bn = (BatchNorm) w.layers().get(1);
        float[] variance = bn.variance().clone();
        variance[1] = Float.POSITIVE_INFINITY;
        List<Layer> layers = new ArrayList<>(w.layers());
        layers.set(1, new BatchNorm(bn.gamma(), bn.beta(), bn.mean(), variance, bn.epsilon()));
        Weights infinite = new Weights(w.inputShape(), layers, w.metadata(), w.inputRange(), w.labels(), w.provenance());
        var e = assertThrows(IllegalArgumentException.class, () -> WeightFile.encode(infinite));
        assertContains(e.getMessage(), "layer 1, variance index 1");
        assertContains(refused(handEncode(infinite)), "non-finite weight at layer 1, variance index 1: Infinity");
    }
}
