package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetcherTest {

    @TempDir Path tmp;
    Path root;
    Path good;                      // a valid tiny set to copy from
    DatasetSpec spec;               // published checksums = those of `good`
    ByteArrayOutputStream logBytes;
    Fetcher fetcher;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("data");
        good = tmp.resolve("good");
        spec = TestFiles.tinySpec(TestFiles.sha256Of(TestFiles.writeTinySet(good, 0)));
        logBytes = new ByteArrayOutputStream();
        fetcher = new Fetcher(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    /** A source that copies a prepared set, or fails with a fixed reason; counts its calls. */
    static final class FakeSource implements DataSource {
        final String name;
        final Path from;
        final String failure;
        final boolean published;
        int calls;

        FakeSource(String name, Path from, boolean published) {
            this.name = name;
            this.from = from;
            this.failure = null;
            this.published = published;
        }

        FakeSource(String name, String failure) {
            this.name = name;
            this.from = null;
            this.failure = failure;
            this.published = false;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Fetched fetch(DatasetSpec spec, Map<String, Path> out, PrintStream log) throws IOException {
            calls++;
            if (failure != null) throw new IOException(failure);
            for (String f : DatasetSpec.FILES) Files.copy(from.resolve(f), out.get(f), StandardCopyOption.REPLACE_EXISTING);
            return new Fetched(name, published, spec.trainCount(), spec.testCount(), List.of("note from " + name));
        }
    }

    @Test
    void secondRunReusesTheFilesWithoutAnySource() throws IOException {
        FakeSource src = new FakeSource("fake", good, false);
        Path dir = fetcher.fetch(spec, root, List.of(src));
        assertEquals(root.resolve("tiny"), dir);
        assertEquals(1, src.calls);
        for (String f : DatasetSpec.FILES) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        assertTrue(Files.readString(dir.resolve(Fetcher.RECORD)).contains("origin: fake"));
        assertNoTempFiles(dir);

        FakeSource offline = new FakeSource("must not be called", "offline");
        assertEquals(dir, fetcher.fetch(spec, root, List.of(offline)));
        assertEquals(0, offline.calls);
        assertTrue(log().contains("using the files already in"), log());
        assertTrue(log().lines().filter(l -> l.contains("note from fake")).count() == 2, "notes repeat on reuse: " + log());
    }

    @Test
    void publishedFilesAreReusedByChecksum() throws IOException {
        FakeSource mirror = new FakeSource("mirror", good, true);
        fetcher.fetch(spec, root, List.of(mirror));
        assertTrue(Files.readString(root.resolve("tiny").resolve(Fetcher.RECORD)).contains("published-checksums: yes"));
        FakeSource offline = new FakeSource("offline", "offline");
        fetcher.fetch(spec, root, List.of(offline));
        assertEquals(0, offline.calls);
    }

    @Test
    void filesPlacedByHandMatchingThePublishedChecksumsAreReused() throws IOException {
        Path dir = Files.createDirectories(root.resolve("tiny"));
        for (String f : DatasetSpec.FILES) Files.copy(good.resolve(f), dir.resolve(f));
        FakeSource offline = new FakeSource("offline", "offline");
        assertEquals(dir, fetcher.fetch(spec, root, List.of(offline)));
        assertEquals(0, offline.calls);
        assertTrue(Files.isRegularFile(dir.resolve(Fetcher.RECORD)));
    }

    @Test
    void corruptedFilesAreFetchedAgain() throws IOException {
        FakeSource src = new FakeSource("fake", good, false);
        Path dir = fetcher.fetch(spec, root, List.of(src));
        Files.write(dir.resolve(DatasetSpec.FILES.get(3)), new byte[] {1, 2, 3});
        fetcher.fetch(spec, root, List.of(src));
        assertEquals(2, src.calls);
        assertTrue(log().contains("do not check out"), log());

        Files.delete(dir.resolve(DatasetSpec.FILES.get(0)));
        fetcher.fetch(spec, root, List.of(src));
        assertEquals(3, src.calls);
        assertTrue(log().contains("only 3 of the 4 files"), log());
    }

    @Test
    void everySourceFailingNamesEachSourceAndWhy() throws IOException {
        Path bad = tmp.resolve("bad");
        TestFiles.writeTinySet(bad, 0);
        Files.write(bad.resolve(DatasetSpec.FILES.get(1)), new byte[] {0, 0, 8, 1, 0, 0, 0, 9}); // 9 labels, none there
        List<DataSource> sources = List.of(
                new FakeSource("mirror one", "cannot resolve host one.example"),
                new FakeSource("mirror two", "HTTP 404"),
                new FakeSource("broken package", bad, false),
                new FakeSource("wrong bytes", tmp.resolve("other"), true));
        TestFiles.writeTinySet(tmp.resolve("other"), 1); // valid IDX, but not the published files
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(spec, root, sources));
        String m = e.getMessage();
        assertTrue(m.startsWith("could not get tiny into " + root.resolve("tiny") + "; every source failed:"), m);
        assertTrue(m.contains("\n  - mirror one: cannot resolve host one.example"), m);
        assertTrue(m.contains("\n  - mirror two: HTTP 404"), m);
        assertTrue(m.contains("\n  - broken package: ") && m.contains("truncated"), m);
        assertTrue(m.contains("\n  - wrong bytes: ") && m.contains("expected the published"), m);
        Path dir = root.resolve("tiny");
        for (String f : DatasetSpec.FILES) assertFalse(Files.exists(dir.resolve(f)), f);
        assertFalse(Files.exists(dir.resolve(Fetcher.RECORD)));
        assertNoTempFiles(dir);
    }

    @Test
    void noSourcesIsAFailureToo() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(spec, root, List.of()));
        assertTrue(e.getMessage().contains("no sources"), e.getMessage());
    }

    @Test
    void laterSourceIsUsedWhenEarlierOnesFail() throws IOException {
        FakeSource down = new FakeSource("down", "offline");
        FakeSource up = new FakeSource("fallback", good, false);
        fetcher.fetch(spec, root, List.of(down, up));
        assertEquals(1, down.calls);
        assertEquals(1, up.calls);
        assertTrue(Files.readString(root.resolve("tiny").resolve(Fetcher.RECORD)).contains("origin: fallback"));
    }

    @Test
    void wrongCountsAreRejected() throws IOException {
        DatasetSpec wants5 = new DatasetSpec("tiny", 2, 2, 3, 5, 2, List.of(), Map.of(), List.of());
        IOException e = assertThrows(IOException.class,
                () -> fetcher.fetch(wants5, root, List.of(new FakeSource("fake", good, false))));
        assertTrue(e.getMessage().contains("train split is 4 images of 2x2, expected 5 of 2x2"), e.getMessage());
    }

    private static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> temps = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temps);
        }
    }
}
