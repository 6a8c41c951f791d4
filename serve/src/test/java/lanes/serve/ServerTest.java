package lanes.serve;

import static lanes.serve.TestServer.array;
import static lanes.serve.TestServer.arrayAfter;
import static lanes.serve.TestServer.digit;
import static lanes.serve.TestServer.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import lanes.preprocess.ImagePreprocessor;
import lanes.engine.Model;
import lanes.preprocess.PreprocessMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route and every error status of the server, against the bundled model; the oracle for every
 * prediction is the same model called in-process (JSON floats are written shortest-round-trip, so the
 * values must come back bit for bit).
 */
class ServerTest {
    static TestServer s;
    static Model model;

    @BeforeAll
    static void start() throws IOException {
        s = TestServer.start(TestServer.defaults());
        model = Model.loadDefault();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static float[] expected(float[] x) {
        float[] p = new float[10];
        model.predict(x, p);
        return p;
    }

    private static void error(TestServer.Response r, int status, String part) {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/json", r.header("Content-Type"));
        assertTrue(r.body().startsWith("{\"error\": \""), r.body());
        assertTrue(r.body().contains(part), () -> "expected '" + part + "' in " + r.body());
        assertFalse(r.body().contains("\tat "), "a stack trace: " + r.body());
    }

    // ---------------------------------------------------------------------------------------------- TF Serving

    @Test
    void v1PredictTakesFlatNestedAndBatchedInstances() throws IOException {
        float[] a = digit(1), b = digit(2);
        var r = s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(a) + "]}");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.body().startsWith("{\"predictions\": [["), r.body());
        assertArrayEquals(expected(a), floats(arrayAfter(r.body(), "predictions")));

        StringBuilder nested = new StringBuilder("[");
        for (int row = 0; row < 28; row++) {
            nested.append(row > 0 ? ", " : "").append(array(java.util.Arrays.copyOfRange(b, row * 28, row * 28 + 28)));
        }
        nested.append(']');
        StringBuilder nestedA = new StringBuilder("[");
        for (int row = 0; row < 28; row++) {
            nestedA.append(row > 0 ? ", " : "").append(array(java.util.Arrays.copyOfRange(a, row * 28, row * 28 + 28)));
        }
        nestedA.append(']');
        var r2 = s.postJson("/v1/models/mnist/versions/1:predict",
                "{\"signature_name\": \"serving_default\", \"instances\": [" + nestedA + ", " + nested + "]}");
        assertEquals(200, r2.status(), r2.body());
        float[] both = floats(arrayAfter(r2.body(), "predictions"));
        float[] ea = expected(a), eb = expected(b);
        assertArrayEquals(ea, java.util.Arrays.copyOfRange(both, 0, 10));
        assertArrayEquals(eb, java.util.Arrays.copyOfRange(both, 10, 20));

