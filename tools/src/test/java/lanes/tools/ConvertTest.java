package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import lanes.engine.InputRange;
import lanes.engine.Model;
import lanes.engine.WeightFile;
import lanes.engine.Weights;
import lanes.interchange.OnnxImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tools/convert on the committed ONNX fixtures (interchange's test resources, made by bench/compare/export_onnx.py). */
class ConvertTest {
    private static final Path FIXTURES = Path.of("..", "interchange", "src", "test", "resources", "lanes", "interchange", "onnx");
    private static final List<String> RUNNABLE = List.of("mlp", "lenet", "cnn", "gemm_attrs", "same_pool");

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run convert(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Convert.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String fixture(String name) {
        return FIXTURES.resolve(name).toString();
    }

    @Test
    void everyFixturePassesTheCheck() {
        String[] args = Stream.concat(Stream.of("--check"), RUNNABLE.stream().map(ConvertTest::fixture)).toArray(String[]::new);
        Run r = convert(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(RUNNABLE.size(), r.out().lines().filter(l -> l.endsWith(": ok")).count(), r.out());
        assertTrue(r.out().contains("max abs difference"), r.out());
    }

    @Test
    void aToleranceOfZeroFailsWhereTheEngineIsNotBitExact() {
        Run r = convert("--check", "--tolerance", "0", fixture("same_pool"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED (tolerance 0.0)"), r.out());
    }

    @Test
    void anUnsupportedModelIsNamedWithoutAStackTrace() {
        Run r = convert("--check", fixture("unsupported"), fixture("mlp"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unsupported: 2 problems"), r.err());
        assertTrue(r.err().contains("grouped_conv (Conv, opset 13): group = 2"), r.err());
        assertTrue(r.err().contains("leaky (LeakyRelu, opset 13): op not supported"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertTrue(r.out().contains("mlp: max abs difference"), "the other directories still run: " + r.out());
    }

    @Test
    void onnxToLnwAndBackKeepsWhatTheCheckSees() throws Exception {
        for (String name : RUNNABLE) {
            Path lnw = dir.resolve(name + ".lnw");
            Run r = convert(fixture(name) + "/model.onnx", lnw.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith(lnw + ": "), r.out());
            Weights imported = OnnxImporter.read(FIXTURES.resolve(name).resolve("model.onnx"));
            assertEquals(imported.layers(), WeightFile.read(lnw).layers());

            // The .lnw exported again, beside the original test data, passes the same check.
            Path again = Files.createDirectories(dir.resolve(name));
            assertEquals(0, convert(lnw.toString(), again.resolve("model.onnx").toString()).code());
            Path data = Files.createDirectories(again.resolve("test_data_set_0"));
            for (String f : List.of("input_0.pb", "output_0.pb"))
                Files.copy(FIXTURES.resolve(name).resolve("test_data_set_0").resolve(f), data.resolve(f));
            Run check = convert("--check", again.toString());
            assertEquals(0, check.code(), check.out() + check.err());
        }
    }

    @Test
    void inputRangeAndLabelsAreStored() throws Exception {
        Path lnw = dir.resolve("m.lnw");
        String labels = "zero,one,two,three,four,five,six,seven,eight,nine";
        Run r = convert("--input-range", "0,255", "--labels", labels, fixture("lenet") + "/model.onnx", lnw.toString());
        assertEquals(0, r.code(), r.err());
        Model m = Model.load(lnw);
        assertEquals(new InputRange(0, 255), m.inputRange());
        assertEquals(Arrays.asList(labels.split(",")), m.labels());
        assertEquals("onnx", m.provenance().format());
    }

    @Test
    void badFilesFailWithOneLine() throws Exception {
        Path cut = dir.resolve("cut.onnx");
        byte[] model = Files.readAllBytes(FIXTURES.resolve("cnn/model.onnx"));
        Files.write(cut, Arrays.copyOf(model, model.length / 2));
        Run r = convert(cut.toString(), dir.resolve("x.lnw").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not an ONNX model, or damaged: truncated"), r.err());
        assertTrue(r.err().contains("at byte "), r.err());
        assertFalse(Files.exists(dir.resolve("x.lnw")));

        Run labels = convert("--labels", "a,b", fixture("mlp") + "/model.onnx", dir.resolve("y.lnw").toString());
        assertEquals(1, labels.code());
        assertTrue(labels.err().contains("2 labels given for a model with 10 outputs"), labels.err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, convert(fixture("mlp") + "/model.onnx").code());
        assertEquals(2, convert(fixture("mlp") + "/model.onnx", dir.resolve("x.txt").toString()).code());
        assertEquals(2, convert("in.png", dir.resolve("x.lnw").toString()).code());
        assertEquals(2, convert("--input-range", "5,1", "a.onnx", "b.lnw").code());
        assertEquals(2, convert("--input-range", "0;255", "a.onnx", "b.lnw").code());
        assertEquals(2, convert("--check").code());
        assertEquals(2, convert("--check", "--labels", "a", "d").code());
        assertEquals(2, convert("a.lnw", "a.lnw").code());
        Run help = convert("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--tolerance"), help.out());
    }

    @Test
    void predictTakesAnOnnxModelAndItsInputRange() throws Exception {
        String model = fixture("lenet") + "/model.onnx";
        String image = Path.of("..", "tools", "samples").resolve("digit-7-photo.jpg").toString();
        if (!Files.exists(Path.of(image))) {
            try (Stream<Path> s = Files.list(Path.of("..", "tools", "samples"))) {
                image = s.filter(p -> p.getFileName().toString().startsWith("digit-7")).findFirst().orElseThrow().toString();
            }
        }
        String plain = predictJson("--model", model, "--json", image);
        String raw = predictJson("--model", model, "--input-range", "0,255", "--json", image);
        assertTrue(plain.contains("\"probabilities\""), plain);
        assertFalse(plain.equals(raw), "the input range changes what the network sees");
        assertEquals(2, Predict.run(new String[] {"--input-range", "0,255", image}, nullStream(), nullStream()));
    }

    private static String predictJson(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Predict.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        return s.substring(0, s.indexOf("\"micros\""));
    }

    private static PrintStream nullStream() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    @Test
    void aKerasCnnTrainedOnRawPixelsReadsTheSamplesWithItsInputRange() throws Exception {
        Path keras = Path.of("..", "..", "shared", "fixtures", "keras", "keras2.4-cnn-same-dropout.h5");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(keras), "no shared Keras fixture " + keras.toAbsolutePath() + "; skipped");
        Path lnw = dir.resolve("cnn.lnw"), onnx = dir.resolve("cnn.onnx");
        assertEquals(0, convert("--input-range", "0,255", keras.toString(), lnw.toString()).code());
        assertEquals(0, convert(lnw.toString(), onnx.toString()).code());
        List<String> samples;
        try (Stream<Path> s = Files.list(Path.of("..", "tools", "samples"))) {
            samples = s.map(Path::toString).filter(f -> f.matches(".*digit-\\d-.*")).sorted().toList();
        }
        for (String model : List.of(lnw.toString(), onnx.toString())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<String> args = new java.util.ArrayList<>(List.of("--model", model));
            args.addAll(samples);
            assertEquals(0, Predict.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), nullStream()));
            long right = out.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.matches(".*digit-(\\d)-.*: \\1 .*")).count();
            assertTrue(right >= samples.size() - 1, model + " read " + right + " of " + samples.size() + ":\n" + out);
        }
    }
}
