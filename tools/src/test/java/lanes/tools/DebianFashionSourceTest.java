package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianFashionSourceTest {

    @TempDir Path tmp;

    @Test
    void copiesAnInstalledPackage() throws IOException {
        Path installed = tmp.resolve("usr/share/datasets/fashion-mnist");
        Map<String, Path> files = TestFiles.writeTinySet(installed, 2);
        DatasetSpec spec = TestFiles.tinySpec(Map.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path dir = new Fetcher(new PrintStream(log, true)).fetch(spec, tmp.resolve("data"),
                List.of(new DebianFashionSource(installed, "lanes-no-such-apt-get", "lanes-no-such-dpkg-deb")));
        for (String f : DatasetSpec.FILES) assertEquals(-1, Files.mismatch(files.get(f), dir.resolve(f)), f);
        assertTrue(Files.readString(dir.resolve(Fetcher.RECORD)).contains("origin: installed Debian package"));
        assertTrue(log.toString().contains("published MD5s do not apply"), log.toString());
    }

    @Test
    void saysWhyWhenThePackageCannotBeDownloaded() {
        DatasetSpec spec = TestFiles.tinySpec(Map.of());
        DebianFashionSource src = new DebianFashionSource(tmp.resolve("nothing"), "lanes-no-such-apt-get", "dpkg-deb");
        IOException e = assertThrows(IOException.class, () -> new Fetcher(new PrintStream(new ByteArrayOutputStream()))
                .fetch(spec, tmp.resolve("data"), List.of(src)));
        assertTrue(e.getMessage().contains("- Debian package dataset-fashion-mnist: could not run lanes-no-such-apt-get"),
                e.getMessage());
    }
}
