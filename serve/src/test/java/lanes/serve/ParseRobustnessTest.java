package lanes.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The request parsers on mangled bodies, seeded: valid v1 and v2 requests with bytes flipped, inserted,
 * deleted, cut short, or spliced from JSON fragments. Whatever comes in, the outcome is a parse that is
 * consistent (the values are exactly examples x inputs, all finite) or a 400 with a message, never any
 * other exception: that would be a 500 for the client.
 */
class ParseRobustnessTest {
    static final Signature MNIST = new Signature(28, 28, 1, true, 10, true, java.util.List.of(), lanes.engine.InputRange.UNIT);
    static final String[] FRAGMENTS = {"[", "]", "{", "}", ",", ":", "\"", "\\", "\\u00", "NaN", "-", "1e999", "0.", "null",
        "true", "\"instances\"", "\"inputs\"", "\"data\"", "\"shape\"", "[28, 28]", "[1, 784]", "\"FP32\"", "[[", "]]", "\u00e9", " "};

    @Test
    void mangledBodiesGiveAParseOrA400() {
        Random rnd = new Random(12);
        float[] x = TestServer.digit(3);
        List<String> seeds = List.of(
                "{\"instances\": [" + TestServer.array(x) + "]}",
                "{\"inputs\": [[[1, 2], [3, 4]]], \"signature_name\": \"x\"}",
                "{\"instances\": [{\"input\": [1, 2]}, {\"input\": " + TestServer.array(x) + "}]}",
                "{\"inputs\": {\"input\": [" + TestServer.array(x) + "]}}",
                "{\"id\": \"a\\\"b\", \"inputs\": [{\"name\": \"input\", \"shape\": [1, 784], \"datatype\": \"FP32\", \"data\": "
                        + TestServer.array(x) + "}], \"outputs\": [{\"name\": \"probabilities\"}]}",
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 28, 28], \"datatype\": \"FP32\", \"data\": [[1, 2], [3]]}]}");
        int parsed = 0, refused = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] body = mangle(seeds.get(rnd.nextInt(seeds.size())).getBytes(StandardCharsets.UTF_8), rnd);
            for (boolean v2 : new boolean[] {false, true}) {
                try {
                    Predictions.Request r = v2 ? Predictions.parseV2(body, MNIST, 1 << 16) : Predictions.parseV1(body, MNIST, 1 << 16);
                    assertEquals((long) r.examples() * MNIST.inputSize(), r.values().size, "values for the examples");
                    assertTrue(r.examples() >= 1);
                    for (int k = 0; k < r.values().size; k++) assertTrue(Float.isFinite(r.values().a[k]));
                    parsed++;
                } catch (HttpError e) {
                    assertEquals(400, e.status);
                    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
                    refused++;
                } catch (RuntimeException | StackOverflowError e) {
                    fail("a " + e + " on " + new String(body, StandardCharsets.UTF_8), e);
                }
            }
        }
        assertTrue(parsed > 30 && refused > 3_000, parsed + " parsed, " + refused + " refused");
    }

    private static byte[] mangle(byte[] b, Random rnd) {
        StringBuilder s = new StringBuilder(new String(b, StandardCharsets.ISO_8859_1));
        int edits = rnd.nextInt(4);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int at = rnd.nextInt(s.length());
            switch (rnd.nextInt(5)) {
                case 0 -> s.setCharAt(at, (char) rnd.nextInt(256));
                case 1 -> s.deleteCharAt(at);
                case 2 -> s.insert(at, FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
                case 3 -> s.setLength(at);
                default -> s.delete(at, Math.min(s.length(), at + rnd.nextInt(40)));
            }
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
