package lanes.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The draw-a-digit page: three files from the jar ({@code lanes/serve/page/}), read once. The
 * Content-Security-Policy allows nothing from elsewhere: the page works offline, and a test would
 * notice an asset it tried to fetch from outside.
 */
final class Page {
    private record Asset(String type, byte[] bytes) {}

    private final Map<String, Asset> assets;

    /** @param model the served model's name, which the page puts in its URLs (letters, digits, . _ -) */
    Page(String model) {
        Asset html = asset("index.html", "text/html; charset=utf-8", model);
        assets = Map.of("/", html, "/index.html", html,
                "/app.js", asset("app.js", "text/javascript; charset=utf-8", model),
                "/style.css", asset("style.css", "text/css; charset=utf-8", model));
    }

    private static Asset asset(String name, String type, String model) {
        try (InputStream in = Page.class.getResourceAsStream("/lanes/serve/page/" + name)) {
            if (in == null) throw new IllegalStateException("the jar lacks lanes/serve/page/" + name);
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("{{MODEL}}", model);
            return new Asset(type, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int serve(Server server, HttpExchange ex) throws IOException {
        Asset a = assets.get(ex.getRequestURI().getRawPath());
        if (a == null) throw HttpError.notFound("no such page");
        var h = ex.getResponseHeaders();
        h.set("Cache-Control", "no-cache");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'");
        return server.send(ex, 200, a.type(), a.bytes(), a.bytes().length);
    }
}
