package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
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
    @DisabledOnOs(OS.WINDOWS)
    void extractsADownloadedPackageAndNamesAFileItLacks() throws IOException {
        Path content = tmp.resolve("content");
        Map<String, Path> files = TestFiles.writeTinySet(content, 1);
        // Stand-ins for apt-get and dpkg-deb: "download" an empty .deb, "extract" whatever content/ holds.
        Path aptGet = script("apt-get", ": > " + DebianFashionSource.PACKAGE + "_1.0_all.deb");
        Path dpkgDeb = script("dpkg-deb", "mkdir -p \"$3/" + DebianFashionSource.FILES_IN_PACKAGE + "\" && cp '"
                + content + "'/* \"$3/" + DebianFashionSource.FILES_IN_PACKAGE + "/\"");
        DebianFashionSource src = new DebianFashionSource(tmp.resolve("nothing"), aptGet.toString(), dpkgDeb.toString());
        DatasetSpec spec = TestFiles.tinySpec(Map.of());
        Fetcher fetcher = new Fetcher(new PrintStream(new ByteArrayOutputStream()));

        Path dir = fetcher.fetch(spec, tmp.resolve("data"), List.of(src));
        for (String f : DatasetSpec.FILES) assertEquals(-1, Files.mismatch(files.get(f), dir.resolve(f)), f);
        assertTrue(Files.readString(dir.resolve(Fetcher.RECORD)).contains(
                "origin: Debian package dataset-fashion-mnist, dataset-fashion-mnist_1.0_all.deb (apt-get download)"));

        Files.delete(files.get(DatasetSpec.FILES.get(2)));
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(spec, tmp.resolve("data2"), List.of(src)));
        assertTrue(e.getMessage().contains("- Debian package dataset-fashion-mnist: dataset-fashion-mnist_1.0_all.deb has no "
                + "usr/share/datasets/fashion-mnist/" + DatasetSpec.FILES.get(2)), e.getMessage());
    }

    private Path script(String name, String body) throws IOException {
        Path p = tmp.resolve("bin").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\nset -e\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
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