        String hwc = nested.toString().replaceAll("(-?[0-9][0-9.eE-]*)", "[$1]");
        var r3 = s.postJson("/v1/models/mnist:predict", "{\"inputs\": [" + hwc + "]}");
        assertEquals(200, r3.status(), r3.body());
        assertTrue(r3.body().startsWith("{\"outputs\": [["), r3.body());
        assertArrayEquals(eb, floats(arrayAfter(r3.body(), "outputs")));
    }

    @Test
    void v1NamedInputsInRowAndColumnForm() throws IOException {
        float[] a = digit(6), b = digit(7);
        var rows = s.postJson("/v1/models/mnist:predict", "{\"instances\": [{\"input\": " + array(a) + "}, {\"input\": " + array(b) + "}]}");
        assertEquals(200, rows.status(), rows.body());
        float[] both = floats(arrayAfter(rows.body(), "predictions"));
        assertArrayEquals(expected(a), java.util.Arrays.copyOfRange(both, 0, 10));
        assertArrayEquals(expected(b), java.util.Arrays.copyOfRange(both, 10, 20));
        var columns = s.postJson("/v1/models/mnist:predict", "{\"inputs\": {\"x\": [" + array(b) + "]}}");
        assertEquals(200, columns.status(), columns.body());
        assertArrayEquals(expected(b), floats(arrayAfter(columns.body(), "outputs")));
        error(s.postJson("/v1/models/mnist:predict", "{\"instances\": [{\"input\": " + array(a) + "}, {\"input\": [1]}]}"), 400,
                "instances[1] has shape [1], instances[0] has [784]");
        error(s.postJson("/v1/models/mnist:predict", "{\"inputs\": {\"x\": [" + array(b) + "], \"y\": 1}}"), 400, "more than one input");
        error(s.postJson("/v1/models/mnist:predict", "{\"instances\": [{}]}"), 400, "names no input");
    }

    @Test
    void v1StatusAndMetadata() throws IOException {
        var r = s.get("/v1/models/mnist");
        assertEquals(200, r.status());
        assertEquals("{\"model_version_status\": [{\"version\": \"1\", \"state\": \"AVAILABLE\", \"status\": "
                + "{\"error_code\": \"OK\", \"error_message\": \"\"}}]}\n", r.body());
        assertEquals(200, s.get("/v1/models/mnist/versions/1").status());
        var m = s.get("/v1/models/mnist/metadata");
        assertEquals(200, m.status());
        // the default model is the CNN: its signature is the image, [-1, 28, 28, 1]
        assertTrue(m.body().contains("\"tensor_shape\": {\"dim\": [{\"size\": \"-1\", \"name\": \"\"}, {\"size\": \"28\", \"name\": \"\"},"
                + " {\"size\": \"28\", \"name\": \"\"}, {\"size\": \"1\""), m.body());
        assertTrue(m.body().contains("\"probabilities\": {\"dtype\": \"DT_FLOAT\""), m.body());
        assertTrue(m.body().contains("\"validation_accuracy\": 0.9875"), m.body());
        assertEquals(200, s.get("/v1/models/mnist/versions/1/metadata").status());
    }

    // ---------------------------------------------------------------------------------------------- v2

    @Test
    void v2InferFlatAndNestedData() throws IOException {
        float[] a = digit(3), b = digit(4);
        var r = s.postJson("/v2/models/mnist/infer", "{\"id\": \"req-1\", \"inputs\": [{\"name\": \"input\", \"shape\": [2, 784], "
                + "\"datatype\": \"FP32\", \"data\": " + array(a).replace("]", ", ") + array(b).substring(1) + "}], "
                + "\"outputs\": [{\"name\": \"probabilities\"}]}");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.body().startsWith("{\"model_name\": \"mnist\", \"model_version\": \"1\", \"id\": \"req-1\", \"outputs\": "
                + "[{\"name\": \"probabilities\", \"datatype\": \"FP32\", \"shape\": [2, 10], \"data\": ["), r.body());
        float[] data = floats(arrayAfter(r.body(), "data"));
        assertArrayEquals(expected(a), java.util.Arrays.copyOfRange(data, 0, 10));
        assertArrayEquals(expected(b), java.util.Arrays.copyOfRange(data, 10, 20));

        var r2 = s.postJson("/v2/models/mnist/versions/1/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], "
                + "\"datatype\": \"FP32\", \"data\": [" + array(a) + "]}]}");
        assertEquals(200, r2.status(), r2.body());
        assertArrayEquals(expected(a), floats(arrayAfter(r2.body(), "data")));
        // shape [28, 28, 1] without a batch dimension: one example
        var r3 = s.postJson("/v2/models/mnist/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [28, 28, 1], "
                + "\"datatype\": \"FP32\", \"data\": " + array(a) + "}]}");
        assertEquals(200, r3.status(), r3.body());
        assertTrue(r3.body().contains("\"shape\": [1, 10]"), r3.body());
    }

    @Test
    void v2HealthServerAndModelMetadata() throws IOException {
        assertEquals("{\"live\": true}\n", s.get("/v2/health/live").body());
        assertEquals(200, s.get("/v2/health/ready").status());
        var server = s.get("/v2");
        assertEquals("{\"name\": \"lanes\", \"version\": \"0.2.0\", \"extensions\": []}\n", server.body());
        var m = s.get("/v2/models/mnist");
        assertEquals(200, m.status());
        assertTrue(m.body().startsWith("{\"name\": \"mnist\", \"versions\": [\"1\"], \"platform\": \"lanes\", \"inputs\": "
                + "[{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, 28, 28, 1]}], \"outputs\": [{\"name\": "
                + "\"probabilities\", \"datatype\": \"FP32\", \"shape\": [-1, 10]}]"), m.body());
        assertEquals(200, s.get("/v2/models/mnist/versions/1").status());
        assertEquals("{\"name\": \"mnist\", \"ready\": true}\n", s.get("/v2/models/mnist/ready").body());
        assertEquals(200, s.get("/v2/models/mnist/versions/1/ready").status());
        var head = s.send(HttpRequest.newBuilder(URI.create(s.base + "/v2/health/live")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.status());
        assertEquals("", head.body());
    }

    // ---------------------------------------------------------------------------------------------- images

    @Test
    void imageEndpointAnswersLikeToolsPredict() throws IOException {
        ImagePreprocessor pre = new ImagePreprocessor();
        for (int d = 0; d < 10; d++) {
            Path file;
            try (var files = Files.list(Path.of("../tools/samples"))) {
                int digit = d;
                file = files.filter(p -> p.getFileName().toString().startsWith("digit-" + digit + "-")).findFirst().orElseThrow();
            }
            String name = file.getFileName().toString();
            String type = "image/" + name.substring(name.lastIndexOf('.') + 1).replace("jpg", "jpeg");
            var r = s.post("/v1/models/mnist:image?top_k=3&file=" + name, type, Files.readAllBytes(file));
            assertEquals(200, r.status(), r.body());
            float[] p = new float[10];
            int label = model.predict(pre.preprocess(file, PreprocessMode.MNIST), p);
            assertTrue(r.body().startsWith("{\"file\": \"" + name + "\", \"label\": " + label + ", \"probabilities\": ["), r.body());
            assertArrayEquals(p, floats(arrayAfter(r.body(), "probabilities")));
            assertTrue(r.body().contains("\"top_k\": [" + label + ", "), r.body());
            assertTrue(r.body().matches("(?s).*\"micros\": [0-9]+\\.[0-9].*"), r.body());
        }
        Path nine = Path.of("../tools/samples/digit-9-mnist28.png");
        var r = s.post("/v1/models/mnist:image?preprocess=none&input=1", "application/octet-stream", Files.readAllBytes(nine));
        assertEquals(200, r.status(), r.body());
        assertArrayEquals(pre.preprocess(nine, PreprocessMode.NONE), floats(arrayAfter(r.body(), "input")));
        assertFalse(r.body().contains("top_k"), "top_k only for k > 1, as tools/predict --json");
    }

    @Test
    void imageErrors() throws IOException {
        error(s.post("/v1/models/mnist:image", "image/png", "not an image".getBytes(StandardCharsets.UTF_8)), 400, "");
        error(s.post("/v1/models/mnist:image", "image/png", new byte[0]), 400, "no body");
        error(s.post("/v1/models/mnist:image", "application/json", new byte[] {1}), 415, "takes an image file");
        error(s.post("/v1/models/mnist:image", null, new byte[] {1}), 415, "without a Content-Type");
        byte[] png = Files.readAllBytes(Path.of("../tools/samples/digit-7-drawing.png"));
        error(s.post("/v1/models/mnist:image?top_k=11", "image/png", png), 400, "top_k must be 1 to 10");
        error(s.post("/v1/models/mnist:image?preprocess=magic", "image/png", png), 400, "unknown preprocessing mode 'magic'");
        error(s.post("/v1/models/mnist:image?colour=1", "image/png", png), 400, "unknown query parameter 'colour'");
        java.awt.image.BufferedImage blank = new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(blank, "png", bytes);
        error(s.post("/v1/models/mnist:image", "image/png", bytes.toByteArray()), 400, "");
    }

    // ---------------------------------------------------------------------------------------------- errors

    @Test
    void badInputIs400NamingTheProblem() throws IOException {
        String p = "/v1/models/mnist:predict";
        error(s.postJson(p, "{\"instances\": [[1, 2, 3]]}"), 400, "each example must be [784], [28, 28] or [28, 28, 1]");
        error(s.postJson(p, "{\"instances\": " + array(digit(1)) + "}"), 400, "wrap it in [ ]");
        float[] x = digit(1);
        String nan = array(x).replaceFirst("0\\.0", "NaN");
        error(s.postJson(p, "{\"instances\": [" + nan + "]}"), 400, "value 0 is NaN; inputs must be finite");
        error(s.postJson(p, "{\"instances\": [" + array(x) + ", " + array(x).replace("0.0, ", "Infinity, ") + "]}"), 400,
                "example 1, value 0 is Infinity");
        error(s.postJson(p, "{\"instances\": [" + array(x).replace("]", "") + "}"), 400, "malformed JSON at byte");
        error(s.postJson(p, "{\"instances\": [[1], [2, 3]]}"), 400, "instances[1] has 2 elements");
        error(s.postJson(p, "{\"instances\": []}"), 400, "holds no examples");
        error(s.postJson(p, "{}"), 400, "the request needs \\\"instances\\\"");
        error(s.postJson(p, "[]"), 400, "expected a JSON object");
        error(s.postJson(p, "{\"instances\": [" + array(x) + "], \"inputs\": [" + array(x) + "]}"), 400, "not both");
        error(s.postJson(p, "{\"instances\": [" + array(x).replace("0.0, ", "3e38, ") + "]}"), 400, "overflow");
        String v2 = "/v2/models/mnist/infer";
        error(s.postJson(v2, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"FP64\", \"data\": " + array(x) + "}]}"),
                400, "has datatype FP64; this model takes FP32");
        error(s.postJson(v2, "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 784], \"datatype\": \"FP32\", \"data\": " + array(x) + "}]}"),
                400, "holds 1568 values, its data has 784");
        error(s.postJson(v2, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"FP32\", \"data\": " + array(x)
                + "}, {\"name\": \"y\"}]}"), 400, "this model has one input");
        error(s.postJson(v2, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"FP32\", \"data\": " + array(x)
                + "}], \"outputs\": [{\"name\": \"logits\"}]}"), 400, "no output named 'logits'");
        error(s.postJson(v2, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1.5], \"datatype\": \"FP32\", \"data\": [1]}]}"), 400, "integer");
        error(s.postJson(v2, "{\"inputs\": []}"), 400, "the request needs \\\"inputs\\\"");
    }

    @Test
    void unknownThingsAre404AndWrongMethods405() throws IOException {
        error(s.get("/v1/models/fashion"), 404, "no model named 'fashion' (this server serves 'mnist')");
        error(s.get("/v1/models/mnist/versions/2"), 404, "has no version 2 (serving version 1)");
        error(s.get("/v1/models/mnist/versions/x"), 404, "versions are numbers");
        error(s.postJson("/v2/models/mnist/versions/9/infer", "{}"), 404, "has no version 9");
        error(s.postJson("/v1/models/mnist:classify", "{}"), 404, "no such method :classify");
        error(s.get("/nothing/here"), 404, "no such endpoint: /nothing/here");
        error(s.get("/v2/models/"), 404, "a model name is expected");
        var r = s.get("/v1/models/mnist:predict");
        error(r, 405, "method GET is not allowed here; use POST");
        assertEquals("POST", r.header("Allow"));
        var d = s.send(HttpRequest.newBuilder(URI.create(s.base + "/v2/health/ready")).DELETE());
        error(d, 405, "use GET, HEAD");
        assertEquals("GET, HEAD", d.header("Allow"));
        error(s.postJson("/metrics", "{}"), 405, "");
    }

    @Test
    void jsonEndpointsRefuseOtherMediaTypes() throws IOException {
        error(s.post("/v1/models/mnist:predict", "image/png", new byte[] {1}), 415, "takes JSON");
        error(s.post("/v2/models/mnist/infer", "multipart/form-data; boundary=x", new byte[] {1}), 415, "not multipart/form-data");
        // curl -d sends application/x-www-form-urlencoded: accepted, as is no type at all
        String body = "{\"instances\": [" + array(digit(5)) + "]}";
        assertEquals(200, s.post("/v1/models/mnist:predict", "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8)).status());
        assertEquals(200, s.post("/v1/models/mnist:predict", null, body.getBytes(StandardCharsets.UTF_8)).status());
    }

    // ---------------------------------------------------------------------------------------------- page, metrics

    @Test
    void pageIsServedFromTheJarWithNoOutsideAssets() throws IOException {
        var r = s.get("/");
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.header("Content-Type"));
        assertTrue(r.body().contains("<canvas id=\"pad\""), r.body());
        assertTrue(r.body().contains("content=\"mnist\""), "the model name is filled in");
        assertTrue(r.header("Content-Security-Policy").startsWith("default-src 'self'"));
        for (String asset : new String[] {"/app.js", "/style.css"}) {
            var a = s.get(asset);
            assertEquals(200, a.status(), asset);
            assertFalse(a.body().matches("(?s).*(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/.*"), asset + " refers to an outside URL");
        }
        assertFalse(r.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "an outside asset in the page");
    }

    @Test
    void metricsAreValidPrometheusTextAndCount() throws Exception {
        s.get("/v1/models/nope");
        s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(digit(9)) + "]}");
        var r = s.get("/metrics");
        assertEquals(200, r.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.header("Content-Type"));
        String sample = "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})? (-?[0-9.]+(e-?[0-9]+|E-?[0-9]+)?|NaN|[+-]Inf)";
        for (String line : r.body().split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertTrue(line.matches(sample), "not a Prometheus sample line: " + line);
        }
        assertTrue(r.body().contains("lanes_serve_requests_total{endpoint=\"v1_status\",code=\"404\"} "), r.body());
        s.get("/v2/models/mnist/infer"); // a 405 counts under its endpoint, once its exchange has closed
        String again = s.get("/metrics").body();
        for (long end = System.nanoTime() + 2_000_000_000L; !again.contains("endpoint=\"v2_infer\",code=\"405\"") && System.nanoTime() < end; ) {
            Thread.sleep(10);
            again = s.get("/metrics").body();
        }
        assertTrue(again.contains("lanes_serve_requests_total{endpoint=\"v2_infer\",code=\"405\"} "), again);
        assertTrue(r.body().contains("lanes_serve_model_version 1\n"), r.body());
        assertTrue(r.body().contains("lanes_serve_model_loads_total 1\n"), r.body());
        assertTrue(r.body().contains("lanes_serve_ready 1\n"), r.body());
        assertTrue(r.body().contains("lanes_serve_stage_duration_seconds_count{stage=\"predict\"} "), r.body());
        long before = s.server.metrics.requestCount(Route.V1_PREDICT, 200);
        s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(digit(9)) + "]}");
        // counted once the exchange is closed, which the client may see first: wait for it, briefly
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (s.server.metrics.requestCount(Route.V1_PREDICT, 200) == before && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(before + 1, s.server.metrics.requestCount(Route.V1_PREDICT, 200));
        // histogram buckets are cumulative and end at the count
        String body = s.get("/metrics").body();
        long last = -1, count = -1;
        for (String line : body.split("\n")) {
            if (line.startsWith("lanes_serve_stage_duration_seconds_bucket{stage=\"parse\"")) {
                long v = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                assertTrue(v >= last, line);
                last = v;
            }
            if (line.startsWith("lanes_serve_stage_duration_seconds_count{stage=\"parse\"}")) count = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(count, last, body);
        assertTrue(count >= 2);
    }

    @Test
    void theRouterNamesEveryRoute() {
        record Case(String method, String path, Route route, String model, long version) {}
        for (Case c : new Case[] {
            new Case("GET", "/", Route.PAGE, "", -1), new Case("GET", "/metrics", Route.METRICS, "", -1),
            new Case("GET", "/v1/models/a", Route.V1_STATUS, "a", -1),
            new Case("GET", "/v1/models/a/versions/12", Route.V1_STATUS, "a", 12),
            new Case("GET", "/v1/models/a/metadata", Route.V1_METADATA, "a", -1),
            new Case("POST", "/v1/models/a/versions/3:predict", Route.V1_PREDICT, "a", 3),
            new Case("POST", "/v1/models/a%20b:image", Route.V1_IMAGE, "a b", -1),
            new Case("GET", "/v2", Route.V2_SERVER, "", -1), new Case("HEAD", "/v2/health/live", Route.V2_LIVE, "", -1),
            new Case("GET", "/v2/health/ready", Route.V2_READY, "", -1), new Case("GET", "/v2/models/a", Route.V2_MODEL, "a", -1),
            new Case("GET", "/v2/models/a/versions/4/ready", Route.V2_MODEL_READY, "a", 4),
            new Case("POST", "/v2/models/a/infer", Route.V2_INFER, "a", -1)}) {
            Server.Call call = Server.route(c.method(), URI.create(c.path()));
            assertEquals(c.route(), call.route(), c.path());
            assertEquals(c.model(), call.model(), c.path());
            assertEquals(c.version(), call.version(), c.path());
        }
        assertNull(null);
    }

    static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
