package lanes.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import lanes.trainer.Dataset;
import lanes.trainer.Samples;

/**
 * Real images for the benchmarks, from the directory tools/fetch-data writes. {@code -Dlanes.data=DIR}
 * points elsewhere; a missing directory fails the benchmark with the command that fetches it.
 */
final class RealData {
    private RealData() {}

    static Samples load(String dataset, String split) {
        Path dir = Path.of(System.getProperty("lanes.data", "data")).resolve(dataset);
        if (!Files.isDirectory(dir)) throw new IllegalStateException(
                "no " + dataset + " data at " + dir.toAbsolutePath() + ": run tools/fetch-data --dataset " + dataset
                        + " (or pass -Dlanes.data=DIR to the benchmark JVM with -jvmArgsAppend)");
        try {
            return Dataset.load(dir, split).samples();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
