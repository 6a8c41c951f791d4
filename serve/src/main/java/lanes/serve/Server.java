package lanes.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import lanes.engine.JfrSupport;

/**
 * The HTTP server: the JDK's own {@code jdk.httpserver}, one virtual thread per request, every route
 * behind one handler that routes by path, admits at most {@link Config#maxInFlight} requests at once
 * (the rest get 429 at once rather than a queue that grows), and turns every failure into a JSON error
 * with its status: a client never sees a stack trace, and every exchange is closed.
 *
 * <p>Routes (name = the served model's name, v = its version):
 * <pre>
 * GET  /                                                     the draw-a-digit page (also /app.js, /style.css)
 * GET  /metrics                                              Prometheus text
 * GET  /v1/models/{name}[/versions/{v}]                      TensorFlow Serving: model status
 * GET  /v1/models/{name}[/versions/{v}]/metadata             TensorFlow Serving: signature
 * POST /v1/models/{name}[/versions/{v}]:predict              TensorFlow Serving: {"instances"|"inputs": ...}
 * POST /v1/models/{name}[/versions/{v}]:image                an image file, answered like tools/predict --json
 * GET  /v2, /v2/health/live, /v2/health/ready                Open Inference Protocol v2: server
 * GET  /v2/models/{name}[/versions/{v}][/ready]              v2: model metadata, readiness
 * POST /v2/models/{name}[/versions/{v}]/infer                v2: inference
 * </pre>
 */
final class Server implements AutoCloseable {

    /**
     * @param model       a weight file, a directory of version directories, or null for the bundled model
     * @param threads     carrier threads for the virtual threads (the JDK's scheduler parallelism), 0 = CPUs
     * @param maxBody     the largest request body, in bytes (413 above it)
     * @param maxInFlight requests handled at once (429 above it)
     * @param poll        how often the model source is checked for a new version; zero: never
     * @param drain       how long shutdown waits for requests in flight
     */
    record Config(String host, int port, String name, Path model, int threads, long maxBody, int maxInFlight,
                  Duration poll, Duration drain) {
        static final long DEFAULT_MAX_BODY = 16L << 20;

        static Config defaults() {
            return new Config("127.0.0.1", 8080, "mnist", null, 0, DEFAULT_MAX_BODY, 256, Duration.ofSeconds(1),
                    Duration.ofSeconds(10));
        }

        Config withPort(int p) { return new Config(host, p, name, model, threads, maxBody, maxInFlight, poll, drain); }
        Config withModel(Path m) { return new Config(host, port, name, m, threads, maxBody, maxInFlight, poll, drain); }
        Config withPoll(Duration d) { return new Config(host, port, name, model, threads, maxBody, maxInFlight, d, drain); }
        Config withMaxBody(long b) { return new Config(host, port, name, model, threads, b, maxInFlight, poll, drain); }
        Config withMaxInFlight(int n) { return new Config(host, port, name, model, threads, maxBody, n, poll, drain); }
        Config withDrain(Duration d) { return new Config(host, port, name, model, threads, maxBody, maxInFlight, poll, d); }
    }

    final Config config;
    final Metrics metrics = new Metrics();
    final ModelRepository models;
    private final Log log;
    private final Semaphore admission;
    private final Predictions predictions;
    private final ImageEndpoint images;
    private final Page page;
    private HttpServer http;
    private ExecutorService executor;
    private volatile boolean stopping;

    Server(Config config, Log log) {
        this.config = config;
        this.log = log;
        this.models = new ModelRepository(config.model(), config.poll(), log, metrics);
        this.admission = new Semaphore(config.maxInFlight());
        this.predictions = new Predictions(this);
        this.images = new ImageEndpoint(this);
        this.page = new Page(config.name());
    }

