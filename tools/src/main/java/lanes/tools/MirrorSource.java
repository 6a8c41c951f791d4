package lanes.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mirror that serves the four published {@code .gz} files under one base URL. Every download is checked
 * against the published checksum before the fetcher accepts it. The short connect timeout makes an
 * offline machine fail in seconds rather than minutes.
 */
final class MirrorSource implements DataSource {

    /** No published file is near this; a mirror sending more is broken. */
    static final long MAX_BYTES = 128L << 20;

    private final URI base;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    MirrorSource(URI base, Duration connectTimeout, Duration requestTimeout) {
        this.base = base;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    MirrorSource(URI base) {
        this(base, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    @Override
    public String name() {
        return "mirror " + base;
    }

    @Override
    public Fetched fetch(DatasetSpec spec, Map<String, Path> out, PrintStream log) throws IOException {
        // Made here, not with the source: a run that reuses its files never fetches, and needs no client.
        HttpClient client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        Map<String, Checksum> checked = new LinkedHashMap<>();
        for (String file : DatasetSpec.FILES) {
            URI uri = base.resolve(file);
            log.println("fetch-data:   downloading " + uri);
            long bytes = download(client, uri, out.get(file));
            Checksum published = spec.published().get(file);
            if (published == null) throw new IOException("no published checksum for " + file);
            published.verify(out.get(file), uri.toString(), "published");
            log.println("fetch-data:   " + file + ": " + bytes + " bytes, " + published.algorithm() + " matches the published value");
            checked.put(file, published);
        }
        return new Fetched(name(), true, spec.trainCount(), spec.testCount(), List.of(), checked);
    }

    /** A network failure in words; the JDK's own exceptions often carry no message at all. */
    private String why(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "cannot resolve host " + base.getHost() + " (offline, or no DNS)";
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException) {
                return "no connection within " + connectTimeout.toSeconds() + " s";
            }
            if (t instanceof java.net.http.HttpTimeoutException) {
                return "no response within " + requestTimeout.toSeconds() + " s";
            }
        }
        return Cli.describeWithCauses(e);
    }

    private long download(HttpClient client, URI uri, Path to) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + uri, e);
        } catch (IOException e) {
            throw new IOException(uri + ": " + why(e));
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) throw new IOException(uri + ": HTTP " + resp.statusCode());
            long total = 0;
            try (OutputStream o = Files.newOutputStream(to)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > MAX_BYTES) throw new IOException(uri + ": more than " + MAX_BYTES + " bytes; not a data file");
                    o.write(buf, 0, n);
                }
            }
            return total;
        }
    }
}
