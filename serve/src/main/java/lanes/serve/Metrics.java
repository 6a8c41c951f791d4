package lanes.serve;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters, written in the Prometheus text exposition format (version 0.0.4) at /metrics.
 * Hand-written because it is small: fixed label sets (endpoints x status codes, stages), so every series
 * is a preallocated {@link LongAdder} and recording a request allocates nothing and takes no lock.
 *
 * <pre>
 * lanes_serve_requests_total{endpoint, code}        counter
 * lanes_serve_request_duration_seconds{endpoint}    histogram: from the handler's start to the last byte written
 * lanes_serve_stage_duration_seconds{stage}         histogram: read, parse, predict, encode, send
 * lanes_serve_in_flight_requests                    gauge
 * lanes_serve_model_loads_total / _load_failures_total, lanes_serve_model_version, lanes_serve_model_load_seconds
 * lanes_serve_ready                                 gauge: 1 once a model is served
 * </pre>
 */
final class Metrics {
    /** The status codes the server sends; anything else counts as "other". */
    static final int[] CODES = {200, 400, 404, 405, 413, 415, 429, 500, 503};
    /** Histogram bucket upper bounds, in seconds: 50 µs to 10 s. */
    static final double[] BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 10};

    /** The stages of a prediction request, timed separately. */
    enum Stage { READ, PARSE, PREDICT, ENCODE, SEND }

    private final LongAdder[][] requests = new LongAdder[Route.values().length][CODES.length + 1];
    private final Histogram[] durations = new Histogram[Route.values().length];
    private final Histogram[] stages = new Histogram[Stage.values().length];
    final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder loads = new LongAdder(), loadFailures = new LongAdder();
    private volatile long version = -1;
    private volatile double loadSeconds = Double.NaN;

    Metrics() {
        for (LongAdder[] row : requests) for (int i = 0; i < row.length; i++) row[i] = new LongAdder();
        for (int i = 0; i < durations.length; i++) durations[i] = new Histogram();
        for (int i = 0; i < stages.length; i++) stages[i] = new Histogram();
    }

    void request(Route route, int status, long nanos) {
        requests[route.ordinal()][codeIndex(status)].increment();
        durations[route.ordinal()].record(nanos);
    }

    void stage(Stage stage, long nanos) {
        stages[stage.ordinal()].record(nanos);
    }

    void modelLoaded(long version, double seconds) {
        loads.increment();
        this.version = version;
        this.loadSeconds = seconds;
    }

    void modelLoadFailed() {
        loadFailures.increment();
    }

    long requestCount(Route route, int status) {
        return requests[route.ordinal()][codeIndex(status)].sum();
    }

    private static int codeIndex(int status) {
        for (int i = 0; i < CODES.length; i++) if (CODES[i] == status) return i;
        return CODES.length;
    }

    /** A fixed-bucket histogram: counts per bucket (made cumulative when written), sum and count. */
    static final class Histogram {
        private static final long[] BOUNDS_NANOS = new long[BUCKETS.length];

        static {
            for (int i = 0; i < BUCKETS.length; i++) BOUNDS_NANOS[i] = Math.round(BUCKETS[i] * 1e9);
        }

        final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void record(long nanos) {
            int i = 0;
            while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) i++;
            counts[i].increment();
            sumNanos.add(nanos);
        }

        void write(StringBuilder s, String name, String labels) {
            long cumulative = 0;
            String sep = labels.isEmpty() ? "" : labels + ",";
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i].sum();
                String le = i < BUCKETS.length ? number(BUCKETS[i]) : "+Inf";
                s.append(name).append("_bucket{").append(sep).append("le=\"").append(le).append("\"} ").append(cumulative).append('\n');
            }
            String braces = labels.isEmpty() ? "" : "{" + labels + "}";
            s.append(name).append("_sum").append(braces).append(' ').append(number(sumNanos.sum() / 1e9)).append('\n');
            s.append(name).append("_count").append(braces).append(' ').append(cumulative).append('\n');
        }
    }

    /** The whole exposition; {@code ready} is read by the caller (the server knows it). */
    String text(boolean ready) {
        StringBuilder s = new StringBuilder(16384);
        header(s, "lanes_serve_requests_total", "counter", "Requests answered, by endpoint and HTTP status code.");
        for (Route r : Route.values()) {
            for (int c = 0; c <= CODES.length; c++) {
                long n = requests[r.ordinal()][c].sum();
                if (n == 0) continue;
                String code = c < CODES.length ? Integer.toString(CODES[c]) : "other";
                s.append("lanes_serve_requests_total{endpoint=\"").append(r.label).append("\",code=\"").append(code)
                        .append("\"} ").append(n).append('\n');
            }
        }
        header(s, "lanes_serve_request_duration_seconds", "histogram",
                "Time from the handler's start to the response's last byte, by endpoint.");
        for (Route r : Route.values()) {
            Histogram h = durations[r.ordinal()];
            if (h.counts.length > 0 && total(h) > 0) h.write(s, "lanes_serve_request_duration_seconds", "endpoint=\"" + r.label + "\"");
        }
        header(s, "lanes_serve_stage_duration_seconds", "histogram",
                "Time per stage of prediction requests: read (body), parse (JSON or image), predict, encode (JSON), send.");
        for (Stage st : Stage.values()) {
            stages[st.ordinal()].write(s, "lanes_serve_stage_duration_seconds", "stage=\"" + st.name().toLowerCase(Locale.ROOT) + "\"");
        }
        gauge(s, "lanes_serve_in_flight_requests", "Requests being handled now.", inFlight.get());
        header(s, "lanes_serve_model_loads_total", "counter", "Models loaded, the first one included.");
        s.append("lanes_serve_model_loads_total ").append(loads.sum()).append('\n');
        header(s, "lanes_serve_model_load_failures_total", "counter", "Model files that failed to load (the serving model was kept).");
        s.append("lanes_serve_model_load_failures_total ").append(loadFailures.sum()).append('\n');
        gauge(s, "lanes_serve_model_version", "The version being served; -1 before the first load.", version);
        header(s, "lanes_serve_model_load_seconds", "gauge", "How long the serving model took to load.");
        s.append("lanes_serve_model_load_seconds ").append(number(loadSeconds)).append('\n');
        gauge(s, "lanes_serve_ready", "1 when a model is served, else 0.", ready ? 1 : 0);
        return s.toString();
    }

    private static long total(Histogram h) {
        long n = 0;
        for (LongAdder a : h.counts) n += a.sum();
        return n;
    }

    private static void header(StringBuilder s, String name, String type, String help) {
        s.append("# HELP ").append(name).append(' ').append(help).append('\n');
        s.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder s, String name, String help, long value) {
        header(s, name, "gauge", help);
        s.append(name).append(' ').append(value).append('\n');
    }

    /** A sample value: Go-style floats ("NaN", "+Inf", plain decimals), as Prometheus parses them. */
    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
