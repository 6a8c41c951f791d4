package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {

    @TempDir Path dir;

    @Test
    void readsTheWantedRegularFiles() throws IOException {
        byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/", new byte[0]);
        entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        entries.put("package/src/digits/0.json", big);
        entries.put("pax:package/src/digits/1.json", "one".getBytes(StandardCharsets.UTF_8));
        entries.put("package/src/digits/2.json", new byte[0]);
        Path tgz = dir.resolve("p.tgz");
        TestFiles.tarGz(tgz, entries);

        Map<String, byte[]> got = TarGz.read(tgz, n -> n.startsWith("package/src/digits/"), 1 << 20);
        assertEquals(List.of("package/src/digits/0.json", "package/src/digits/1.json", "package/src/digits/2.json"),
                List.copyOf(got.keySet()));
        assertArrayEquals(big, got.get("package/src/digits/0.json"));
        assertEquals("one", new String(got.get("package/src/digits/1.json"), StandardCharsets.UTF_8));
        assertEquals(0, got.get("package/src/digits/2.json").length);
    }

    @Test
    void refusesOversizedEntriesAndTruncatedArchives() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        TestFiles.tarGz(tgz, Map.of("a", new byte[4096]));
        assertThrows(IOException.class, () -> TarGz.read(tgz, n -> true, 1000));

        Path cut = dir.resolve("cut.tgz");
        byte[] gz = Files.readAllBytes(tgz);
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(cut))) {
            out.write(java.util.Arrays.copyOf(new java.util.zip.GZIPInputStream(
                    new java.io.ByteArrayInputStream(gz)).readAllBytes(), 700));
        }
        assertThrows(IOException.class, () -> TarGz.read(cut, n -> true, 1 << 20));
    }
}
