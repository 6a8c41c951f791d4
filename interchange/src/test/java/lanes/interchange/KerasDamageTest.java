package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import lanes.engine.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged Keras files, every way a disk or a download damages them: cut short anywhere, single bits
 * flipped, runs of bytes overwritten. Each must import or be refused with an {@link ImportException};
 * nothing else may come out, and nothing may hang. (The fuzz target searches further; this is the
 * deterministic floor that every build checks.)
 */
class KerasDamageTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"keras2-cnn-bn.h5", "keras3-legacy-mlp-bn.h5", "keras3-functional-cnn.keras",
            "keras214-cnn-bn.keras", "keras2-mlp-latest-hdf5.h5"})
    void damagedFilesAreRefusedCleanly(String name) throws Exception {
        byte[] whole = Files.readAllBytes(KerasFiles.generated(name));
        String suffix = name.substring(name.lastIndexOf('.'));
        SplittableRandom random = new SplittableRandom(name.hashCode());
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 64; i++) {
                outcomes[read(Arrays.copyOf(whole, whole.length * i / 64), suffix, "cut to " + (whole.length * i / 64))]++;
            }
            for (int i = 0; i < 400; i++) {
                byte[] b = whole.clone();
                int at = random.nextInt(b.length);
                b[at] ^= (byte) (1 << random.nextInt(8));
                outcomes[read(b, suffix, "bit flipped at " + at)]++;
            }
            for (int i = 0; i < 100; i++) {
                byte[] b = whole.clone();
                int at = random.nextInt(b.length);
                for (int j = at; j < Math.min(b.length, at + 16); j++) b[j] = (byte) random.nextInt(256);
                outcomes[read(b, suffix, "16 bytes overwritten at " + at)]++;
            }
        });
        assertEquals(564, outcomes[0] + outcomes[1]);
        // Most damage is caught (a flipped bit in a weight's mantissa cannot be, in a format without checksums).
        if (outcomes[1] < 64) fail("only " + outcomes[1] + " of 564 damaged copies refused");
    }

    /**
     * A weight_names attribute whose datatype a damaged byte turned into an enum (found by fuzzing): jhdf
     * decodes its values as null names, and building the list of names threw NullPointerException.
     */
    @Test
    void aNameThatCannotBeDecodedIsADamagedFile() {
        Path file = Path.of("src/test/resources/lanes/interchange/keras/damaged/names-undecodable.h5");
        ImportException e = assertThrows(ImportException.class, () -> KerasImporter.read(file));
        assertEquals(file.toString(), e.source());
        assertTrue(e.getMessage().contains("damaged or truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("attribute weight_names of /model_weights/"), e.getMessage());
        assertTrue(e.getMessage().contains("a value that cannot be decoded"), e.getMessage());
    }

    /** 0 when the copy imported, 1 when it was refused as it should be; anything else fails the test. */
    private int read(byte[] bytes, String suffix, String what) throws Exception {
        Path file = Files.write(dir.resolve("damaged" + suffix), bytes);
        try {
            Weights w = KerasImporter.read(file);
            return w == null ? -1 : 0;
        } catch (ImportException expected) {
            assertEquals(file.toString(), expected.source());
            return 1;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }
}
