package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The mnist-small test fixture (test resource {@code mnist-small}, see its README): 1,000 train and 200 t10k
 * real MNIST digits in the layout tools/fetch-data writes.
 */
final class MnistSmall {
    private MnistSmall() {}

    /** One split of the fixture, {@code "train"} or {@code "t10k"}. */
    static Dataset load(String split) throws IOException {
        return Dataset.load(dir(), split);
    }

    private static Path dir() {
        URL dir = MnistSmall.class.getResource("/mnist-small");
        assertNotNull(dir, "the mnist-small fixture is not on the test classpath");
        try {
            return Path.of(dir.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(dir + " is not a file location", e);
        }
    }
}
