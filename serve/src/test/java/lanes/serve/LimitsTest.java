package lanes.serve;

import static lanes.serve.TestServer.array;
import static lanes.serve.TestServer.digit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 413, 429, 503 not-ready, and bodies that stall or end early: an answer every time, no hung connection. */
class LimitsTest {

    /** Sends raw bytes and reads the whole answer (the server closes these connections), within 10 s. */
    static String raw(TestServer s, String head, byte[] body) throws IOException {
        int port = URI.create(s.base).getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(body);
            out.flush();
            return new String(readAnswer(socket.getInputStream()), StandardCharsets.UTF_8);
        }
    }

    /** The status line, headers and a Content-Length body. */
    static byte[] readAnswer(InputStream in) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        int length = -1;
        StringBuilder line = new StringBuilder();
        while (true) { // headers
            int c = in.read();
            if (c < 0) return bytes.toByteArray();
            bytes.write(c);
            if (c == '\n') {
                String l = line.toString().strip();
                if (l.isEmpty()) break;
                if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(l.substring(15).strip());
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        for (int i = 0; i < length; i++) {
            int c = in.read();
            if (c < 0) break;
            bytes.write(c);
        }
        return bytes.toByteArray();
    }

    @Test
    void bodiesOverTheLimitAre413BeforeOrWhileReading() throws IOException {
        try (TestServer s = TestServer.start(TestServer.defaults().withMaxBody(1000))) {
            long t0 = System.nanoTime();
            // declared too large, body never sent: refused from the header at once
            String a = raw(s, "POST /v1/models/mnist:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000000\r\n\r\n", null);
            assertTrue(a.startsWith("HTTP/1.1 413 "), a);
            assertTrue(a.contains("{\"error\": \"the request body is 5000000 bytes; the limit is 1000 bytes"), a);
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "answered at once");
            // chunked, no length: refused once the limit is passed
            var r = s.send(HttpRequest.newBuilder(URI.create(s.base + "/v1/models/mnist:predict")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[3000]))));
            assertEquals(413, r.status(), r.body());
            assertTrue(r.body().contains("more than 1000 bytes"), r.body());
            // the image endpoint shares the limit
            assertEquals(413, s.post("/v1/models/mnist:image", "image/png", new byte[1001]).status());
            // and the server still answers
            assertEquals(200, s.get("/v2/health/ready").status());
        }
    }

    @Test
    void aBodyThatEndsEarlyIs400AndTheServerCarriesOn() throws IOException {
        try (TestServer s = TestServer.start(TestServer.defaults())) {
            int port = URI.create(s.base).getPort();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /v1/models/mnist:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inst")
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.shutdownOutput();
                String a = new String(readAnswer(socket.getInputStream()), StandardCharsets.UTF_8);
                assertTrue(a.startsWith("HTTP/1.1 400 "), a);
                assertTrue(a.contains("the body ended after 6 of 100 bytes"), a);
            }
            assertEquals(200, s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(digit(1)) + "]}").status());
        }
    }

    @Test
    void overloadIs429WithRetryAfterAtOnce() throws Exception {
        try (TestServer s = TestServer.start(TestServer.defaults().withMaxInFlight(1))) {
            int port = URI.create(s.base).getPort();
            byte[] body = ("{\"instances\": [" + array(digit(1)) + "]}").getBytes(StandardCharsets.UTF_8);
            try (Socket slow = new Socket("127.0.0.1", port)) {
                slow.setSoTimeout(10_000);
                OutputStream out = slow.getOutputStream();
                out.write(("POST /v1/models/mnist:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, 0, 10);
                out.flush();
                // the slow request holds the only slot while it reads its body
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (s.server.metrics.inFlight.get() < 1 && System.nanoTime() < deadline) Thread.sleep(5);
                var busy = s.postJson("/v1/models/mnist:predict", new String(body, StandardCharsets.UTF_8));
                assertEquals(429, busy.status(), busy.body());
                assertEquals("1", busy.header("Retry-After"));
                assertTrue(busy.body().contains("the server is busy (1 requests in flight)"), busy.body());
                out.write(body, 10, body.length - 10);
                out.flush();
                String a = new String(readAnswer(slow.getInputStream()), StandardCharsets.UTF_8);
                assertTrue(a.startsWith("HTTP/1.1 200 "), a);
            }
        }
    }

    @Test
    void notReadyIs503UntilAVersionAppears(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start(TestServer.defaults().withModel(dir))) {
            assertEquals(200, s.get("/v2/health/live").status());
            var ready = s.get("/v2/health/ready");
            assertEquals(503, ready.status());
            assertTrue(ready.body().contains("no model loaded yet"), ready.body());
            var predict = s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(digit(1)) + "]}");
            assertEquals(503, predict.status());
            assertTrue(predict.body().contains("model mnist is not ready"), predict.body());
            assertEquals(503, s.get("/v2/models/mnist/ready").status());
            assertTrue(s.get("/metrics").body().contains("lanes_serve_ready 0\n"));
            assertTrue(s.log().contains("waiting for one"), s.log());

            Files.createDirectories(dir.resolve("4"));
            TestServer.constantModel(dir.resolve("4").resolve("model.lnw"), 4);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (s.get("/v2/health/ready").status() != 200 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(200, s.get("/v2/health/ready").status());
            var r = s.postJson("/v2/models/mnist/versions/4/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], "
                    + "\"datatype\": \"FP32\", \"data\": " + array(digit(1)) + "}]}");
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().contains("\"model_version\": \"4\""), r.body());
        }
    }
}