    /**
     * Sets the JDK server's own limits: TCP_NODELAY (small JSON answers otherwise wait for the peer's
     * delayed ACK on a kept-alive connection: 40 ms each), and a time limit on reading a request and on
     * writing a response, so a client that stalls mid-request cannot hold a connection for ever. They
     * are read once, when the JDK server's classes load: call before the first server is created. A value
     * the user set with -D is kept.
     */
    static void configureJdkServer() {
        defaultProperty("sun.net.httpserver.nodelay", "true");
        defaultProperty("sun.net.httpserver.maxReqTime", "60");
        defaultProperty("sun.net.httpserver.maxRspTime", "60");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    /** Binds and starts answering (model routes say 503 until a model is loaded); returns the bound port. */
    int bind() throws IOException {
        configureJdkServer();
        http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        executor = executor();
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        return http.getAddress().getPort();
    }

    /**
     * One virtual thread per request. {@code -Dlanes.serve.executor=platform} runs requests on a fixed
     * pool of platform threads instead ({@code --threads}, default the CPUs), for comparison: see
     * docs/benchmarks.md for what each measured.
     */
    private ExecutorService executor() {
        if ("platform".equals(System.getProperty("lanes.serve.executor"))) {
            int n = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
            return Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "lanes-serve");
                t.setDaemon(true);
                return t;
            });
        }
        return Executors.newVirtualThreadPerTaskExecutor();
    }

    /** Loads the model (see {@link ModelRepository#start}); true when one is served. */
    boolean loadModel() throws IOException {
        return models.start();
    }

    boolean ready() {
        return !stopping && models.current() != null;
    }

    int port() {
        return http.getAddress().getPort();
    }

    /**
     * Graceful stop: readiness turns false, the listener closes, requests in flight get up to
     * {@link Config#drain} to finish; then the poller stops.
     */
    @Override
    public void close() {
        stopping = true;
        if (http != null) http.stop((int) Math.max(0, Math.min(Integer.MAX_VALUE, config.drain().toSeconds())));
        if (executor != null) executor.shutdown();
        models.close();
    }

    // ----------------------------------------------------------------------------------------------
    // one request

    /** What a request asks for: the route and, for model routes, the model name and version (or -1). */
    record Call(Route route, String model, long version) {}

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        Object event = JfrSupport.active() ? ServeEvents.begin() : null;
        Route route = Route.UNKNOWN;
        int status = 500;
        metrics.inFlight.incrementAndGet();
        try {
            Call call = route(ex.getRequestMethod(), ex.getRequestURI());
            route = call.route();
            if (!admission.tryAcquire()) {
                throw new HttpError(429, "the server is busy (" + config.maxInFlight()
                        + " requests in flight); retry shortly", "Retry-After", "1");
            }
            try {
                status = dispatch(ex, call);
            } finally {
                admission.release();
            }
        } catch (HttpError e) {
            status = e.status;
            if (e.route != null) route = e.route;
            sendError(ex, e);
        } catch (Throwable t) { // a bug or out of memory: still one JSON line, never a trace to the client
            status = t instanceof OutOfMemoryError ? 503 : 500;
            if (status == 500) log.warn("internal error on " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + t);
            sendError(ex, new HttpError(status, status == 503 ? "out of memory; retry later" : "internal error: "
                    + t.getClass().getSimpleName()));
        } finally {
            ex.close();
            long nanos = System.nanoTime() - t0;
            metrics.request(route, status, nanos);
            metrics.inFlight.decrementAndGet();
            if (event != null) ServeEvents.end(event, route, status);
        }
    }

    private int dispatch(HttpExchange ex, Call call) throws IOException {
        return switch (call.route()) {
            case PAGE -> page.serve(this, ex);
            case METRICS -> sendText(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.text(ready()));
            case V2_LIVE -> sendJson(ex, 200, new JsonOut(32).raw("{\"live\": true}\n"));
            case V2_READY -> {
                if (!ready()) throw new HttpError(503, stopping ? "shutting down" : "no model loaded yet");
                yield sendJson(ex, 200, new JsonOut(32).raw("{\"ready\": true}\n"));
            }
            case V2_SERVER -> sendJson(ex, 200, new JsonOut(128).raw("{\"name\": \"lanes\", \"version\": ")
                    .string(version()).raw(", \"extensions\": []}\n"));
            case V1_STATUS, V1_METADATA, V1_PREDICT, V2_MODEL, V2_MODEL_READY, V2_INFER -> predictions.handle(ex, call, served(call));
            case V1_IMAGE -> images.handle(ex, call, served(call));
            case UNKNOWN -> throw HttpError.notFound("no such endpoint: " + ex.getRequestURI().getRawPath());
        };
    }

    /** The model a model route asks for: 404 for another name or version, 503 before one is loaded. */
    Served served(Call call) {
        if (!call.model().equals(config.name())) {
            throw HttpError.notFound("no model named '" + call.model() + "' (this server serves '" + config.name() + "')");
        }
        Served s = models.current();
        // Not "stopping": a request that got in before the listener closed is in flight, and is answered.
        if (s == null) throw new HttpError(503, "model " + config.name() + " is not ready (no version loaded yet)",
                "Retry-After", "1");
        if (call.version() >= 0 && call.version() != s.version()) throw HttpError.notFound(
                "model " + config.name() + " has no version " + call.version() + " (serving version " + s.version() + ")");
        return s;
    }

    /** The version in the jar's manifest; from the classes directory (tests), the project's version. */
    static String version() {
        String v = Server.class.getPackage().getImplementationVersion();
        return v == null ? "0.2.0" : v;
    }

    // ----------------------------------------------------------------------------------------------
    // routing

    /**
     * The route of a method and path; 404 for an unknown path (or a malformed version), 405 with the
     * allowed method for a known path and the wrong method. HEAD is allowed wherever GET is.
     */
    static Call route(String method, URI uri) {
        String path = uri.getRawPath();
        if (path == null) path = "";
        switch (path) {
            case "/", "/index.html", "/app.js", "/style.css" -> { return check(method, "GET", new Call(Route.PAGE, "", -1)); }
            case "/metrics" -> { return check(method, "GET", new Call(Route.METRICS, "", -1)); }
            case "/v2" -> { return check(method, "GET", new Call(Route.V2_SERVER, "", -1)); }
            case "/v2/health/live" -> { return check(method, "GET", new Call(Route.V2_LIVE, "", -1)); }
            case "/v2/health/ready" -> { return check(method, "GET", new Call(Route.V2_READY, "", -1)); }
            default -> { }
        }
        if (path.startsWith("/v1/models/")) return v1(method, path.substring("/v1/models/".length()));
        if (path.startsWith("/v2/models/")) return v2(method, path.substring("/v2/models/".length()));
        return new Call(Route.UNKNOWN, "", -1);
    }

    /** {name}[/versions/{v}][/metadata | :predict | :image] */
    private static Call v1(String method, String rest) {
        Route route = Route.V1_STATUS;
        String verb = "GET";
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            String action = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            route = switch (action) {
                case "predict" -> Route.V1_PREDICT;
                case "image" -> Route.V1_IMAGE;
                default -> throw HttpError.notFound("no such method :" + action + " (this server has :predict and :image)");
            };
            verb = "POST";
        } else if (rest.endsWith("/metadata")) {
            rest = rest.substring(0, rest.length() - "/metadata".length());
            route = Route.V1_METADATA;
        }
        return check(method, verb, model(route, rest));
    }

    /** {name}[/versions/{v}][/ready | /infer] */
    private static Call v2(String method, String rest) {
        Route route = Route.V2_MODEL;
        String verb = "GET";
        if (rest.endsWith("/ready")) {
            rest = rest.substring(0, rest.length() - "/ready".length());
            route = Route.V2_MODEL_READY;
        } else if (rest.endsWith("/infer")) {
            rest = rest.substring(0, rest.length() - "/infer".length());
            route = Route.V2_INFER;
            verb = "POST";
        }
        return check(method, verb, model(route, rest));
    }

    /** {name} or {name}/versions/{v}, the name percent-decoded. */
    private static Call model(Route route, String rest) {
        String name = rest;
        long version = -1;
        int v = rest.indexOf("/versions/");
        if (v >= 0) {
            name = rest.substring(0, v);
            String number = rest.substring(v + "/versions/".length());
            if (number.isEmpty() || number.length() > 18 || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw HttpError.notFound("no such version: '" + decode(number) + "' (versions are numbers)");
            }
            version = Long.parseLong(number);
        }
        if (name.isEmpty() || name.indexOf('/') >= 0) throw HttpError.notFound("no such endpoint: a model name is expected, got '" + decode(rest) + "'");
        return new Call(route, decode(name), version);
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static Call check(String method, String allowed, Call call) {
        if (method.equals(allowed) || (allowed.equals("GET") && method.equals("HEAD"))) return call;
        HttpError e = HttpError.methodNotAllowed(method, allowed.equals("GET") ? "GET, HEAD" : allowed);
        e.route = call.route();
        throw e;
    }

    // ----------------------------------------------------------------------------------------------
    // bodies and responses

    /**
     * The request body, at most {@link Config#maxBody} bytes: a larger Content-Length is refused before
     * anything is read, a chunked body as soon as it passes the limit (413 either way). The JDK server
     * drains what is left (up to 64 KiB) when the exchange closes, or closes the connection.
     */
    byte[] body(HttpExchange ex) throws IOException {
        long limit = config.maxBody();
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length is not a number: " + declared);
            }
            if (length > limit) throw tooLarge(length + " bytes");
        }
        byte[] buf = new byte[(int) (length >= 0 ? length : Math.min(limit + 1, 16384))];
        int n = 0;
        try (InputStream in = ex.getRequestBody()) {
            while (true) {
                if (n == buf.length) {
                    if (length >= 0) break;
                    if (n > limit) throw tooLarge("more than " + limit + " bytes");
                    buf = Arrays.copyOf(buf, (int) Math.min(limit + 1, 2L * buf.length));
                }
                int r;
                try {
                    r = in.read(buf, n, buf.length - n);
                } catch (IOException e) {
                    // the JDK server reports a body shorter than its Content-Length as an I/O error:
                    // that is the client's fault, so a 400 that says so, not a 500
                    if (length >= 0) throw shortBody(n, length);
                    throw e;
                }
                if (r < 0) break;
                n += r;
            }
        }
        if (n > limit) throw tooLarge("more than " + limit + " bytes");
        if (length >= 0 && n < length) throw shortBody(n, length);
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /** A body that ended before its Content-Length, whether the stream said so by its end or by an error. */
    private static HttpError shortBody(int n, long length) {
        return HttpError.badRequest("the body ended after " + n + " of " + length + " bytes");
    }

    private HttpError tooLarge(String size) {
        return new HttpError(413, "the request body is " + size + "; the limit is " + config.maxBody()
                + " bytes (tools/serve --max-body)");
    }

    /** The media type of the request, lower case, without parameters; "" when absent. */
    static String contentType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        if (t == null) return "";
        int semi = t.indexOf(';');
        return (semi >= 0 ? t.substring(0, semi) : t).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * JSON endpoints take JSON: {@code application/json}, any {@code +json}, or no type at all; also
     * {@code text/plain} and {@code application/x-www-form-urlencoded}, which is what {@code curl -d} and
     * many clients send without being asked. Anything else (an image, a form upload) is a 415.
     */
    static void requireJson(HttpExchange ex) {
        String t = contentType(ex);
        if (t.isEmpty() || t.equals("application/json") || t.endsWith("+json") || t.equals("text/plain")
                || t.equals("application/x-www-form-urlencoded")) return;
        throw new HttpError(415, "this endpoint takes JSON (Content-Type: application/json), not " + t);
    }

    /** The request body ({@link #body}), its reading counted in the metrics' READ stage. */
    byte[] timedBody(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        byte[] b = body(ex);
        metrics.stage(Metrics.Stage.READ, System.nanoTime() - t0);
        return b;
    }

    /** A 200 JSON answer whose encoding began at {@code encodeStart}: the ENCODE and SEND stages counted. */
    int sendAnswer(HttpExchange ex, JsonOut answer, long encodeStart) throws IOException {
        long sent = System.nanoTime();
        metrics.stage(Metrics.Stage.ENCODE, sent - encodeStart);
        int status = sendJson(ex, 200, answer);
        metrics.stage(Metrics.Stage.SEND, System.nanoTime() - sent);
        return status;
    }

    int sendJson(HttpExchange ex, int status, JsonOut body) throws IOException {
        return send(ex, status, "application/json", body.array(), body.length());
    }

    int sendText(HttpExchange ex, int status, String type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return send(ex, status, type, b, b.length);
    }

    int send(HttpExchange ex, int status, String type, byte[] body, int length) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : (length == 0 ? -1 : length));
        if (!head && length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body, 0, length);
            }
        }
        return status;
    }

    private void sendError(HttpExchange ex, HttpError e) {
        try {
            if (e.header != null) ex.getResponseHeaders().set(e.header, e.headerValue);
            if (e.status == 413) ex.getResponseHeaders().set("Connection", "close");
            sendJson(ex, e.status, JsonOut.error(e.getMessage()));
        } catch (IOException | RuntimeException ignored) {
            // the response was already started, or the client has gone: the exchange is closed anyway
        }
    }
}
