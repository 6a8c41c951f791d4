package lanes.interchange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the model configs Keras writes: objects become {@code Map<String, Object>}
 * (in file order), arrays {@code List<Object>}, numbers {@code Double}, and {@code true}, {@code false},
 * {@code null} and strings what they are. Python's {@code json} writes {@code NaN}, {@code Infinity} and
 * {@code -Infinity} for such floats, so they are read too.
 *
 * <p>A config is a few KiB written by a machine; this reader only has to be exact and to refuse anything
 * else cleanly. Nesting is limited ({@link #MAX_DEPTH}) so that a hostile file cannot overflow the stack.
 */
final class Json {
    /** Keras configs nest about ten levels deep; far more is not a config. */
    static final int MAX_DEPTH = 100;

    /** Not JSON, with the character offset where reading stopped. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        final int offset;

        SyntaxException(String message, int offset) {
            super(message + " at character " + offset);
            this.offset = offset;
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** The value {@code text} holds: exactly one, with nothing but white space around it. */
    static Object parse(String text) throws SyntaxException {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value(0);
        json.skipSpace();
        if (json.pos != text.length()) throw json.error("unexpected text after the value");
        return value;
    }

    private Object value(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) throw error("nested more than " + MAX_DEPTH + " levels deep");
        if (pos >= text.length()) throw error("unexpected end of text");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            case 'N' -> literal("NaN", Double.NaN);
            case 'I' -> literal("Infinity", Double.POSITIVE_INFINITY);
            default -> {
                if (c == '-' && text.startsWith("-Infinity", pos)) yield literal("-Infinity", Double.NEGATIVE_INFINITY);
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + printable(c) + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        pos++; // {
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') throw error("expected a quoted key");
            String key = string();
            skipSpace();
            if (peek() != ':') throw error("expected ':' after key \"" + key + "\"");
            pos++;
            skipSpace();
            if (map.containsKey(key)) throw error("key \"" + key + "\" appears twice");
            map.put(key, value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') return Collections.unmodifiableMap(map);
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxException {
        pos++; // [
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') return Collections.unmodifiableList(list);
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string() throws SyntaxException {
        pos++; // "
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return b.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("unterminated \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) throw error("bad \\u escape");
                        code = code * 16 + d;
                    }
                    pos += 4;
                    b.append((char) code);
                }
                default -> {
                    pos--;
                    throw error("bad escape '\\" + printable(e) + "'");
                }
            }
        }
    }

    private Double number() throws SyntaxException {
        int start = pos;
        if (peek() == '-') pos++;
        if (!digits()) throw error("expected a digit");
        if (peek() == '.') {
            pos++;
            if (!digits()) throw error("expected a digit after '.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digits()) throw error("expected a digit in the exponent");
        }
        // The grammar above admits only what Double.parseDouble reads exactly as JSON means it.
        return Double.parseDouble(text.substring(start, pos));
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
        return pos > start;
    }

    private Object literal(String word, Object value) throws SyntaxException {
        if (!text.startsWith(word, pos)) throw error("unexpected character '" + printable(text.charAt(pos)) + "'");
        pos += word.length();
        return value;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private SyntaxException error(String message) {
        return new SyntaxException(message, pos);
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
