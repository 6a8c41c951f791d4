package lanes.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lanes.engine.Activation;
import lanes.engine.DenseWeights;
import lanes.engine.Metadata;
import lanes.engine.WeightFile;
import lanes.engine.Weights;

/** A server on a free port of 127.0.0.1 for a test, its log captured, and a client for it. */
final class TestServer implements AutoCloseable {
    final Server server;
    final String base;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Server.Config config, boolean load) throws IOException {
        server = new Server(config.withPort(0), new Log(new PrintStream(logBytes, true, StandardCharsets.UTF_8)));
        int port = server.bind();
        base = "http://127.0.0.1:" + port;
        if (load) server.loadModel();
    }

    static TestServer start(Server.Config config) throws IOException {
        return new TestServer(config, true);
    }

    /** Bound, model not loaded yet. */
    static TestServer unloaded(Server.Config config) throws IOException {
        return new TestServer(config, false);
    }

    static Server.Config defaults() {
        // A short drain: java.net.http may stop sending a body once it has an early answer (429, 413),
        // and the JDK server then waits, draining, until the connection times out or the drain ends.
        return Server.Config.defaults().withPoll(Duration.ofMillis(50)).withDrain(Duration.ofSeconds(2));
    }

    String log() {
        synchronized (logBytes) {
            return logBytes.toString(StandardCharsets.UTF_8);
        }
    }

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Response get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Response post(String path, String type, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) b.header("Content-Type", type);
        return send(b);
    }

    Response postJson(String path, String json) throws IOException {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Response send(HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    // ------------------------------------------------------------------------------------------------
    // fixtures

    /** A JSON array of numbers. */
    static String array(float[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) s.append(i > 0 ? ", " : "").append(v[i]);
        return s.append(']').toString();
    }

    /** 784 inputs of a seeded scribble, the same every run. */
    static float[] digit(long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[784];
        for (int row = 5; row < 23; row++) for (int c = 9; c < 19; c++) if (r.nextInt(3) == 0) x[row * 28 + c] = r.nextFloat();
        return x;
    }

    /**
     * A model that answers {@code label} whatever the input, with probability ~0.94: a softmax over a zero
     * kernel and a bias of 5 on that class. Distinguishable from the bundled model at a glance.
     */
    static void constantModel(Path file, int label) throws IOException {
        float[] bias = new float[10];
        bias[label] = 5;
        Weights w = new Weights(784, List.of(new DenseWeights(784, 10, Activation.SOFTMAX, new float[7840], bias)),
                new Metadata("constant-" + label, 0, Double.NaN, java.time.Instant.EPOCH));
        WeightFile.write(file, w);
    }

    /** The floats of a JSON array of numbers (or of nested arrays, flattened). */
    static float[] floats(String json) {
        String inner = json.replaceAll("[\\[\\]\\s]", "");
        if (inner.isEmpty()) return new float[0];
        String[] parts = inner.split(",");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) f[i] = Float.parseFloat(parts[i]);
        return f;
    }

    /** The text of the first array following {@code "key": } in a JSON answer. */
    static String arrayAfter(String json, String key) {
        int k = json.indexOf("\"" + key + "\": ");
        if (k < 0) throw new AssertionError("no \"" + key + "\" in " + json);
        int start = json.indexOf('[', k);
        int depth = 0;
        for (int i = start; i < json.length(); i++) {
            if (json.charAt(i) == '[') depth++;
            else if (json.charAt(i) == ']' && --depth == 0) return json.substring(start, i + 1);
        }
        throw new AssertionError("unterminated array after " + key + " in " + json);
    }
}
