package lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The request parser: numbers against Float.parseFloat as the oracle, tensors, strings, and every error. */
class JsonInTest {

    private static JsonIn of(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return new JsonIn(b, b.length);
    }

    private static float parse(String number) {
        JsonIn in = of(number);
        float f = in.number();
        in.expectEnd();
        return f;
    }

    private static void same(String number) {
        float expected = Float.parseFloat(number);
        float got = parse(number);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), number + ": expected " + expected + ", got " + got);
    }

    @Test
    void numbersAreCorrectlyRoundedLikeParseFloat() {
        for (String s : new String[] {"0", "-0", "1", "-1", "0.5", "1e0", "1E2", "1e-2", "0.1", "0.2", "0.3",
            "0.00392156862745098", "3.4028235e38", "3.4028236e38", "1e39", "-1e39", "1.4e-45", "7e-46", "1e-50",
            "1.17549435e-38", "123456789012345678901234567890", "0.1000000000000000055511151231257827",
            "16777217", "16777219", "33554435", "9007199254740993", "1.00000017881393432617187499",
            "1.000000178813934326171875", "1.00000017881393432617187501", "4.2", "255", "0.99999994", "2.5e-7"}) {
            same(s);
        }
        Random rnd = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            String s = switch (i % 5) {
                case 0 -> Float.toString(Float.intBitsToFloat(rnd.nextInt())).replace("Infinity", "1e39").replace("NaN", "0");
                case 1 -> Double.toString(rnd.nextDouble() * Math.pow(10, rnd.nextInt(20) - 10));
                case 2 -> String.format(Locale.ROOT, "%." + rnd.nextInt(12) + "f", rnd.nextDouble());
                case 3 -> (rnd.nextInt(1 << 24) + 1) + "." + rnd.nextInt(1000) + "e" + (rnd.nextInt(80) - 40);
                default -> Long.toString(rnd.nextLong() >>> rnd.nextInt(64)) + "e" + (rnd.nextInt(60) - 50);
            };
            same(s);
        }
        // What Python writes for float32 values (numpy's tolist() gives doubles): 17 significant digits,
        // above 2^53, so the digits themselves are rounded on the way; and random 17- and 18-digit numbers.
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt(0x7f000000) + 0x00800000);
            same(Double.toString((double) f));
            same(Double.toString(rnd.nextFloat()));
            long m = 100_000_000_000_000_000L + (rnd.nextLong() >>> 1) % 900_000_000_000_000_000L; // 18 digits
            same(m + "e" + (rnd.nextInt(40) - 40));
            same("0." + Long.toString(m).substring(0, 17 + rnd.nextInt(2)));
        }
        // Exact float midpoints, where rounding through double could go wrong: ties to even, like parseFloat.
        for (int i = 0; i < 20_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt(0x7f000000) + 0x00800000);
            double mid = ((double) f + (double) Math.nextUp(f)) / 2;
            same(new java.math.BigDecimal(mid).toString());
            same(new java.math.BigDecimal(mid).add(java.math.BigDecimal.valueOf(1e-60)).toString());
            same(new java.math.BigDecimal(mid).round(new java.math.MathContext(17)).toString());
        }
    }

    @Test
    void pythonNonFiniteTokensAreReadSoTheyCanBeNamed() {
        assertTrue(Float.isNaN(parse("NaN")));
        assertEquals(Float.POSITIVE_INFINITY, parse("Infinity"));
        assertEquals(Float.NEGATIVE_INFINITY, parse("-Infinity"));
    }

    @Test
    void malformedNumbersAreRefused() {
        for (String s : new String[] {"01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "-NaN", "Inf", "0x10"}) {
            HttpError e = assertThrows(HttpError.class, () -> parse(s), s);
            assertEquals(400, e.status, s);
        }
    }

    @Test
    void tensorsKeepTheirShapeAndValuesInRowMajorOrder() {
        JsonIn.Floats f = new JsonIn.Floats(1);
        int[] shape = of("[[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]").tensor("x", f, 100);
        assertArrayEquals(new int[] {2, 3, 2}, shape);
        assertEquals(12, f.size);
        for (int i = 0; i < 12; i++) assertEquals(i + 1, f.a[i]);
        JsonIn.Floats g = new JsonIn.Floats(4);
        assertArrayEquals(new int[] {0}, of("[]").tensor("x", g, 10));
        assertArrayEquals(new int[] {1, 0}, of("[[]]").tensor("x", g, 10));
        assertArrayEquals(new int[0], of("3.5").tensor("x", g, 10));
        assertEquals(3.5f, g.a[0]);
    }

    @Test
    void irregularTensorsAreRefusedNamingThePlace() {
        assertMessage("[[1, 2], [3]]", "x[1] has 1 elements, the first row at this level had 2");
        assertMessage("[[1, 2], 3]", "x[1] is a number where an array was expected");
        assertMessage("[1, [2]]", "x[1] is an array where a number was expected");
        assertMessage("[[1, null]]", "x[0][1] is null, not a number");
        assertMessage("[[1, \"2\"]]", "x[0][1] is not a number");
        assertMessage("[1, 2, 3, 4, 5]", "x has more than 4 values");
        assertMessage("[[[[[[[[[1]]]]]]]]]", "nested deeper than 8 levels");
        assertMessage("[1, 2,", "unexpected end of the body inside x[2]");
        assertMessage("[1, 2", "unexpected end of the body, expected ']'");
        assertMessage("[1, 2,]", "x[2] is not a number");
    }

    private static void assertMessage(String json, String part) {
        HttpError e = assertThrows(HttpError.class, () -> of(json).tensor("x", new JsonIn.Floats(1), 4));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains(part), () -> json + ": " + e.getMessage());
    }

    @Test
    void objectsStringsAndSkippedValues() {
        JsonIn in = of(" {\"a\\u00e9\\n\": {\"x\": [1, {\"y\": null}], \"z\": \"q\\\"\"}, \"b\": true, \"c\": \"d\u00e9\"} ");
        in.beginObject();
        assertEquals("a\u00e9\n", in.nextKey());
        in.skipValue();
        assertEquals("b", in.nextKey());
        in.skipValue();
        assertEquals("c", in.nextKey());
        assertEquals("d\u00e9", in.string());
        assertEquals(null, in.nextKey());
        in.expectEnd();
    }

    @Test
    void malformedDocumentsAreRefused() {
        for (String s : new String[] {"", "{", "{\"a\" 1}", "{\"a\": 1,}", "{a: 1}", "{\"a\": tru}", "{\"a\": 1} x",
            "{\"a\": \"\u0001\"}", "{\"a\": \"x}", "{\"a\": [1 2]}", "[" + "[".repeat(40) + "]".repeat(41)}) {
            HttpError e = assertThrows(HttpError.class, () -> {
                JsonIn in = of(s);
                in.beginObject();
                while (in.nextKey() != null) in.skipValue();
                in.expectEnd();
            }, s);
            assertEquals(400, e.status);
        }
    }
}
