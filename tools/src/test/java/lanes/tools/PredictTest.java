package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import lanes.engine.Activation;
import lanes.engine.DenseWeights;
import lanes.engine.Model;
import lanes.engine.WeightFile;
import lanes.engine.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tools/predict end to end on the shipped samples with the model inside the engine jar. */
class PredictTest {

    private static final Path SAMPLES = Path.of("..", "tools", "samples");
    private static final Pattern JSON = Pattern.compile(
            "\\{\"file\": \"([^\"]+)\", \"label\": (\\d), \"probabilities\": \\[([^\\]]+)], \"micros\": ([0-9.]+)}");

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Predict.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<String> samples() throws IOException {
        try (Stream<Path> s = Files.list(SAMPLES)) {
            return s.map(Path::toString).filter(f -> f.matches(".*digit-\\d-.*")).sorted().toList();
        }
    }

    /** The sample image of a 7. */
    private static String seven() throws IOException {
        return sample("digit-7");
    }

    private static String sample(String prefix) throws IOException {
        return samples().stream().filter(f -> f.contains(prefix)).findFirst().orElseThrow();
    }

    @Test
    void jsonOnTheSamplesNamesTheRightDigitWithProbabilitiesThatSumToOne() throws IOException {
        List<String> files = samples();
        assertTrue(files.size() >= 10, "samples: " + files);
        String[] args = Stream.concat(Stream.of("--json"), files.stream()).toArray(String[]::new);
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(files.size(), lines.length, r.out());
        for (int i = 0; i < lines.length; i++) {
            Matcher m = JSON.matcher(lines[i]);
            assertTrue(m.matches(), lines[i]);
            assertEquals(files.get(i), m.group(1));
            int truth = Character.getNumericValue(Path.of(files.get(i)).getFileName().toString().charAt(6));
            assertEquals(truth, Integer.parseInt(m.group(2)), lines[i]);
            String[] p = m.group(3).split(", ");
            assertEquals(10, p.length);
            double sum = 0, best = -1;
            int arg = -1;
            for (int j = 0; j < 10; j++) {
                double v = Double.parseDouble(p[j]);
                sum += v;
                if (v > best) { best = v; arg = j; }
            }
            assertEquals(1.0, sum, 1e-5, lines[i]);
            assertEquals(truth, arg);
            assertTrue(Double.parseDouble(m.group(4)) > 0);
        }
    }

