package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a mirror on the loopback interface: the HTTP path and checksum checks, without network. */
class MirrorSourceTest {

    @TempDir Path tmp;
    HttpServer server;
    Map<String, Path> files;
    DatasetSpec spec;

    @BeforeEach
    void start() throws IOException {
        files = TestFiles.writeTinySet(tmp.resolve("served"), 0);
        spec = TestFiles.tinySpec(TestFiles.sha256Of(files));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/good/", ex -> {
            String name = Path.of(ex.getRequestURI().getPath()).getFileName().toString();
            Path f = files.get(name);
            byte[] body = f == null ? new byte[0] : Files.readAllBytes(f);
            ex.sendResponseHeaders(f == null ? 404 : 200, f == null ? -1 : body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.createContext("/altered/", ex -> {
            byte[] body = {0, 0, 8, 1, 0, 0, 0, 1, 0};
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI base(String path) {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path);
    }

    @Test
    void downloadsAndVerifiesTheFourFiles() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path dir = new Fetcher(new PrintStream(log, true)).fetch(spec, tmp.resolve("data"),
                List.of(new MirrorSource(base("/good/"))));
        for (String f : DatasetSpec.FILES) assertEquals(-1, Files.mismatch(files.get(f), dir.resolve(f)), f);
        assertTrue(log.toString().contains("SHA-256 matches the published value"), log.toString());
    }

    @Test
    void theRecordHoldsTheSha256OfTheInstalledFilesWhicheverAlgorithmIsPublished() throws IOException {
        Map<String, Checksum> md5 = new java.util.LinkedHashMap<>();
        for (String f : DatasetSpec.FILES) md5.put(f, Checksum.md5(Checksum.compute("MD5", files.get(f))));
        for (DatasetSpec published : List.of(spec, TestFiles.tinySpec(md5))) {
            Path root = tmp.resolve("data-" + published.published().get(DatasetSpec.FILES.get(0)).algorithm());
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Fetcher fetcher = new Fetcher(new PrintStream(log, true));
            Path dir = fetcher.fetch(published, root, List.of(new MirrorSource(base("/good/"))));
            String record = Files.readString(dir.resolve(Fetcher.RECORD));
            for (String f : DatasetSpec.FILES) {
                assertTrue(record.contains("sha256: " + Checksum.compute("SHA-256", dir.resolve(f)) + "  " + f + "\n"), record);
            }
            // A second run checks the files against that record and reuses them, mirror or no mirror.
            fetcher.fetch(published, root, List.of(new MirrorSource(URI.create("http://127.0.0.1:1/"))));
            assertTrue(log.toString().contains("using the files already in"), log.toString());
        }
    }

    @Test
    void missingFilesAlteredFilesAndDeadMirrorsFail() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        URI dead = URI.create("http://127.0.0.1:1/");
        List<DataSource> sources = List.of(new MirrorSource(base("/missing/")), new MirrorSource(base("/altered/")),
                new MirrorSource(dead, Duration.ofSeconds(2), Duration.ofSeconds(2)));
        IOException e = assertThrows(IOException.class,
                () -> new Fetcher(new PrintStream(log, true)).fetch(spec, tmp.resolve("data"), sources));
        String m = e.getMessage();
        assertTrue(m.contains("HTTP 404"), m);
        assertTrue(m.contains("SHA-256 is") && m.contains("expected the published"), m);
        assertTrue(m.contains("- mirror http://127.0.0.1:1/: http://127.0.0.1:1/train-images-idx3-ubyte.gz: "), m);
    }
}
