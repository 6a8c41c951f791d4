package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsWhatKerasWrites() throws Exception {
        Object v = Json.parse(" {\"class_name\": \"Dense\", \"config\": {\"units\": 128, \"rate\": 0.25, \"bias\": true,"
                + " \"seed\": null, \"shape\": [null, 28, 28, 1], \"max\": Infinity, \"low\": -Infinity, \"e\": 1e-07,"
                + " \"name\": \"d\\u00e9nse\\n\\\"x\\\"\"}} ");
        Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) v).get("config");
        assertEquals(128.0, config.get("units"));
        assertEquals(0.25, config.get("rate"));
        assertEquals(Boolean.TRUE, config.get("bias"));
        assertTrue(config.containsKey("seed") && config.get("seed") == null);
        assertEquals(Arrays.asList(null, 28.0, 28.0, 1.0), config.get("shape"));
        assertEquals(Double.POSITIVE_INFINITY, config.get("max"));
        assertEquals(Double.NEGATIVE_INFINITY, config.get("low"));
        assertEquals(1e-7, config.get("e"));
        assertEquals("dénse\n\"x\"", config.get("name"));
        assertEquals(List.of("class_name", "config"), List.copyOf(((Map<?, ?>) v).keySet()), "file order");
        assertTrue(Double.isNaN((Double) Json.parse("NaN")));
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01x", "1.", "-", "\"abc", "\"a\\qb\"",
            "tru", "[1] 2", "{\"a\": 1, \"a\": 2}", "\"\u0001\"", "{1: 2}", "\"\\u12g4\""})
    void refusesWhatIsNotJson(String text) {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains(" at character "), e.getMessage());
    }

    @Test
    void saysWhereItStopped() {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse("{\"a\": [1, 2 3]}"));
        assertEquals(12, e.offset, "the 3 where a comma belongs");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().startsWith("nested more than"), e.getMessage());
    }
}
