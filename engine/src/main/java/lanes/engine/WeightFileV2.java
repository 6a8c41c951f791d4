package lanes.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Version 2 of the weight file ({@code docs/weight-format.md}): a list of typed layers on a shaped input,
 * the input range, class labels and provenance. {@link WeightFile} owns the envelope (magic, version,
 * atomic writes, the checksum, the payload); this class owns the version 2 header.
 *
 * <p>Reading computes every layer's shape and parameter count from the header alone, so the file's
 * length is checked before any tensor is allocated, exactly as in version 1.
 */
final class WeightFileV2 {
    private WeightFileV2() {}

    static final int VERSION = 2;
    /** Magic, version, flags, header length, layer count, input shape, range, metadata, label count. */
    static final int FIXED_HEADER_BYTES = 64;
    /** Type (u16), activation (u16), seven u32 attributes. */
    static final int LAYER_ENTRY_BYTES = 32;
    static final int ATTRIBUTES = 7;
    /** At most this many class labels. */
    static final int MAX_LABELS = 1 << 16;
    /** At most this many values in any layer's input or output (per example). */
    static final int MAX_VALUES = 1 << 24;
    /** At most this large a kernel or pooling window side, or stride. */
    static final int MAX_WINDOW = 0xFFFF;

    // Layer type codes: on disk, never renumber.
    static final int DENSE = 1, CONV2D = 2, MAX_POOL2D = 3, FLATTEN = 4, RESHAPE = 5, ACTIVATION = 6, BATCH_NORM = 7;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // ---------------------------------------------------------------------------------------------------
    // Writing

    /** The version 2 header of {@code w}; checks the format's limits (the reader would refuse anything else). */
    static byte[] encodeHeader(Weights w) {
        List<Layer> layers = w.layers();
        if (layers.size() > WeightFile.MAX_LAYERS) throw new IllegalArgumentException(
                layers.size() + " layers exceed the weight file's limit of " + WeightFile.MAX_LAYERS);
        if (w.labels().size() > MAX_LABELS) throw new IllegalArgumentException(
                w.labels().size() + " labels exceed the weight file's limit of " + MAX_LABELS);
        Shape in = w.inputShape();
        checkShape("the input", in);
        List<byte[]> strings = new ArrayList<>();
        strings.add(w.metadata().datasetUtf8());
        Provenance p = w.provenance();
        strings.add(Provenance.utf8("format", p.format()));
        strings.add(Provenance.utf8("fileName", p.fileName()));
        strings.add(Provenance.utf8("frameworkVersion", p.frameworkVersion()));
        for (String label : w.labels()) strings.add(Provenance.utf8("label", label));
        int raw = FIXED_HEADER_BYTES + layers.size() * LAYER_ENTRY_BYTES;
        for (byte[] s : strings) raw += 2 + s.length;
        int headerLength = (raw + 7) & ~7;

        ByteBuffer b = ByteBuffer.allocate(headerLength).order(LE);
        Metadata m = w.metadata();
        b.put(WeightFile.MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(headerLength)
                .putInt(layers.size()).putInt(in.height()).putInt(in.width()).putInt(in.channels())
                .putFloat(w.inputRange().low()).putFloat(w.inputRange().high())
                .putInt(m.epochs()).putDouble(m.validationAccuracy()).putLong(m.created().toEpochMilli())
                .putInt(w.labels().size());
        Shape s = in;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int[] a = new int[ATTRIBUTES];
            int type, act = 0;
            switch (layer) {
                case DenseWeights d -> {
                    type = DENSE;
                    act = d.activation().code();
                    a[0] = d.units();
                }
                case Conv2D c -> {
                    type = CONV2D;
                    act = c.activation().code();
                    window(i, c.kernelH(), c.kernelW(), c.strideH(), c.strideW());
                    a[0] = c.kernelH();
                    a[1] = c.kernelW();
                    a[2] = c.filters();
                    a[3] = c.strideH();
                    a[4] = c.strideW();
                    pads(a, c.padding());
                }
                case MaxPool2D p2 -> {
                    type = MAX_POOL2D;
                    window(i, p2.poolH(), p2.poolW(), p2.strideH(), p2.strideW());
                    a[0] = p2.poolH();
                    a[1] = p2.poolW();
                    a[3] = p2.strideH();
                    a[4] = p2.strideW();
                    pads(a, p2.padding());
                }
                case Flatten f -> type = FLATTEN;
                case Reshape r -> {
                    type = RESHAPE;
                    a[0] = r.target().height();
                    a[1] = r.target().width();
                    a[2] = r.target().channels();
                }
                case ActivationLayer l -> {
                    type = ACTIVATION;
                    act = l.activation().code();
                }
                case BatchNorm n -> {
                    type = BATCH_NORM;
                    a[0] = Float.floatToRawIntBits(n.epsilon());
                }
            }
            s = layer.outputShape(s);
            checkShape("layer " + i + "'s output", s);
            float[][] t = WeightFile.tensors(layer);
            for (int k = 0; k < t.length; k++) WeightFile.checkFinite(t[k], i, tensorName(type, k));
            b.putShort((short) type).putShort((short) act);
            for (int v : a) b.putInt(v);
        }
        for (byte[] str : strings) b.putShort((short) str.length).put(str);
        long size = WeightFile.fileSize(headerLength, w.parameterCount());
        if (size > WeightFile.MAX_FILE_BYTES) throw new IllegalArgumentException(w.parameterCount() + " parameters need "
                + size + " bytes, more than the " + (WeightFile.MAX_FILE_BYTES >> 30) + " GiB a weight file may have");
        return b.array(); // the rest is zero padding
    }

