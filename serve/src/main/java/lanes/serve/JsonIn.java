package lanes.serve;

import java.nio.charset.StandardCharsets;

/**
 * A pull parser over a request body, just enough JSON for the prediction APIs: objects are walked key by
 * key, other values skipped, and number arrays read straight into one growing {@code float[]} with their
 * shape ({@link #tensor}). No tree, no boxed numbers, no string per number on the common path: a
 * 784-value instance costs its float array and nothing else. Grammar is RFC 8259, strict (a trailing
 * comma or a leading zero is an error), plus the tokens {@code NaN}, {@code Infinity} and
 * {@code -Infinity} that Python's {@code json.dumps} writes: they are read so that the error can say
 * which value is not finite, rather than "malformed JSON".
 *
 * <p>Every error is a {@link HttpError} 400 naming what was expected and where (byte offset).
 */
final class JsonIn {
    /** Nesting deeper than this is refused: no request needs it and recursion must stay bounded. */
    static final int MAX_DEPTH = 32;
    /** The most dimensions a tensor may have. */
    static final int MAX_RANK = 8;

    private final byte[] b;
    private final int end;
    private int pos;
    private int depth;

    JsonIn(byte[] body, int length) {
        this.b = body;
        this.end = length;
    }

    // -------------------------------------------------------------------------------------------
    // structure

