package lanes.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import lanes.preprocess.ImageException;
import lanes.preprocess.ImagePreprocessor;
import lanes.preprocess.PreprocessMode;

/**
 * {@code POST /v1/models/{name}[/versions/{v}]:image}: an image file (PNG, JPEG, GIF, BMP; Content-Type
 * image/* or application/octet-stream) preprocessed exactly as {@code tools/predict} does, answered as
 * {@code tools/predict --json} prints it, plus the model version:
 * <pre>
 * {"file": "upload", "label": 2, "probabilities": [...], "micros": 812.5, "top_k": [2, 3, 8], "model_version": "1"}
 * </pre>
 * Query parameters: {@code top_k=K} (default 1; the list appears for K &gt; 1, as with --top-k),
 * {@code preprocess=mnist|seed|none}, {@code file=NAME} (the "file" it reports), and {@code input=true},
 * which adds {@code "input"}: the 784 values the network saw (the page draws them).
 *
 * <p>Decoding is the costly part (a large photo takes tens of milliseconds and up to 200 MB), so at most
 * one image per CPU is decoded at once; a request that waits more than five seconds for its turn gets 429.
 */
final class ImageEndpoint {
    private final Server server;
    private final ImagePreprocessor preprocessor = new ImagePreprocessor();
    private final Semaphore decoders = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    ImageEndpoint(Server server) {
        this.server = server;
    }

    int handle(HttpExchange ex, Server.Call call, Served s) throws IOException {
        String type = Server.contentType(ex);
        if (!type.startsWith("image/") && !type.equals("application/octet-stream")) throw new HttpError(415,
                "this endpoint takes an image file (Content-Type image/png, image/jpeg, image/gif, image/bmp), not "
                        + (type.isEmpty() ? "a body without a Content-Type" : type));
        Signature sig = s.signature();
        if (!sig.takesImages()) throw HttpError.badRequest("model " + server.config.name() + " takes "
                + sig.acceptedShapes() + " inputs, not a 28 x 28 image");
        Query q = Query.parse(ex.getRequestURI().getRawQuery(), sig.outputs());

        long t0 = System.nanoTime();
        byte[] body = server.body(ex);
        if (body.length == 0) throw HttpError.badRequest("the request has no body: send the image file's bytes");
        long t1 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.READ, t1 - t0);

        float[] input;
        try {
            if (!decoders.tryAcquire(5, TimeUnit.SECONDS)) throw new HttpError(429, "too many images being decoded; retry shortly",
                    "Retry-After", "1");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "shutting down");
        }
        try {
            input = preprocessor.preprocess(body, q.file, q.mode);
        } catch (ImageException e) {
            if (e.getCause() instanceof OutOfMemoryError) throw new HttpError(503, "not enough memory to decode the image; retry later");
            throw HttpError.badRequest(e.problem());
        } finally {
            decoders.release();
        }
        long t2 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PARSE, t2 - t1);

        float[] probs = new float[sig.outputs()];
        int label;
        var predictor = s.predictors().take();
        try {
            label = predictor.predict(input, probs);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        } finally {
            s.predictors().give(predictor);
        }
        long t3 = System.nanoTime();
        server.metrics.stage(Metrics.Stage.PREDICT, t3 - t2);

        // As tools/predict --json: "micros" covers preprocessing and prediction.
        JsonOut o = new JsonOut(512 + (q.input ? input.length * 12 : 0)).raw('{').key("file").string(q.file)
                .raw(", ").key("label").number(label).raw(", ").key(sig.outputName()).floats(probs, 0, probs.length)
                .raw(", ").key("micros").raw(String.format(java.util.Locale.ROOT, "%.1f", (t3 - t1) / 1e3));
        if (q.topK > 1) o.raw(", ").key("top_k").ints(topK(probs, label, q.topK));
        o.raw(", ").key("model_version").string(Long.toString(s.version()));
        if (q.input) o.raw(", ").key("input").floats(input, 0, input.length);
        o.raw("}\n");
        return server.sendAnswer(ex, o, t3);
    }

    /** Indices of the k largest values, largest first (ties: lower index first), the label first as tools/predict does. */
    static int[] topK(float[] probs, int label, int k) {
        int[] idx = new int[k];
        boolean[] taken = new boolean[probs.length];
        idx[0] = label;
        taken[label] = true;
        for (int r = 1; r < k; r++) {
            int best = -1;
            for (int j = 0; j < probs.length; j++) if (!taken[j] && (best < 0 || probs[j] > probs[best])) best = j;
            idx[r] = best;
            taken[best] = true;
        }
        return idx;
    }

    /** The query parameters, checked: a bad value is a 400 naming it. */
    record Query(int topK, PreprocessMode mode, String file, boolean input) {
        static Query parse(String raw, int outputs) {
            int topK = 1;
            PreprocessMode mode = PreprocessMode.MNIST;
            String file = "upload";
            boolean input = false;
            if (raw != null && !raw.isEmpty()) {
                for (String pair : raw.split("&")) {
                    if (pair.isEmpty()) continue;
                    int eq = pair.indexOf('=');
                    String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                    String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                    switch (k) {
                        case "top_k" -> {
                            try {
                                topK = Integer.parseInt(v);
                            } catch (NumberFormatException e) {
                                topK = -1;
                            }
                            if (topK < 1 || topK > outputs) throw HttpError.badRequest("top_k must be 1 to " + outputs + ", got '" + v + "'");
                        }
                        case "preprocess" -> {
                            try {
                                mode = PreprocessMode.parse(v);
                            } catch (IllegalArgumentException e) {
                                throw HttpError.badRequest("preprocess: " + e.getMessage());
                            }
                        }
                        case "file" -> file = v;
                        case "input" -> input = v.isEmpty() || v.equals("true") || v.equals("1");
                        default -> throw HttpError.badRequest("unknown query parameter '" + k + "' (top_k, preprocess, file, input)");
                    }
                }
            }
            return new Query(topK, mode, file, input);
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed query parameter: " + s);
            }
        }
    }
}
