package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import lanes.trainer.Dataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tools/train end to end on a tiny data set: where results go, and what a failed run leaves behind. */
class TrainRunTest {

    @TempDir Path dir;
    private Path data;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr, savedOut;

    @BeforeEach
    void setUp() throws IOException {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        data = dir.resolve("data");
        TestFiles.writeSet(data, 4, 4, 40, 10, 3, 1);
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private int train(String... extra) {
        String[] argv = Stream.concat(Stream.of("--data", data.toString(), "--epochs", "2", "--threads", "1"),
                Stream.of(extra)).toArray(String[]::new);
        return Train.run(argv, false);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheModelAndAWholeHistoryAndNoTemporaryFile() throws IOException {
        Path out = dir.resolve("m.lnw"), history = dir.resolve("new/sub/h.csv");
        assertEquals(Cli.OK, train("--out", out.toString(), "--history", history.toString()), stderr());
        assertTrue(Files.size(out) > 0);
        List<String> rows = Files.readAllLines(history);
        assertEquals("epoch,seconds,loss,accuracy,val_loss,val_accuracy", rows.get(0));
        assertEquals(3, rows.size(), rows.toString());
        assertTrue(rows.get(2).startsWith("2,"), rows.toString());
        try (Stream<Path> left = Files.list(history.getParent())) {
            assertEquals(List.of(history), left.toList(), "only the history itself, no temporary file");
        }
    }

    @Test
    void aHistoryBehindALinkIsWrittenThroughItWithItsPermissionsKept() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path real = Files.writeString(dir.resolve("real.csv"), "old\n");
        var perms = java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--");
        Files.setPosixFilePermissions(real, perms);
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real);
        assertEquals(Cli.OK, train("--out", dir.resolve("m.lnw").toString(), "--history", link.toString()), stderr());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertTrue(Files.readString(real).startsWith("epoch,seconds,loss,accuracy,val_loss,val_accuracy\n"));
        assertEquals(perms, Files.getPosixFilePermissions(real));
    }

    @Test
    void anOutputThatIsADirectoryFailsBeforeTrainingAndWritesNothing() throws IOException {
        Path outDir = Files.createDirectory(dir.resolve("out-dir")), history = dir.resolve("h.csv");
        assertEquals(Cli.FAILED, train("--out", outDir.toString(), "--history", history.toString()));
        assertTrue(stderr().contains("cannot write " + outDir + ": it is a directory"), stderr());
        assertFalse(Files.exists(history), "no history for a run that did not train");

        Path histDir = Files.createDirectory(dir.resolve("hist-dir")), out = dir.resolve("m.lnw");
        assertEquals(Cli.FAILED, train("--out", out.toString(), "--history", histDir.toString()));
        assertFalse(Files.exists(out), "no model was trained to be thrown away");
    }

    @Test
    void theSameFileForHistoryAndModelIsAUsageError() {
        Path out = dir.resolve("same.lnw");
        assertEquals(Cli.USAGE, train("--out", out.toString(), "--history", dir.resolve(".").resolve("same.lnw").toString()));
        assertTrue(stderr().contains("--history and --out name the same file"), stderr());
        assertFalse(Files.exists(out));
    }

    @Test
    void aDivergedRunSavesNoModelAndLeavesAnEarlierOneAlone() throws IOException {
        Path out = Files.write(dir.resolve("m.lnw"), new byte[] {1, 2, 3});
        assertEquals(Cli.FAILED, train("--out", out.toString(), "--lr", "1e30"));
        assertTrue(stderr().contains("training diverged"), stderr());
        assertTrue(stderr().contains("try a smaller --lr"), stderr());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
    }

    @Test
    void aBatchNearIntMaxTrainsOneBatchPerEpoch() throws IOException {
        Path out = dir.resolve("m.lnw"), history = dir.resolve("h.csv");
        assertEquals(Cli.OK, train("--out", out.toString(), "--history", history.toString(),
                "--batch", String.valueOf(Integer.MAX_VALUE)), stderr());
        String last = Files.readAllLines(history).get(2);
        assertFalse(last.contains("NaN"), last);
    }

