package lanes.serve;

import static lanes.serve.TestServer.array;
import static lanes.serve.TestServer.arrayAfter;
import static lanes.serve.TestServer.constantModel;
import static lanes.serve.TestServer.digit;
import static lanes.serve.TestServer.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload from a file and from numbered version directories; broken files are logged and skipped. */
class ReloadTest {

    /** The label the server predicts now, and the version it says it used. */
    private static String answer(TestServer s) throws IOException {
        var r = s.postJson("/v2/models/mnist/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], "
                + "\"datatype\": \"FP32\", \"data\": " + array(digit(1)) + "}]}");
        assertEquals(200, r.status(), r.body());
        float[] p = floats(arrayAfter(r.body(), "data"));
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        String version = r.body().replaceAll("(?s).*\"model_version\": \"([0-9]+)\".*", "$1");
        return "label " + best + " v" + version;
    }

    private static void await(TestServer s, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String now = answer(s);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = answer(s);
        }
        assertEquals(expected, now, s.log());
    }

    /** Writes bytes that are not a weight file, atomically (as a deployment would copy a broken file). */
    private static void broken(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, "LNW? not really".getBytes());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aReplacedFileIsServedAsTheNextVersionAndABrokenOneIsSkipped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.lnw");
        constantModel(file, 7);
        try (TestServer s = TestServer.start(TestServer.defaults().withModel(file))) {
            assertEquals("label 7 v1", answer(s));
            constantModel(file, 2);
            await(s, "label 2 v2");
            assertTrue(s.log().contains("reloaded: now serving version 2 from " + file), s.log());

            broken(file);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!s.log().contains("cannot load") && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(s.log().contains("cannot load " + file), s.log());
            assertTrue(s.log().contains("still serving version 2"), s.log());
            assertEquals("label 2 v2", answer(s));
            Thread.sleep(200); // several polls: a file that failed is not retried (nor logged) again until it changes
            assertEquals(1, s.log().split("cannot load", -1).length - 1, s.log());
            String metrics = s.get("/metrics").body();
            assertTrue(metrics.contains("lanes_serve_model_load_failures_total 1\n"), metrics);
            assertTrue(metrics.contains("lanes_serve_model_loads_total 2\n"), metrics);
            assertTrue(metrics.contains("lanes_serve_model_version 2\n"), metrics);

            constantModel(file, 5);
            await(s, "label 5 v3");
        }
    }

    @Test
    void theHighestVersionThatLoadsIsServed(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("1"));
        constantModel(dir.resolve("1").resolve("model.lnw"), 1);
        Files.createDirectories(dir.resolve("not-a-version"));
        constantModel(dir.resolve("not-a-version").resolve("model.lnw"), 9);
        try (TestServer s = TestServer.start(TestServer.defaults().withModel(dir))) {
            assertEquals("label 1 v1", answer(s));
            Files.createDirectories(dir.resolve("3"));
            broken(dir.resolve("3").resolve("weights.lnw"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!s.log().contains("cannot load") && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(s.log().contains("still serving version 1"), s.log());
            assertEquals("label 1 v1", answer(s));

            Files.createDirectories(dir.resolve("2"));
            constantModel(dir.resolve("2").resolve("model.lnw"), 2);
            await(s, "label 2 v2");
            assertEquals(404, s.get("/v1/models/mnist/versions/1").status());
            assertEquals(200, s.get("/v1/models/mnist/versions/2").status());

            constantModel(dir.resolve("3").resolve("weights.lnw"), 3); // the broken version is fixed
            await(s, "label 3 v3");

            try (var files = Files.list(dir.resolve("3"))) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir.resolve("3")); // the served version is withdrawn: back to the highest left
            await(s, "label 2 v2");
        }
    }
}
