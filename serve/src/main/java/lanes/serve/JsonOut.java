package lanes.serve;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a JSON response straight into a byte array (ASCII for everything but string contents, which
 * are escaped and UTF-8 encoded). Floats are written as the shortest decimal that reads back to the same
 * float ({@link Float#toString}, the exponent lower-cased); NaN and infinities, which JSON lacks, as null.
 */
final class JsonOut {
    private byte[] b;
    private int n;

    JsonOut(int capacity) {
        b = new byte[Math.max(16, capacity)];
    }

    private void room(int k) {
        if (n + k > b.length) b = Arrays.copyOf(b, Math.max(n + k, 2 * b.length));
    }

    /** Appends ASCII text as it is (punctuation, keys known to need no escaping). */
    JsonOut raw(String ascii) {
        int k = ascii.length();
        room(k);
        for (int i = 0; i < k; i++) b[n++] = (byte) ascii.charAt(i);
        return this;
    }

    JsonOut raw(char c) {
        room(1);
        b[n++] = (byte) c;
        return this;
    }

    /** {@code "key": } */
    JsonOut key(String key) {
        return string(key).raw(": ");
    }

    JsonOut string(String s) {
        room(s.length() + 2);
        b[n++] = '"';
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                room(1);
                b[n++] = (byte) c;
                i++;
                continue;
            }
            switch (c) {
                case '"' -> raw("\\\"");
                case '\\' -> raw("\\\\");
                case '\n' -> raw("\\n");
                case '\r' -> raw("\\r");
                case '\t' -> raw("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        raw(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else { // non-ASCII: UTF-8, surrogate pairs together
                        int cp = s.codePointAt(i);
                        byte[] u = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                        room(u.length);
                        System.arraycopy(u, 0, b, n, u.length);
                        n += u.length;
                        i += Character.charCount(cp) - 1;
                    }
                }
            }
            i++;
        }
        room(1);
        b[n++] = '"';
        return this;
    }

    JsonOut number(float v) {
        if (!Float.isFinite(v)) return raw("null");
        String s = Float.toString(v);
        room(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b[n++] = (byte) (c == 'E' ? 'e' : c);
        }
        return this;
    }

    JsonOut number(long v) {
        return raw(Long.toString(v));
    }

    /** {@code [v0, v1, ...]} over {@code values[from, from + count)}. */
    JsonOut floats(float[] values, int from, int count) {
        raw('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) raw(", ");
            number(values[from + i]);
        }
        return raw(']');
    }

    JsonOut ints(int[] values) {
        raw('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) raw(", ");
            number(values[i]);
        }
        return raw(']');
    }

    byte[] array() {
        return b;
    }

    int length() {
        return n;
    }

    @Override
    public String toString() {
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** {@code {"error": message}} */
    static JsonOut error(String message) {
        return new JsonOut(message.length() + 16).raw('{').key("error").string(message).raw("}\n");
    }
}