    @Test
    void aCosineRunWithPatienceStopsEarlyKeepsTheCsvAndReportsOnStderr() throws IOException {
        Path out = dir.resolve("m.lnw"), history = dir.resolve("h.csv");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        assertEquals(Cli.OK, Train.run(new String[] {"--data", data.toString(), "--threads", "1", "--out", out.toString(),
                "--history", history.toString(), "--epochs", "8", "--lr", "0.05", "--lr-schedule", "cosine", "--patience", "1"}, false), stderr());
        List<String> rows = Files.readAllLines(history);
        assertEquals("epoch,seconds,loss,accuracy,val_loss,val_accuracy", rows.get(0), "the CSV header is unchanged");
        String report = stderr().lines().filter(l -> l.contains("epoch")).reduce("", (x, y) -> x + y + "\n");
        assertTrue(report.contains("tools/train: --lr-schedule cosine: learning rate at the end of each epoch: 0.0495"), report);
        assertTrue(report.contains("tools/train: stopped early after epoch " + (rows.size() - 1)
                + ": val_loss has not improved for 1 epoch; the best epoch was " + (rows.size() - 2)), report);
        assertTrue(rows.size() - 1 < 8, "stopped before epoch 8: " + rows);
        assertTrue(report.contains("restored its weights"), report);
        String out1 = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(out1.contains(": 16-128-3, batch 32"), "the summary line keeps its form without --arch: " + out1);
        assertTrue(out1.contains("after " + (rows.size() - 1) + " epochs"), out1);
    }

    @Test
    void archBuildsItsLayersAndRefusesWhatTheDataOrTrainerCannotTake() throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        Path out = dir.resolve("m.lnw");
        assertEquals(Cli.OK, train("--out", out.toString(), "--arch", "dense(8,relu) dense(6) dense(3,softmax)"), stderr());
        assertTrue(stdout.toString(StandardCharsets.UTF_8).contains(": 16 dense(8,relu) dense(6,linear) dense(3,softmax), batch"),
                stdout.toString(StandardCharsets.UTF_8));
        assertEquals(3, lanes.engine.WeightFile.read(out).layers().size());

        assertEquals(Cli.FAILED, train("--out", out.toString(), "--arch", "dense(8,relu) dense(2,softmax)"));
        assertTrue(stderr().contains("tools/train: --arch ends in 'dense(2,softmax)' but the data has 3 classes (labels 0-2)"), stderr());
        assertEquals(Cli.OK, train("--out", out.toString(), "--arch", "conv2d(4,3,relu) maxpool(2) dense(3,softmax)"), stderr());
        List<lanes.engine.Layer> cnn = lanes.engine.WeightFile.read(out).layers();
        assertTrue(cnn.get(0) instanceof lanes.engine.Conv2D && cnn.get(1) instanceof lanes.engine.MaxPool2D, cnn.toString());
        assertEquals(Cli.FAILED, train("--out", out.toString(), "--arch", "conv2d(4,5,relu) dense(3,softmax)"));
        assertTrue(stderr().contains("layer 1 'conv2d(4,5,relu)' needs an input of at least 5x5 but gets 4x4 (the images' size)"), stderr());
    }

    @Test
    void anAugmentationDistortsTheTrainingImages() throws IOException {
        Path plain = dir.resolve("plain.lnw"), augmented = dir.resolve("augmented.lnw");
        assertEquals(Cli.OK, train("--out", plain.toString()), stderr());
        assertEquals(Cli.OK, train("--out", augmented.toString(), "--augment", "affine,thickness"), stderr());
        assertEquals("", stderr());
        float[] a = ((lanes.engine.DenseWeights) lanes.engine.WeightFile.read(plain).layers().get(0)).kernel();
        float[] b = ((lanes.engine.DenseWeights) lanes.engine.WeightFile.read(augmented).layers().get(0)).kernel();
        assertFalse(java.util.Arrays.equals(a, b), "the same seed, other images, other weights");
    }

    @Test
    void splitsWithImagesOfDifferentSizesNameBothFiles() throws IOException {
        Path mixed = dir.resolve("mixed");
        TestFiles.writeSet(mixed, 4, 4, 40, 10, 3, 1);
        Path small = dir.resolve("small");
        TestFiles.writeSet(small, 3, 3, 40, 10, 3, 1);
        for (String name : new String[] {Dataset.imagesName("t10k"), Dataset.labelsName("t10k")}) {
            Files.copy(small.resolve(name), mixed.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(Cli.FAILED, Train.run(new String[] {"--data", mixed.toString(), "--out", dir.resolve("m.lnw").toString()}, false));
        assertTrue(stderr().contains(mixed.resolve(Dataset.imagesName("t10k")) + " holds 3x3 images but "
                + mixed.resolve(Dataset.imagesName("train")) + " holds 4x4"), stderr());
    }

    @Test
    void aDataPathThatIsAFileIsReportedAsNotADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertEquals(Cli.FAILED, Train.run(new String[] {"--data", file.toString(), "--out", dir.resolve("m.lnw").toString()}, false));
        assertEquals("tools/train: " + file + ": not a directory", stderr().strip());
    }
}
