package lanes.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code tools/serve --model mnist-fast}: a bundled model's name, when no file has it, serves that model. */
class BundledModelTest {

    @Test
    void theFastModelIsServedByName() throws Exception {
        try (TestServer s = TestServer.start(TestServer.defaults().withModel(Path.of("mnist-fast")))) {
            TestServer.Response m = s.get("/v2/models/mnist");
            assertEquals(200, m.status(), m.body());
            // the MLP's flat signature, not the CNN's image
            assertTrue(m.body().contains("\"shape\": [-1, 784]"), m.body());
            assertTrue(m.body().contains("classpath:/lanes/engine/mnist-fast.lnw"), m.body());
        }
    }
}
