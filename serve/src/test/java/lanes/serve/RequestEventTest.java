package lanes.serve;

import static lanes.serve.TestServer.array;
import static lanes.serve.TestServer.digit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lanes.Request JFR event: one per request, with its endpoint and status. */
class RequestEventTest {
    @Test
    void eachRequestIsRecorded(@TempDir Path tmp) throws Exception {
        try (TestServer s = TestServer.start(TestServer.defaults()); Recording rec = new Recording()) {
            rec.enable("lanes.Request").withThreshold(java.time.Duration.ZERO);
            rec.start();
            assertEquals(200, s.postJson("/v1/models/mnist:predict", "{\"instances\": [" + array(digit(1)) + "]}").status());
            assertEquals(404, s.get("/v1/models/other").status());
            Thread.sleep(100); // recorded after the exchange closes
            rec.stop();
            Path file = tmp.resolve("r.jfr");
            rec.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("lanes.Request"))
                    .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).toList();
            assertEquals(2, events.size(), events.toString());
            assertEquals("v1_predict", events.get(0).getString("endpoint"));
            assertEquals(200, events.get(0).getInt("status"));
            assertTrue(events.get(0).getDuration().toNanos() > 0);
            assertEquals("v1_status", events.get(1).getString("endpoint"));
            assertEquals(404, events.get(1).getInt("status"));
        }
    }
}