    private static void pads(int[] a, Padding p) {
        a[5] = p.top() | p.left() << 16;
        a[6] = p.bottom() | p.right() << 16;
    }

    private static void window(int layer, int h, int w, int sh, int sw) {
        if (h > MAX_WINDOW || w > MAX_WINDOW || sh > MAX_WINDOW || sw > MAX_WINDOW) throw new IllegalArgumentException(
                "layer " + layer + ": windows and strides above " + MAX_WINDOW + " do not fit the weight file");
    }

    private static void checkShape(String what, Shape s) {
        if (s.size() > MAX_VALUES) throw new IllegalArgumentException(
                what + " " + s + " has more than the weight file's limit of " + MAX_VALUES + " values");
    }

    // ---------------------------------------------------------------------------------------------------
    // Reading

    /** One layer as the header describes it, before its tensors are read. */
    private record Entry(int type, Activation activation, int[] a, Shape in, Shape out, int[] tensorSizes) {}

    /** Parses the rest of a version 2 file; the reader has consumed the magic and the next 8 bytes ({@code b}). */
    static Weights parse(WeightFile.Reader r, ByteBuffer first) throws WeightFileException {
        int flags = Short.toUnsignedInt(first.getShort(2));
        if (flags != 0) throw r.fail(String.format("unknown flags 0x%04x at offset 10 (version 2 defines none)", flags));
        long headerLength = Integer.toUnsignedLong(first.getInt(4));
        ByteBuffer b = r.read(FIXED_HEADER_BYTES - 16, "the header");
        long layerCount = Integer.toUnsignedLong(b.getInt(0));
        if (layerCount < 1 || layerCount > WeightFile.MAX_LAYERS)
            throw r.fail("layer count " + layerCount + " is outside 1.." + WeightFile.MAX_LAYERS);
        int layers = (int) layerCount;
        Shape input = shape(r, "input shape", b.getInt(4), b.getInt(8), b.getInt(12));
        float low = b.getFloat(16), high = b.getFloat(20);
        InputRange range;
        try {
            range = new InputRange(low, high);
        } catch (IllegalArgumentException e) {
            throw r.fail("input range [" + low + ", " + high + "] is not a finite low < high");
        }
        int epochs = b.getInt(24);
        if (epochs < 0) throw r.fail("negative epoch count " + epochs);
        double accuracy = b.getDouble(28);
        if (!Double.isNaN(accuracy) && !(accuracy >= 0 && accuracy <= 1))
            throw r.fail("validation accuracy " + accuracy + " is neither in [0, 1] nor NaN");
        long createdMillis = b.getLong(36);
        long labelCount = Integer.toUnsignedLong(b.getInt(44));
        if (labelCount > MAX_LABELS) throw r.fail("label count " + labelCount + " exceeds " + MAX_LABELS);
        int strings = 4 + (int) labelCount;
        long minHeader = FIXED_HEADER_BYTES + (long) layers * LAYER_ENTRY_BYTES + 2L * strings;
        long maxHeader = minHeader + 4L * Metadata.MAX_DATASET_BYTES + labelCount * Weights.MAX_LABEL_BYTES + 7;
        if (headerLength < minHeader || headerLength > maxHeader || headerLength % 8 != 0)
            throw r.fail("header length " + headerLength + " is impossible for " + layers + " layers and "
                    + labelCount + " labels (a multiple of 8 in " + minHeader + ".." + maxHeader + ")");

        // The layer table: shapes and parameter counts, all from the header.
        b = r.read(layers * LAYER_ENTRY_BYTES, "the layer table");
        List<Entry> entries = new ArrayList<>(layers);
        Shape s = input;
        long parameters = 0;
        for (int i = 0; i < layers; i++) {
            Entry e = entry(r, b, i, s);
            entries.add(e);
            for (int t : e.tensorSizes) parameters += t;
            s = e.out;
        }
        if (labelCount != 0 && labelCount != s.size()) throw r.fail("the file has " + labelCount
                + " labels for " + s.size() + " outputs (labels must be none or one per output)");

        // Strings: dataset, provenance, labels.
        long at = FIXED_HEADER_BYTES + (long) layers * LAYER_ENTRY_BYTES;
        String[] text = new String[strings];
        String[] names = {"dataset name", "provenance format", "provenance file name", "provenance framework version"};
        for (int k = 0; k < strings; k++) {
            String what = k < 4 ? names[k] : "label " + (k - 4);
            int limit = k < 4 ? Metadata.MAX_DATASET_BYTES : Weights.MAX_LABEL_BYTES;
            if (at + 2 > headerLength) throw r.fail("the " + what + " starts past the header length " + headerLength);
            int length = Short.toUnsignedInt(r.read(2, "the " + what + "'s length").getShort(0));
            if (length > limit) throw r.fail("the " + what + " is " + length + " bytes, more than " + limit);
            if (at + 2 + length > headerLength) throw r.fail("the " + what + " runs past the header length " + headerLength);
            text[k] = utf8(r, r.read(length, "the " + what), what);
            at += 2 + length;
        }
        if (text[1].isEmpty()) throw r.fail("the provenance format is empty");
        if ((at + 7 & ~7) != headerLength) throw r.fail("header length " + headerLength
                + " does not match its contents (" + at + " bytes before padding)");
        ByteBuffer pad = r.read((int) (headerLength - at), "the header padding");
        for (int i = 0; i < pad.limit(); i++) {
            if (pad.get(i) != 0) throw r.fail("header padding at offset " + (at + i) + " is not zero");
        }

        long expectedSize = WeightFile.fileSize(headerLength, parameters);
        if (expectedSize > WeightFile.MAX_FILE_BYTES) throw r.fail("declares " + parameters + " parameters ("
                + expectedSize + " bytes), more than the " + (WeightFile.MAX_FILE_BYTES >> 30) + " GiB a weight file may have");
        r.expectSize(expectedSize);

        List<float[][]> tensors = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            int[] sizes = entries.get(i).tensorSizes;
            float[][] t = new float[sizes.length][];
            for (int k = 0; k < sizes.length; k++) t[k] = r.readFloats(sizes[k], i, tensorName(entries.get(i).type, k));
            tensors.add(t);
        }
        r.checkCrcAndEnd();
        try {
            List<Layer> list = new ArrayList<>(layers);
            for (int i = 0; i < layers; i++) list.add(layer(entries.get(i), tensors.get(i)));
            List<String> labels = List.of(text).subList(4, strings);
            return new Weights(input, list, new Metadata(text[0], epochs, accuracy, Instant.ofEpochMilli(createdMillis)),
                    range, labels, new Provenance(text[1], text[2], text[3]));
        } catch (IllegalArgumentException e) { // every field was checked above; kept as a safety net
            throw r.fail("inconsistent contents: " + e.getMessage());
        }
    }

    private static Shape shape(WeightFile.Reader r, String what, int h, int w, int c) throws WeightFileException {
        long hh = Integer.toUnsignedLong(h), ww = Integer.toUnsignedLong(w), cc = Integer.toUnsignedLong(c);
        // Each side first: three u32 sides can multiply past a long.
        if (hh < 1 || ww < 1 || cc < 1 || hh > MAX_VALUES || ww > MAX_VALUES || cc > MAX_VALUES || hh * ww * cc > MAX_VALUES) throw r.fail(what + " " + hh + "×" + ww + "×" + cc
                + " is not a shape of 1.." + MAX_VALUES + " values");
        return new Shape((int) hh, (int) ww, (int) cc);
    }

    /** One table entry, checked: its type, activation, attributes, unused attributes zero, output shape. */
    private static Entry entry(WeightFile.Reader r, ByteBuffer b, int i, Shape in) throws WeightFileException {
        int base = i * LAYER_ENTRY_BYTES;
        int type = Short.toUnsignedInt(b.getShort(base));
        int actCode = Short.toUnsignedInt(b.getShort(base + 2));
        int[] a = new int[ATTRIBUTES];
        for (int k = 0; k < ATTRIBUTES; k++) a[k] = b.getInt(base + 4 + 4 * k);
        String name = "layer " + i + " (" + typeName(type) + ")";
        int used = switch (type) {
            case DENSE, RESHAPE -> type == DENSE ? 1 : 3;
            case CONV2D, MAX_POOL2D -> 7;
            case BATCH_NORM -> 1;
            case FLATTEN, ACTIVATION -> 0;
            default -> throw r.fail("layer " + i + " has an unknown type code " + type);
        };
        if (type == MAX_POOL2D && a[2] != 0) throw r.fail(name + ": attribute 2 is " + a[2] + ", must be 0");
        for (int k = used; k < ATTRIBUTES; k++) {
            if (a[k] != 0) throw r.fail(name + ": attribute " + k + " is " + Integer.toUnsignedString(a[k]) + ", must be 0");
        }
        boolean hasActivation = type == DENSE || type == CONV2D || type == ACTIVATION;
        Activation act = Activation.LINEAR;
        if (hasActivation) {
            try {
                act = Activation.ofCode(actCode);
            } catch (IllegalArgumentException e) {
                throw r.fail("bad activation code " + actCode + " for " + name);
            }
        } else if (actCode != 0) {
            throw r.fail(name + " has activation code " + actCode + ", must be 0 (it has no activation)");
        }
        Shape out;
        int[] tensors;
        try {
            switch (type) {
                case DENSE -> {
                    long units = Integer.toUnsignedLong(a[0]);
                    if (units < 1 || units > WeightFile.MAX_UNITS)
                        throw r.fail(name + " has " + units + " units, outside 1.." + WeightFile.MAX_UNITS);
                    out = Shape.vector((int) units);
                    long kernel = (long) in.size() * units;
                    if (kernel > Integer.MAX_VALUE - 8) throw r.fail(name + " has " + kernel + " weights, too many for one tensor");
                    tensors = new int[] {(int) kernel, (int) units};
                }
                case CONV2D -> {
                    checkWindow(r, name, a);
                    long filters = Integer.toUnsignedLong(a[2]);
                    if (filters < 1 || filters > WeightFile.MAX_UNITS)
                        throw r.fail(name + " has " + filters + " filters, outside 1.." + WeightFile.MAX_UNITS);
                    Padding p = padding(a);
                    Conv2D.checkPadding(p, a[0], a[1]);
                    out = new Shape(Geometry.outputSize("Conv2D", "height", in.height(), p.top(), p.bottom(), a[0], a[3]),
                            Geometry.outputSize("Conv2D", "width", in.width(), p.left(), p.right(), a[1], a[4]),
                            (int) filters);
                    long kernel = (long) a[0] * a[1] * in.channels() * filters;
                    if (kernel > Integer.MAX_VALUE - 8) throw r.fail(name + " has " + kernel + " weights, too many for one tensor");
                    tensors = new int[] {(int) kernel, (int) filters};
                }
                case MAX_POOL2D -> {
                    checkWindow(r, name, a);
                    out = new MaxPool2D(a[0], a[1], a[3], a[4], padding(a)).outputShape(in);
                    tensors = new int[0];
                }
                case FLATTEN -> {
                    out = Shape.vector(in.size());
                    tensors = new int[0];
                }
                case RESHAPE -> {
                    out = new Reshape(shape(r, name + " target", a[0], a[1], a[2])).outputShape(in);
                    tensors = new int[0];
                }
                case ACTIVATION -> {
                    out = in;
                    tensors = new int[0];
                }
                default -> { // BATCH_NORM
                    float eps = Float.intBitsToFloat(a[0]);
                    if (!(eps >= 0) || !Float.isFinite(eps)) throw r.fail(name + " has epsilon " + eps + ", must be finite and >= 0");
                    out = in;
                    tensors = new int[] {in.channels(), in.channels(), in.channels(), in.channels()};
                }
            }
        } catch (IllegalArgumentException e) { // a window that does not fit, a reshape of another size
            throw r.fail(name + " does not fit its input " + in + ": " + e.getMessage());
        }
        if (out.size() > MAX_VALUES) throw r.fail(name + " outputs " + out + ", more than " + MAX_VALUES + " values");
        return new Entry(type, act, a, in, out, tensors);
    }

    /** Window sides and strides 1..65535, padding below 65536 (the Padding fields hold u16 each). */
    private static void checkWindow(WeightFile.Reader r, String name, int[] a) throws WeightFileException {
        for (int k : new int[] {0, 1, 3, 4}) {
            long v = Integer.toUnsignedLong(a[k]);
            if (v < 1 || v > MAX_WINDOW) throw r.fail(name + ": attribute " + k + " (" + new String[] {"window height",
                    "window width", "", "stride height", "stride width"}[k] + ") is " + v + ", outside 1.." + MAX_WINDOW);
        }
    }

    private static Padding padding(int[] a) {
        return new Padding(a[5] & 0xFFFF, a[5] >>> 16, a[6] & 0xFFFF, a[6] >>> 16);
    }

    private static Layer layer(Entry e, float[][] t) {
        int[] a = e.a;
        return switch (e.type) {
            case DENSE -> new DenseWeights(e.in.size(), a[0], e.activation, t[0], t[1]);
            case CONV2D -> new Conv2D(a[0], a[1], e.in.channels(), a[2], a[3], a[4], padding(a), e.activation, t[0], t[1]);
            case MAX_POOL2D -> new MaxPool2D(a[0], a[1], a[3], a[4], padding(a));
            case FLATTEN -> new Flatten();
            case RESHAPE -> new Reshape(e.out);
            case ACTIVATION -> new ActivationLayer(e.activation);
            default -> new BatchNorm(t[0], t[1], t[2], t[3], Float.intBitsToFloat(a[0]));
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case DENSE -> "Dense";
            case CONV2D -> "Conv2D";
            case MAX_POOL2D -> "MaxPool2D";
            case FLATTEN -> "Flatten";
            case RESHAPE -> "Reshape";
            case ACTIVATION -> "Activation";
            case BATCH_NORM -> "BatchNorm";
            default -> "type " + type;
        };
    }

    private static String tensorName(int type, int k) {
        if (type == BATCH_NORM) return new String[] {"gamma", "beta", "mean", "variance"}[k];
        return k == 0 ? "kernel" : "bias";
    }

    private static String utf8(WeightFile.Reader r, ByteBuffer bytes, String what) throws WeightFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw r.fail("the " + what + " is not valid UTF-8");
        }
    }
}
