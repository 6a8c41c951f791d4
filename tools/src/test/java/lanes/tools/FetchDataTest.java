package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchDataTest {

    @TempDir Path tmp;
    final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    int run(String... args) {
        return FetchData.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpGoesToStdoutWithStatus0() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("--dataset") && out().contains("Exit status"), out());
        assertEquals("", err());
        // The option's help is joined from constants by hand: it must still name every known data set.
        assertTrue(out().contains("\n      " + String.join(" or ", DatasetSpec.NAMES) + "\n"), out());
    }

    @Test
    void eachDataSetFallsBackToItsOwnOfflineSourceAfterItsMirrors() {
        assertEquals(List.of("mnist", "fashion-mnist"), DatasetSpec.NAMES);
        List<DataSource> mnist = FetchData.sources(DatasetSpec.byName("mnist"));
        assertEquals(DatasetSpec.mnist().mirrors().size() + 1, mnist.size());
        assertTrue(mnist.get(mnist.size() - 1) instanceof NpmMnistSource);
        List<DataSource> fashion = FetchData.sources(DatasetSpec.byName("fashion-mnist"));
        assertEquals(DatasetSpec.fashionMnist().mirrors().size() + 1, fashion.size());
        assertTrue(fashion.get(fashion.size() - 1) instanceof DebianFashionSource);
        for (int i = 0; i < fashion.size() - 1; i++) assertTrue(fashion.get(i) instanceof MirrorSource, fashion.get(i).name());
    }

    @Test
    void badArgumentsExitWith2() {
        assertEquals(2, run());
        assertTrue(err().contains("--dataset"), err());
        assertEquals(2, run("--dataset", "cifar10"));
        assertTrue(err().contains("unknown dataset 'cifar10'"), err());
        assertEquals(2, run("--dataset", "mnist", "--frobnicate"));
        assertEquals("", out());
    }

    @Test
    void reusesAVerifiedSetAndPrintsItsDirectoryLast() throws IOException {
        // A valid 28x28 set recorded as if a fallback had fetched it: the CLI must reuse it, with no network.
        Path root = tmp.resolve("data");
        Path staged = tmp.resolve("staged");
        TestFiles.writeSet(staged, 28, 28, 5, 3, 10, 0);
        DataSource fake = new DataSource() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public Fetched fetch(DatasetSpec spec, java.util.Map<String, Path> o, PrintStream log) throws IOException {
                for (String f : DatasetSpec.FILES) java.nio.file.Files.copy(staged.resolve(f), o.get(f));
                return new Fetched("fake", false, 5, 3, List.of("a small fake set"));
            }
        };
        new Fetcher(new PrintStream(new ByteArrayOutputStream())).fetch(DatasetSpec.mnist(), root, List.of(fake));

        assertEquals(0, run("--dataset", "mnist", "--dir", root.toString()));
        List<String> lines = out().lines().toList();
        assertEquals(root.resolve("mnist").toAbsolutePath().normalize().toString(), lines.get(lines.size() - 1));
        assertTrue(err().contains("using the files already in") && err().contains("a small fake set"), err());
        assertTrue(!err().contains("trying"), err());
    }
}
