package lanes.serve;

import static lanes.serve.TestServer.array;
import static lanes.serve.TestServer.digit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/serve as a process: it prints its URL when ready; SIGTERM closes the listener, lets the request
 * in flight finish, and exits 0. Usage errors exit 2, a model that cannot load exits 1.
 */
class ShutdownTest {

    private static Process start(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), "lanes.serve.Serve"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    }

    @Test
    void sigtermFinishesTheRequestInFlightAndExitsZero(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("err.log");
        Process p = start(log, "--port", "0", "--drain", "10");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            Matcher m = Pattern.compile("lanes serve: ready at http://127\\.0\\.0\\.1:([0-9]+)/ \\(model mnist version 1, .*").matcher(
                    String.valueOf(ready));
            assertTrue(m.matches(), ready + " / " + Files.readString(log));
            int port = Integer.parseInt(m.group(1));

            byte[] body = ("{\"instances\": [" + array(digit(1)) + "]}").getBytes(StandardCharsets.UTF_8);
            try (Socket inFlight = new Socket("127.0.0.1", port)) {
                inFlight.setSoTimeout(15_000);
                OutputStream o = inFlight.getOutputStream();
                o.write(("POST /v1/models/mnist:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                o.write(body, 0, 100);
                o.flush();
                Thread.sleep(300); // the request is being read
                p.destroy(); // SIGTERM
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!Files.readString(log).contains("stopping") && System.nanoTime() < deadline) Thread.sleep(20);
                Thread.sleep(200);
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "the listener is closed");
                o.write(body, 100, body.length - 100);
                o.flush();
                String answer = new String(LimitsTest.readAnswer(inFlight.getInputStream()), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                assertTrue(answer.contains("{\"predictions\": [["), answer);
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits");
            assertEquals(0, p.exitValue(), Files.readString(log));
            String err = Files.readString(log);
            assertTrue(err.contains("stopping: no new connections; waiting up to 10 s for 1 request(s) in flight"), err);
            assertTrue(err.contains("lanes serve: stopped"), err);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void usageErrorsExit2AndAModelThatCannotLoadExits1(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("err.log");
        Process usage = start(log, "--port", "70000");
        assertTrue(usage.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, usage.exitValue());
        assertTrue(Files.readString(log).contains("tools/serve: --port must be 0 to 65535, got 70000"), Files.readString(log));

        Path bad = tmp.resolve("bad.lnw");
        Files.writeString(bad, "not weights");
        Process broken = start(log, "--port", "0", "--model", bad.toString());
        assertTrue(broken.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, broken.exitValue());
        assertTrue(Files.readString(log).contains("cannot load the model: " + bad), Files.readString(log));

        Process missing = start(log, "--port", "0", "--model", tmp.resolve("nothing").toString());
        assertTrue(missing.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, missing.exitValue());
    }

    @Test
    void helpExitsZero(@TempDir Path tmp) throws Exception {
        Process help = start(tmp.resolve("err.log"), "--help");
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue());
        for (String option : new String[] {"--model", "--name", "--port", "--host", "--threads", "--max-body", "--max-inflight", "--poll"}) {
            assertTrue(text.contains(option), option + " in " + text);
        }
    }
}
