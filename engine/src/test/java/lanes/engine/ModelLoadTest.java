package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a model fails only with the documented exception, whatever the file holds. */
class ModelLoadTest {

    @TempDir
    Path dir;

    /** 2 -> 3 (softmax) -> 2 (softmax): a valid weight file, but not a network the engine runs. */
    private static Weights softmaxInTheMiddle() {
        return new Weights(2, List.of(
                new DenseWeights(2, 3, Activation.SOFTMAX, new float[6], new float[3]),
                new DenseWeights(3, 2, Activation.SOFTMAX, new float[6], new float[2])), Metadata.unknown());
    }

    @Test
    void aValidFileTheEngineCannotRunIsAWeightFileException() throws IOException {
        // Found by WeightFileFuzzTest: Model.load threw IllegalArgumentException, which no caller expects.
        Path f = dir.resolve("middle-softmax.lnw");
        WeightFile.write(f, softmaxInTheMiddle());
        assertEquals(softmaxInTheMiddle(), WeightFile.read(f), "the format itself allows it");

        var e = assertThrows(WeightFileException.class, () -> Model.load(f));
        assertEquals(f.toString(), e.source());
        assertTrue(e.problem().contains("softmax is supported as the output only: layer 0 has it and layer 1 (Dense) follows"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException, String.valueOf(e.getCause()));

        try (InputStream in = Files.newInputStream(f)) {
            var s = assertThrows(WeightFileException.class, () -> Model.load(in, "upload.lnw"));
            assertEquals("upload.lnw", s.source());
        }
        assertThrows(IllegalArgumentException.class, () -> Model.of(softmaxInTheMiddle(), KernelsProvider.scalar()));
    }
}
