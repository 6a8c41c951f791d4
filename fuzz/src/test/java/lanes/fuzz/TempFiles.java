package lanes.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One scratch directory per JVM for targets that read from files; each input overwrites its file. */
final class TempFiles {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("lanes-fuzz-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DIR.toFile().deleteOnExit();
    }

    private TempFiles() {}

    /** Writes {@code data} to {@code name} in the scratch directory (replacing it) and returns the path. */
    static Path write(String name, byte[] data) throws IOException {
        Path p = DIR.resolve(name);
        Files.write(p, data);
        p.toFile().deleteOnExit();
        return p;
    }
}
