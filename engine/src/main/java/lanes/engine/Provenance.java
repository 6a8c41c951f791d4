package lanes.engine;

import java.nio.charset.StandardCharsets;

/**
 * Where a network came from: the format it was trained or imported from, the source file's name and the
 * framework version that wrote it. Informational only: nothing in inference depends on it.
 *
 * @param format           "lanes", "onnx", "keras" (any non-empty text of at most {@value #MAX_BYTES} bytes)
 * @param fileName         the source file's name; may be empty
 * @param frameworkVersion the version of the framework that wrote the source (a Keras or ONNX producer
 *                         version); may be empty
 */
public record Provenance(String format, String fileName, String frameworkVersion) {

    /** The longest text each field may have, in UTF-8 bytes (the weight file's limit). */
    public static final int MAX_BYTES = 1024;

    /** @throws IllegalArgumentException if a field is null, too long or not valid Unicode, or format is empty */
    public Provenance {
        check("format", format);
        check("fileName", fileName);
        check("frameworkVersion", frameworkVersion);
        if (format.isEmpty()) throw new IllegalArgumentException("format is empty (use \"lanes\", \"onnx\" or \"keras\")");
    }

    /** Trained by Lanes: format "lanes", no source file, no framework version. */
    public static Provenance lanes() {
        return new Provenance("lanes", "", "");
    }

    /** Whether this is {@link #lanes()}. */
    public boolean isLanes() {
        return equals(lanes());
    }

    static void check(String what, String s) {
        if (s == null) throw new IllegalArgumentException(what + " is null");
        int bytes = utf8(what, s).length;
        if (bytes > MAX_BYTES) throw new IllegalArgumentException(
                what + " is " + bytes + " bytes of UTF-8, at most " + MAX_BYTES + " are allowed");
    }

    /** s as UTF-8, refusing unpaired surrogates (which would not read back as written). */
    static byte[] utf8(String what, String s) {
        try {
            java.nio.ByteBuffer b = StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate)");
        }
    }
}
