package lanes.interchange;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find Keras files: the shared real ones (optional) and the generated ones (committed). */
final class KerasFiles {
    private KerasFiles() {}

    /** Real Keras files, outside the project: {@code ../shared/fixtures/keras/} from the project root. */
    static final Path SHARED = Path.of("").toAbsolutePath().getParent().resolve("../shared/fixtures/keras").normalize();

    /** Small files in Keras' layouts written by bench/compare/keras_reference.py. */
    static final Path GENERATED = Path.of("src/test/resources/lanes/interchange/keras/generated");

    /** A shared fixture; the test is skipped, saying why, when the folder is absent. */
    static Path shared(String name) {
        assumeTrue(Files.isDirectory(SHARED), "skipped: the shared Keras fixtures are not at " + SHARED
                + " (see the README's testing section); nothing was checked against real Keras files");
        Path p = SHARED.resolve(name);
        assumeTrue(Files.isRegularFile(p), "skipped: " + p + " is absent");
        return p;
    }

    static Path generated(String name) {
        return GENERATED.resolve(name);
    }
}