    /** The next significant character, without consuming it; -1 at the end. */
    int peek() {
        while (pos < end) {
            byte c = b[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') pos++;
            else return c & 0xff;
        }
        return -1;
    }

    /** The first significant character inside the array that comes next (without consuming anything); -1 if none. */
    int peekNested() {
        if (peek() != '[') return -1;
        int save = pos++;
        int c = peek();
        pos = save;
        return c;
    }

    boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    void expect(char c) {
        if (!consume(c)) throw error(peek() == -1 ? "unexpected end of the body, expected '" + c + "'" : "expected '" + c + "'");
    }

    /** After the top-level value: only blanks may follow. */
    void expectEnd() {
        if (peek() != -1) throw error("unexpected data after the JSON value");
    }

    /** Opens an object; then call {@link #nextKey} until it returns null. */
    void beginObject() {
        if (peek() != '{') throw error("expected a JSON object");
        pos++;
        enter();
        first = true;
    }

    private boolean first;

    /** The next key of the object being read (positioned at its value), or null at its closing brace. */
    String nextKey() {
        if (first) {
            first = false;
            if (consume('}')) {
                depth--;
                return null;
            }
        } else if (consume('}')) {
            depth--;
            return null;
        } else {
            expect(',');
        }
        if (peek() != '"') throw error("expected a key in quotes");
        String key = string();
        expect(':');
        return key;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels");
    }

    /** Skips any value. */
    void skipValue() {
        int c = peek();
        switch (c) {
            case '{' -> {
                pos++;
                enter();
                if (!consume('}')) {
                    do {
                        if (peek() != '"') throw error("expected a key in quotes");
                        skipString();
                        expect(':');
                        skipValue();
                    } while (consume(','));
                    expect('}');
                }
                depth--;
            }
            case '[' -> {
                pos++;
                enter();
                if (!consume(']')) {
                    do skipValue(); while (consume(','));
                    expect(']');
                }
                depth--;
            }
            case '"' -> skipString();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            case -1 -> throw error("unexpected end of the body");
            default -> number();
        }
        first = false;
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= end || b[pos] != word.charAt(i)) throw error("invalid literal, expected " + word);
            pos++;
        }
    }

    /** True (and consumed) when the next value is {@code null}. */
    boolean consumeNull() {
        if (peek() == 'n') {
            literal("null");
            return true;
        }
        return false;
    }

    // -------------------------------------------------------------------------------------------
    // strings

    private void skipString() {
        pos++; // opening quote
        while (true) {
            if (pos >= end) throw error("unterminated string");
            byte c = b[pos++];
            if (c == '"') return;
            if (c == '\\') pos++;
            else if ((c & 0xff) < 0x20) throw error("control character in a string");
        }
    }

    /** A string value, escapes decoded; the body is UTF-8. */
    String string() {
        if (peek() != '"') throw error("expected a string");
        int start = ++pos;
        boolean plain = true;
        while (true) {
            if (pos >= end) throw error("unterminated string");
            byte c = b[pos];
            if (c == '"') break;
            if (c == '\\') {
                plain = false;
                pos += 2;
            } else {
                if ((c & 0xff) < 0x20) throw error("control character in a string");
                pos++;
            }
        }
        if (pos > end) throw error("unterminated string");
        int stop = pos++;
        if (plain) return new String(b, start, stop - start, StandardCharsets.UTF_8);
        StringBuilder s = new StringBuilder(stop - start);
        int i = start;
        while (i < stop) {
            int runStart = i;
            while (i < stop && b[i] != '\\') i++;
            s.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
            if (i >= stop) break;
            char e = (char) b[i + 1];
            i += 2;
            switch (e) {
                case '"' -> s.append('"');
                case '\\' -> s.append('\\');
                case '/' -> s.append('/');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (i + 4 > stop) throw error("bad \\u escape");
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(b[i + k], 16);
                        if (d < 0) throw error("bad \\u escape");
                        v = v * 16 + d;
                    }
                    s.append((char) v);
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
        return s.toString();
    }

    // -------------------------------------------------------------------------------------------
    // numbers

    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    /** An integer value (a JSON number without fraction or exponent, within int range). */
    int integer() {
        peek();
        int start = pos;
        float f = number();
        if (f != (int) f || Float.isNaN(f)) throw error("expected an integer", start);
        for (int i = start; i < pos; i++) {
            if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') throw error("expected an integer", start);
        }
        long v = 0;
        boolean neg = b[start] == '-';
        for (int i = neg ? start + 1 : start; i < pos; i++) {
            v = v * 10 + (b[i] - '0');
            if (v > Integer.MAX_VALUE) throw error("integer out of range", start);
        }
        return (int) (neg ? -v : v);
    }

    /**
     * A JSON number as the nearest float (the same as {@link Float#parseFloat}, which is the oracle in the
     * tests). Fast path, up to 18 significant digits and a power of ten up to 22 (exact as a double):
     * below 2^53 the digits are an exact double too, so one division or multiplication gives the correctly
     * rounded double, and rounding that to float is correct unless it landed exactly on a midpoint between
     * two floats. Above 2^53 (the 17-digit numbers Python writes for float32 values) the digits are rounded
     * to double first: the result is then within a few double ulps of the true value, and the float is
     * still correct unless that is within 16 ulps of a midpoint. The doubtful cases, numbers outside
     * float's normal range, and longer numbers go through {@link Float#parseFloat}.
     */
    float number() {
        peek();
        int start = pos;
        boolean neg = false;
        if (pos < end && b[pos] == '-') {
            neg = true;
            pos++;
        }
        if (pos < end && (b[pos] == 'N' || b[pos] == 'I')) {
            if (b[pos] == 'N' && !neg) {
                literal("NaN");
                return Float.NaN;
            }
            literal("Infinity");
            return neg ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        long mant = 0;
        int digits = 0, exp10 = 0;
        boolean slow = false;
        if (pos >= end || !isDigit(b[pos])) throw error("expected a number", start);
        if (b[pos] == '0') {
            pos++;
            if (pos < end && isDigit(b[pos])) throw error("a number may not have a leading zero", start);
        } else {
            while (pos < end && isDigit(b[pos])) {
                if (digits < 18) {
                    mant = mant * 10 + (b[pos] - '0');
                    digits++;
                } else {
                    slow = true;
                }
                pos++;
            }
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            if (pos >= end || !isDigit(b[pos])) throw error("expected a digit after the decimal point", start);
            while (pos < end && isDigit(b[pos])) {
                if (digits < 18) {
                    mant = mant * 10 + (b[pos] - '0');
                    if (mant != 0) digits++;
                    exp10--;
                } else {
                    slow = true;
                }
                pos++;
            }
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            boolean eneg = false;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) eneg = b[pos++] == '-';
            if (pos >= end || !isDigit(b[pos])) throw error("expected a digit in the exponent", start);
            int e = 0;
            while (pos < end && isDigit(b[pos])) {
                if (e < 100_000) e = e * 10 + (b[pos] - '0');
                pos++;
            }
            exp10 += eneg ? -e : e;
        }
        if (mant == 0 && !slow) return neg ? -0f : 0f;
        if (!slow && exp10 >= -22 && exp10 <= 22) {
            double d = exp10 < 0 ? mant / POW10[-exp10] : mant * POW10[exp10];
            // The double's bits below float precision: 0x1000_0000 is exactly half a float ulp.
            long below = Double.doubleToRawLongBits(d) & 0x1FFF_FFFFL;
            boolean unsure = mant < (1L << 53)
                    ? below == 0x1000_0000L                          // one rounding: only an exact midpoint is in doubt
                    : Math.abs(below - 0x1000_0000L) <= 16;          // two roundings (long to double, then /): a few ulps
            if (!unsure && d >= 0x1p-125 && d <= 0x1p127) return (float) (neg ? -d : d);
        }
        return Float.parseFloat(new String(b, start, pos - start, StandardCharsets.ISO_8859_1));
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    // -------------------------------------------------------------------------------------------
    // tensors

    /**
     * Reads a number or a nested array of numbers into {@code into}, appending its values in row-major
     * order; returns the shape (empty for a single number). Rows must be regular ("ragged" is an error
     * naming the row) and at most {@link #MAX_RANK} deep; {@code what} names the value in errors.
     * At most {@code maxValues} values in all are read.
     */
    int[] tensor(String what, Floats into, int maxValues) {
        int c = peek();
        if (c != '[') {
            if (c == '"' || c == '{' || c == 't' || c == 'f' || c == 'n' || c == -1)
                throw invalid(what + " must be a number or an array of numbers");
            into.add(number());
            return new int[0];
        }
        this.into = into;
        this.limit = maxValues;
        this.maxValues = into.size + (long) maxValues;
        this.what = what;
        rank = -1;
        java.util.Arrays.fill(dims, -1);
        level(0);
        return java.util.Arrays.copyOf(dims, rank);
    }

    private Floats into;
    private long maxValues;
    private int limit;
    private String what;
    private int rank;
    private final int[] dims = new int[MAX_RANK];
    private final int[] index = new int[MAX_RANK];

    private void level(int d) {
        if (d >= MAX_RANK) throw invalid(path(d) + " is nested deeper than " + MAX_RANK + " levels");
        pos++; // '['
        int n = 0;
        if (!consume(']')) {
            do {
                index[d] = n;
                int c = peek();
                if (c == '[') {
                    if (rank >= 0 && d + 1 >= rank) throw invalid(path(d + 1) + " is an array where a number was expected");
                    level(d + 1);
                } else if (c == '-' || c == 'N' || c == 'I' || (c >= '0' && c <= '9')) {
                    if (rank < 0) rank = d + 1;
                    else if (d + 1 != rank) throw invalid(path(d + 1) + " is a number where an array was expected");
                    if (into.size >= maxValues) throw invalid(what + " has more than " + limit + " values");
                    into.add(number());
                } else if (c == 'n') {
                    throw invalid(path(d + 1) + " is null, not a number");
                } else if (c == -1) {
                    throw error("unexpected end of the body inside " + path(d + 1));
                } else {
                    throw invalid(path(d + 1) + " is not a number");
                }
                n++;
            } while (consume(','));
            expect(']');
        } else if (rank < 0) {
            rank = d + 1;
        } else if (d + 1 != rank) {
            throw invalid(path(d) + " is empty where an array was expected");
        }
        if (dims[d] < 0) dims[d] = n;
        else if (dims[d] != n) throw invalid(path(d) + " has " + n + " elements, the first row at this level had "
                + dims[d] + " (arrays must be regular)");
    }

    private String path(int d) {
        StringBuilder s = new StringBuilder(what);
        for (int i = 0; i < d; i++) s.append('[').append(index[i]).append(']');
        return s.toString();
    }

    // -------------------------------------------------------------------------------------------

    HttpError error(String message) {
        return error(message, pos);
    }

    /** Well-formed JSON that is not what the API takes: the message says what, without a byte offset. */
    private static HttpError invalid(String message) {
        return HttpError.badRequest(message);
    }

    private HttpError error(String message, int at) {
        return HttpError.badRequest("malformed JSON at byte " + at + ": " + message);
    }

    /** A growing float array: the values of a tensor. */
    static final class Floats {
        float[] a;
        int size;

        Floats(int capacity) {
            a = new float[Math.max(1, capacity)];
        }

        void add(float v) {
            if (size == a.length) a = java.util.Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, 2L * a.length));
            a[size++] = v;
        }
    }
}
