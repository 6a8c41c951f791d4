package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Argument handling shared by the tools: exit codes, and nothing runs on a bad command line. */
class CliTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr, savedOut;

    @BeforeEach
    void captureOutput() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Runs the tool's argument handling with a body that only records that it ran. */
    private static int run(String program, Cli.HasHelp args, AtomicBoolean ran, String... argv) {
        return Cli.run(program, args, argv, () -> {
            ran.set(true);
            return Cli.OK;
        });
    }

    @Test
    void anOptionValueMissingBeforeDoubleDashIsAUsageErrorNotACrash() {
        // JCommander throws ArrayIndexOutOfBoundsException on these (found by CliFuzzTest).
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(Cli.USAGE, run("tools/train", new Train.Args(), ran, "--data", "--"));
        assertEquals(Cli.USAGE, run("tools/predict", new Predict.Args(), ran, "--top-k", "--"));
        assertFalse(ran.get());
        assertTrue(stderr().startsWith("tools/train: cannot parse the arguments [--data, --]"), stderr());
        assertTrue(stderr().contains("Usage: tools/train"), stderr());
    }

    @Test
    void anImageNamedWithAnAtSignIsAFileNotAnArgumentFile() {
        Predict.Args a = new Predict.Args();
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(Cli.OK, run("tools/predict", a, ran, "@2x.png", "--json"));
        assertTrue(ran.get());
        assertEquals(List.of("@2x.png"), a.files);
    }

    @Test
    void valuesAreCheckedBeforeTheCommandRuns() {
        AtomicBoolean ran = new AtomicBoolean();
        for (String[] argv : new String[][] {
                {"--data", "d", "--epochs", "0"}, {"--data", "d", "--batch", "-1"}, {"--data", "d", "--hidden", "0"},
                {"--data", "d", "--lr", "NaN"}, {"--data", "d", "--lr", "Infinity"}, {"--data", "d", "--threads", "0"},
                {"--data", "d", "--threads", "40000"}, {"--data", "d", "--hidden", "2000000"}, {"--data", "d", "--lr", "1e-50"},
                {"--data", "d", "--lr", "1e39"}, {"--data", "d", "--out", "a.lnw", "--history", "./a.lnw"}}) {
            assertEquals(Cli.USAGE, run("tools/train", new Train.Args(), ran, argv), String.join(" ", argv));
        }
        assertEquals(Cli.USAGE, run("tools/predict", new Predict.Args(), ran));
        assertEquals(Cli.USAGE, run("tools/predict", new Predict.Args(), ran, "--top-k", "0", "x.png"));
        assertEquals(Cli.USAGE, run("tools/latency", new Latency.Args(), ran, "--data", "d", "--calls", "0"));
        assertEquals(Cli.USAGE, run("tools/latency", new Latency.Args(), ran, "--data", "d", "--calls", "2147483647"));
        assertTrue(stderr().contains("--lr must be a float32 between 1.4E-45 and 3.4028235E38, got 1e-50"), stderr());
        assertEquals(Cli.USAGE, run("tools/train", new Train.Args(), ran, "--data", "d", "--lr", "abc"));
        assertTrue(stderr().contains("--lr must be a number, got 'abc'"), stderr());
        Train.Args defaults = new Train.Args();
        assertEquals(lanes.trainer.Adam.DEFAULT_LR, defaults.learningRate(), 0f);
        assertFalse(ran.get(), "a command ran on arguments its checks reject");
        assertEquals(Cli.OK, run("tools/train", new Train.Args(), ran, "--data", "d", "--epochs", "1"));
        assertTrue(ran.get());
    }

    @Test
    void trainingOptionsAreCheckedBeforeTrainingAndNameTheFlag() {
        AtomicBoolean ran = new AtomicBoolean();
        String[][] refused = { // the argument after --data d, and what the message must say
                {"--hidden", "64", "--arch", "dense(10,softmax)", "--hidden and --arch both give the layers: use --arch alone"},
                {"--arch", "dense(10,relu)", "--arch: architecture 'dense(10,relu)': layer 1 'dense(10,relu)' (column 1): the last layer must be dense(classes,softmax)"},
                {"--arch", "dense(128,relu),dense(10,softmax)", "layers are separated by spaces, not commas"},
                {"--arch", "dense(2000000,relu) dense(10,softmax)", "--arch: layer 1 'dense(2000000,relu)' has more units than the 1048576"},
                {"--lr-schedule", "cosine:2", "--lr-schedule: learning-rate schedule 'cosine:2': 'cosine' takes no parameters"},
                {"--lr-schedule", "step:0.5", "valid: constant, cosine, step:FACTOR@EPOCHS"},
                {"--patience", "-1", "--patience must be >= 0 (0: no early stopping), got -1"},
                {"--augment", "affine,none", "--augment: 'none' combined with others in 'affine,none'"},
                {"--augment", "rotate", "--augment: unknown augmentation 'rotate' in 'rotate': expected none or a comma-separated set of affine, elastic, thickness"},
                {"--augment", "affine,affine", "--augment: augmentation 'affine' appears twice in 'affine,affine'"},
                {"--augment", "", "--augment: an empty augmentation in ''"},
        };
        for (String[] c : refused) {
            err.reset();
            String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("--data", "d"),
                    java.util.Arrays.stream(c, 0, c.length - 1)).toArray(String[]::new);
            assertEquals(Cli.USAGE, run("tools/train", new Train.Args(), ran, argv), String.join(" ", argv));
            assertTrue(stderr().startsWith("tools/train: "), stderr());
            assertTrue(stderr().contains(c[c.length - 1]), stderr());
        }
        assertFalse(ran.get(), "a command ran on arguments its checks reject");

        Train.Args a = new Train.Args();
        assertEquals(Cli.OK, run("tools/train", a, ran, "--data", "d", "--arch", "conv2d(16,5,relu) maxpool(2) dense(10,softmax)",
                "--lr-schedule", "step:0.5@10", "--patience", "3", "--augment", "affine, elastic"));
        assertTrue(ran.get());
        assertEquals("conv2d(16,5,relu) maxpool(2) dense(10,softmax)", a.architecture().toString());
        assertEquals(lanes.trainer.FitOptions.DEFAULTS.withSchedule(new lanes.trainer.LearningRateSchedule.Step(0.5, 10)).withPatience(3),
                a.fitOptions());
        Train.Args defaults = new Train.Args();
        assertEquals(Cli.OK, run("tools/train", defaults, ran, "--data", "d"));
        assertEquals(null, defaults.architecture(), "no --arch: --hidden's model, with the data's classes");
        assertEquals(128, defaults.hiddenUnits());
        assertEquals(lanes.trainer.FitOptions.DEFAULTS, defaults.fitOptions());
    }

    @Test
    void fetchDataParsesLikeTheOtherToolsWithoutFetching() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(Cli.USAGE, FetchData.parse(new String[] {"--dataset", "mnist", "--dir", "--"}, quiet, quiet).exitCode());
        FetchData.Parsed p = FetchData.parse(new String[] {"--dataset", "mnist", "--dir", "@data"}, quiet, quiet);
        assertEquals(Cli.OK, p.exitCode());
        assertEquals(java.nio.file.Path.of("@data"), p.dir());
        assertEquals("mnist", p.spec().name());
    }

    @Test
    void aRepeatedFlagIsAUsageErrorNotAToggle() {
        // JCommander flipped a flag at every occurrence: "-h -h" ran fetch-data without --dataset into a
        // NullPointerException (found by CliFuzzTest), "--help --help" ran train without --data, and
        // "--json --json" printed text.
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(Cli.USAGE, run("tools/train", new Train.Args(), ran, "--help", "--help"));
        assertEquals(Cli.USAGE, run("tools/predict", new Predict.Args(), ran, "--json", "x.png", "--json"));
        assertFalse(ran.get());
        assertTrue(stderr().contains("Can only specify option --json once."), stderr());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(Cli.USAGE, FetchData.parse(new String[] {"-h", "-h"}, quiet, quiet).exitCode());
        assertEquals(Cli.USAGE, FetchData.parse(new String[] {"-h", "--help"}, quiet, quiet).exitCode());
        // JCommander matches option names trimmed, control characters included (found by CliFuzzTest).
        assertEquals(Cli.USAGE, FetchData.parse(new String[] {"\u0001\u0011-h", "-h"}, quiet, quiet).exitCode());
        assertEquals(Cli.USAGE, run("tools/predict", new Predict.Args(), ran, " --json", "x.png", "--json "));

        // Not a flip back: an odd count, a flag's name as another option's value, anything after "--".
        assertEquals(Cli.OK, run("tools/predict", new Predict.Args(), ran, "-h", "--help", "-h"));
        Train.Args t = new Train.Args();
        assertEquals(Cli.OK, run("tools/train", t, ran, "--data", "--help", "--epochs", "2"));
        assertEquals(java.nio.file.Path.of("--help"), t.data);
        Predict.Args p = new Predict.Args();
        assertEquals(Cli.OK, run("tools/predict", p, ran, "--json", "--", "x.png"));
        assertTrue(p.json);
    }

    @Test
    void fileSystemFailuresReadAsFileAndReasonNotAsAnExceptionName() {
        assertEquals("/d/x.gz: permission denied", Cli.describe(new java.nio.file.AccessDeniedException("/d/x.gz")));
        assertEquals("/d: not a directory", Cli.describe(new java.nio.file.NotDirectoryException("/d")));
        assertEquals("/d/x: no such file or directory", Cli.describe(new java.nio.file.NoSuchFileException("/d/x")));
        assertEquals("/d/x: gone away", Cli.describe(new java.nio.file.NoSuchFileException("/d/x", null, "gone away")));
        assertEquals("/a -> /b: Read-only file system",
                Cli.describe(new java.nio.file.FileSystemException("/a", "/b", "Read-only file system")));
        assertEquals("/d/x.gz: permission denied", Cli.describe(
                new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/d/x.gz"))));
        // A message-less exception shows its type instead of "null"; an unexpected one keeps its type too.
        assertEquals("NullPointerException", Cli.describe(new NullPointerException()));
        assertEquals("ArithmeticException: / by zero", Cli.describe(new ArithmeticException("/ by zero")));
        assertEquals("bad input", Cli.describe(new java.io.IOException("bad input")));
    }

    @Test
    void runningOutOfMemoryIsOneLineThatSaysHowToGetMore() {
        assertEquals(Cli.FAILED, Cli.run("tools/train", new Train.Args(), new String[] {"--data", "d"}, () -> {
            throw new OutOfMemoryError("Java heap space");
        }));
        String line = stderr().strip();
        assertTrue(line.startsWith("tools/train: out of memory"), line);
        assertTrue(line.contains("LANES_JAVA_OPTS=-Xmx"), line);
        assertFalse(line.contains("\n"), line);
        assertEquals(Cli.FAILED, Cli.run("tools/train", new Train.Args(), new String[] {"--data", "d"}, () -> {
            throw new java.nio.file.AccessDeniedException("/d/train-labels-idx1-ubyte.gz");
        }));
        assertTrue(stderr().contains("tools/train: /d/train-labels-idx1-ubyte.gz: permission denied"), stderr());
    }

    @Test
    void helpRunsNothing() {
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(Cli.OK, run("tools/train", new Train.Args(), ran, "--help"));
        assertEquals(Cli.OK, run("tools/predict", new Predict.Args(), ran, "-h"));
        assertFalse(ran.get());
    }
}
