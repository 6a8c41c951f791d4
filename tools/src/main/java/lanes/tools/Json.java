package lanes.tools;

import java.util.Locale;

/** The little JSON the tools print: strings escaped per RFC 8259, floats without locale surprises. */
final class Json {
    private Json() {}

    static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** A finite float as the shortest decimal that reads back to it; NaN/Inf (not JSON) as null. */
    static String number(float v) {
        if (!Float.isFinite(v)) return "null";
        return Float.toString(v).replace("E", "e");
    }
}