    @Test
    void textLineAndTopK() throws IOException {
        String seven = seven();
        Run r = run("--top-k", "3", seven);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches(Pattern.quote(seven) + ": 7 \\(\\d\\.\\d{3}\\), \\d \\(\\d\\.\\d{3}\\), \\d \\(\\d\\.\\d{3}\\)\n"), r.out());
    }

    @Test
    void aBadFileIsReportedAndTheOthersStillRun(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("notes.png"), "not an image");
        String seven = seven();
        Run r = run(bad.toString(), seven, dir.resolve("missing.png").toString());
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith(seven + ": 7 "), r.out());
        assertTrue(r.err().contains(bad + ": "), r.err());
        assertTrue(r.err().contains("missing.png: "), r.err());
        assertEquals(2, r.err().split("\n").length, r.err());
    }

    @Test
    void usageErrorsExitTwoAndHelpExitsZero() {
        assertEquals(2, run().code());
        assertEquals(2, run("--top-k", "11", "x.png").code());
        assertEquals(2, run("--preprocess", "sharpen", "x.png").code());
        assertEquals(2, run("--no-such-flag", "x.png").code());
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--preprocess"), help.out());
        assertTrue(help.out().contains("NAME-2.input.png"), "--dump-input names its files: " + help.out());
    }

    @Test
    void dumpInputWritesWhatTheNetworkSaw(@TempDir Path dir) throws IOException {
        String seven = seven();
        Run r = run("--dump-input", dir.toString(), seven);
        assertEquals(0, r.code(), r.err());
        Path png = dir.resolve(Path.of(seven).getFileName() + ".input.png");
        assertTrue(Files.size(png) > 100);
        assertEquals(280, javax.imageio.ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void aDumpDirectoryThatIsAFileIsAClearFailure(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        String seven = seven();
        Run r = run("--dump-input", file.toString(), seven);
        assertEquals(1, r.code());
        assertTrue(r.err().contains(file + " exists and is not a directory"), r.err());
    }

    @Test
    void aDumpDirectoryThatCannotBeCreatedIsAClearFailure(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        Run r = run("--dump-input", file.resolve("sub").toString(), seven());
        assertEquals(1, r.code());
        assertEquals("tools/predict: cannot create " + file.resolve("sub") + ": " + file + " is not a directory\n", r.err());
    }

    @Test
    void inputsOfTheSameNameGetDumpsOfTheirOwn(@TempDir Path dir) throws IOException {
        Path a = Files.copy(Path.of(seven()), Files.createDirectory(dir.resolve("a")).resolve("x.png"));
        Path b = Files.copy(Path.of(sample("digit-3")), Files.createDirectory(dir.resolve("b")).resolve("x.png"));
        Path dumps = dir.resolve("dumps");
        Run r = run("--dump-input", dumps.toString(), a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> files = Files.list(dumps)) {
            assertEquals(List.of("x.png-2.input.png", "x.png.input.png"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Arrays.equals(Files.readAllBytes(dumps.resolve("x.png.input.png")), Files.readAllBytes(dumps.resolve("x.png-2.input.png"))),
                "the 7 and the 3 are two different dumps");

        // By position in the arguments, whatever their directories, case or spelling; never a name already taken.
        Path d = Path.of("out");
        List<String> inputs = List.of("a/x.png", "b/x.png", "c/X.PNG", "x.png-2", "a b.png", "a_b.png", "/");
        List<Path> expected = new ArrayList<>();
        for (String n : List.of("x.png", "x.png-2", "X.PNG-3", "x.png-2-2", "a_b.png", "a_b.png-2", "input")) expected.add(d.resolve(n + ".input.png"));
        assertEquals(expected, Predict.dumpTargets(d, inputs));
    }

    @Test
    void aDirectoryWhereTheDumpGoesIsNeverReplaced(@TempDir Path dir) throws IOException {
        // Also how a dump that cannot be written is reported, tests running as root (who may write anywhere):
        // the prediction stands, the dump fails on a line of its own, exit 1.
        String seven = seven();
        Path blocking = Files.createDirectories(dir.resolve(Path.of(seven).getFileName() + ".input.png"));
        Run r = run("--dump-input", dir.toString(), seven);
        assertEquals(1, r.code());
        assertTrue(r.out().matches(Pattern.quote(seven) + ": 7 \\(\\d\\.\\d{3}\\)\n"), r.out());
        assertEquals(seven + ": cannot write " + blocking + ": a directory of that name is in the way (only files are replaced)\n", r.err());
        assertTrue(Files.isDirectory(blocking), "the empty directory is still there");

        // A file there is replaced; a write that fails says why, with the target's name.
        Path old = Files.writeString(dir.resolve("old.input.png"), "previous run");
        Predict.dump(old, new float[784]);
        assertEquals(280, ImageIO.read(old.toFile()).getWidth());
        Path notADir = Files.writeString(dir.resolve("plain"), "x");
        IOException e = assertThrows(IOException.class, () -> Predict.dump(notADir.resolve("x.input.png"), new float[784]));
        assertEquals("cannot write " + notADir.resolve("x.input.png") + ": " + notADir + " is not a directory", e.getMessage());
        assertEquals("permission denied", lanes.engine.BadInputException.reason(new AccessDeniedException(dir.resolve("x.input.png").toString())));
    }

    @Test
    void aReadOnlyDumpDirectoryIsPermissionDenied(@TempDir Path dir) throws IOException {
        String seven = seven();
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "a read-only directory is writable for this user (root)");
            Run r = run("--dump-input", ro.toString(), seven);
            assertEquals(1, r.code());
            assertTrue(r.out().startsWith(seven + ": 7 "), r.out());
            assertEquals(seven + ": cannot write " + ro.resolve(Path.of(seven).getFileName() + ".input.png") + ": permission denied\n", r.err());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void seedModeRefusesABlankImage(@TempDir Path dir) throws IOException {
        BufferedImage white = new BufferedImage(120, 90, BufferedImage.TYPE_BYTE_GRAY);
        white.getRaster().setSamples(0, 0, 120, 90, 0, filled(120 * 90, 255));
        Path file = dir.resolve("white.png");
        assertTrue(ImageIO.write(white, "png", file.toFile()));
        for (String mode : List.of("mnist", "seed")) {
            Run r = run("--preprocess", mode, file.toString());
            assertEquals(1, r.code(), mode);
            assertEquals("", r.out(), mode);
            assertEquals(file + ": no ink found (blank image): nothing stands out from the background\n", r.err(), mode);
        }
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void theBundledModelsAreNamedByModel() throws IOException {
        String seven = seven();
        for (String name : List.of("mnist", "mnist-fast")) {
            Run r = run("--json", "--model", name, seven);
            assertEquals(0, r.code(), name + ": " + r.err());
            assertTrue(r.out().contains("\"label\": 7"), name + ": " + r.out());
        }
        Run r = run("--model", "mnist-fast", "--input-range", "0,255", seven);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--input-range is for model files"), r.err());
    }

    /** --bf16: the same digits, and the probabilities of the rounded weights (close to float32's, not equal). */
    @Test
    void bf16ReadsTheSamplesAndChangesOnlyTheLowBits() throws IOException {
        List<String> files = samples();
        String[] plain = Stream.concat(Stream.of("--json", "--model", "mnist-fast"), files.stream()).toArray(String[]::new);
        String[] bf16 = Stream.concat(Stream.of("--json", "--model", "mnist-fast", "--bf16"), files.stream()).toArray(String[]::new);
        Run a = run(plain), b = run(bf16);
        assertEquals(0, b.code(), b.err());
        String[] la = a.out().split("\n"), lb = b.out().split("\n");
        assertEquals(la.length, lb.length);
        boolean anyDiffers = false;
        for (int i = 0; i < la.length; i++) {
            Matcher ma = JSON.matcher(la[i]), mb = JSON.matcher(lb[i]);
            assertTrue(ma.matches() && mb.matches(), lb[i]);
            assertEquals(ma.group(2), mb.group(2), "label of " + files.get(i));
            String[] pa = ma.group(3).split(", "), pb = mb.group(3).split(", ");
            for (int j = 0; j < 10; j++) {
                double x = Double.parseDouble(pa[j]), y = Double.parseDouble(pb[j]);
                assertEquals(x, y, 0.02, files.get(i) + " class " + j);
                anyDiffers |= x != y;
            }
        }
        assertTrue(anyDiffers, "--bf16 must round the weights");
    }

    @Test
    void jsonCallsTheOutputsOfAModelWithoutSoftmaxOutputs(@TempDir Path dir) throws IOException {
        // The format allows a LINEAR or RELU last layer: its outputs are scores, negative ones included, not
        // probabilities, and the JSON must not say they are. Softmax models keep "probabilities" (see above).
        Weights mnist = Model.loadBundled("mnist-fast").weights();
        String seven = seven();
        for (Activation head : List.of(Activation.LINEAR, Activation.RELU)) {
            List<DenseWeights> layers = new ArrayList<>();
            for (var l : mnist.layers()) layers.add((DenseWeights) l);
            DenseWeights last = layers.getLast();
            layers.set(layers.size() - 1, new DenseWeights(last.inputs(), last.units(), head, last.kernel(), last.bias()));
            Path model = dir.resolve(head + ".lnw");
            WeightFile.write(model, new Weights(mnist.inputSize(), layers, mnist.metadata()));
            Run r = run("--json", "--model", model.toString(), seven);
            assertEquals(0, r.code(), r.err());
            Matcher m = JSON.matcher(r.out().strip().replace("\"outputs\"", "\"probabilities\""));
            assertTrue(r.out().contains("\"outputs\": [") && !r.out().contains("probabilities") && m.matches(), r.out());
            assertEquals("7", m.group(2), r.out());
        }
    }

    @Test
    void runningOutOfMemoryIsSaidSoWithTheWayToRaiseTheHeap(@TempDir Path dir) throws Exception {
        // A 3000 x 3000 RGBA PNG (under the decoding limit, so decoded whole: 36 MB) in a 32 MB heap: the PNG
        // reader meets an OutOfMemoryError and wraps it. A child JVM, so that this one's heap is not at stake.
        Path big = writeRgbaPng(dir.resolve("big.png"), 3000, 3000);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Dlanes.simd=false",
                "-cp", System.getProperty("java.class.path"), Predict.class.getName(), big.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        // Output to a file, not read here: reading would block until the child exits, so a hung child would
        // hang the build instead of failing the test.
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String out = Files.readString(dir.resolve("child.log"));
        assertTrue(finished, "child did not finish: " + out);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains(big + ": not enough memory to decode a 3000 x 3000 image (raise the heap, e.g. LANES_JAVA_OPTS=-Xmx1g)\n"), out);
        assertFalse(out.contains("Exception") || out.contains("\tat "), "no stack trace: " + out);
    }

    /** An opaque white RGBA PNG, written row by row: the test never holds the image. */
    static Path writeRgbaPng(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + 4 * w];
        Arrays.fill(row, (byte) 255);
        row[0] = 0; // filter: none
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            for (int y = 0; y < h; y++) z.write(row);
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        new DataOutputStream(header).writeInt(w);
        new DataOutputStream(header).writeInt(h);
        header.write(new byte[] {8, 6, 0, 0, 0}); // 8 bits, RGBA, deflate, no filter method, not interlaced
        try (DataOutputStream png = new DataOutputStream(Files.newOutputStream(file))) {
            png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            chunk(png, "IHDR", header.toByteArray());
            chunk(png, "IDAT", idat.toByteArray());
            chunk(png, "IEND", new byte[0]);
        }
        return file;
    }

    private static void chunk(DataOutputStream png, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        png.writeInt(data.length);
        png.write(t);
        png.write(data);
        png.writeInt((int) crc.getValue());
    }
}
