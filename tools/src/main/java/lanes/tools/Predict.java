package lanes.tools;

import com.beust.jcommander.IStringConverter;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import lanes.engine.BadInputException;
import lanes.engine.InputRange;
import lanes.engine.Weights;
import lanes.interchange.ModelFiles;
import lanes.kernels.KernelsProvider;
import lanes.engine.Model;
import lanes.engine.Predictor;
import lanes.preprocess.ImagePreprocessor;
import lanes.preprocess.PreprocessMode;

/**
 * tools/predict: the digit in each image file, one line per file.
 * <pre>
 * img_2.gif: 2 (0.998)
 * {"file": "img_2.gif", "label": 2, "probabilities": [...], "micros": 3.1}     (--json)
 * </pre>
 * A file that cannot be read, or whose {@code --dump-input} image cannot be written, is reported on stderr
 * as {@code FILE: reason} and the others still run; exit 0 when all succeeded, 1 when some failed, 2 on a
 * usage error. A model whose last layer is not softmax gives raw outputs, not probabilities: its JSON says
 * {@code "outputs"} instead.
 */
public final class Predict {

    static final class ModeConverter implements IStringConverter<PreprocessMode> {
        @Override
        public PreprocessMode convert(String value) {
            try {
                return PreprocessMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new ParameterException("--preprocess: " + e.getMessage());
            }
        }
    }

    static final class Args extends Cli.HasHelp {
        @Parameter(description = "FILE...")
        List<String> files = new ArrayList<>();
        @Parameter(names = "--model", description = "Model file: .lnw, .onnx, .keras or .h5; or a model inside the engine jar:"
                + " mnist (the default: the accurate CNN) or mnist-fast (the MLP of the microsecond path)")
        Path model;
        @Parameter(names = "--input-range", converter = Convert.RangeConverter.class,
                description = "LO,HI: the range the model was trained on, e.g. 0,255 for raw pixels (default: the file's own; [0,1] for ONNX and Keras)")
        InputRange inputRange;
        @Parameter(names = "--bf16", description = "Round the model's Dense weights to bfloat16: faster single images"
                + " (the MLP's), answers not bit-identical to float32's")
        boolean bf16;
        @Parameter(names = "--top-k", description = "Show the K most probable classes")
        int topK = 1;
        @Parameter(names = "--json", description = "One JSON object per line: file, label, probabilities, micros"
                + " (outputs instead of probabilities for a model whose last layer is not softmax)")
        boolean json;
        @Parameter(names = "--preprocess", converter = ModeConverter.class,
                description = "mnist (default: crop, fit 20x20, centre by mass; for photos and drawings), seed (the tutorial's resize and threshold), none (already a 28x28 MNIST-style image)")
        PreprocessMode preprocess = PreprocessMode.MNIST;
        @Parameter(names = "--dump-input", description = "Write what the network saw, as an upscaled PNG per file, into DIR:"
                + " NAME.input.png for input NAME, NAME-2.input.png, NAME-3.input.png ... for later inputs of the same"
                + " name (ignoring case and directories); an existing file is replaced, a directory never")
        Path dumpInput;

        @Override
        void check() {
            if (files.isEmpty()) throw new Cli.UsageException("no image files given (usage: tools/predict [options] FILE...)");
            for (String f : files) {
                // JCommander hands unknown options to the main parameter; a file named "--x" is far less likely than a typo.
                if (f.startsWith("--")) throw new Cli.UsageException("unknown option " + f + " (see --help)");
            }
            Cli.atLeastOne("--top-k", topK);
            if (inputRange != null && model == null) throw new Cli.UsageException("--input-range needs --model");
        }
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = new Args();
        return Cli.run("tools/predict", a, argv, out, err, () -> predict(a, out, err));
    }

    private static int predict(Args a, PrintStream out, PrintStream err) throws IOException {
        Model model = load(a.model, a.inputRange);
        if (a.bf16) model = model.withBf16Weights();
        if (a.topK < 1 || a.topK > model.outputs()) {
            throw new Cli.UsageException("--top-k must be in 1.." + model.outputs() + ", got " + a.topK);
        }
        List<Path> dumps = a.dumpInput == null ? null : dumpTargets(dumpDirectory(a.dumpInput), a.files);
        String key = probabilities(model) ? "probabilities" : "outputs";
        ImagePreprocessor pre = new ImagePreprocessor();
        Predictor predictor = model.newPredictor();
        float[] probs = new float[model.outputs()];
        int failed = 0;
        for (int f = 0; f < a.files.size(); f++) {
            String file = a.files.get(f);
            try {
                long t0 = System.nanoTime();
                float[] input = pre.preprocess(Path.of(file), a.preprocess);
                if (input.length != model.inputSize()) throw new IOException(
                        "the model takes " + model.inputSize() + " inputs, preprocessing gave " + input.length);
                int label = predictor.predict(input, probs);
                double micros = (System.nanoTime() - t0) / 1e3;
                // The answer first: a dump that cannot be written is a failure of its own, not of the prediction.
                out.println(a.json ? json(file, key, label, probs, micros, a.topK) : text(file, label, probs, a.topK));
                if (dumps != null) dump(dumps.get(f), input);
            } catch (IOException | RuntimeException e) {
                failed++;
                // The file is named first, so bad input from it is its problem alone.
                err.println(file + ": " + Cli.describe(e, file) + (e.getCause() instanceof OutOfMemoryError ? RAISE_THE_HEAP : ""));
            } catch (OutOfMemoryError e) {
                failed++;
                err.println(file + ": not enough memory" + RAISE_THE_HEAP);
            }
        }
        out.flush();
        return failed == 0 ? Cli.OK : Cli.FAILED;
    }

    /**
     * The model to run: the default one, a .lnw file as the engine loads it, or any other format (or a
     * .lnw with another input range) through the importers.
     */
    static Model load(Path file, InputRange range) throws IOException {
        // A command line run predicts a few images once: the engine's warm-up (up to a second) would only
        // delay it. Left to the user when set (-Dlanes.warmUp=true through LANES_JAVA_OPTS).
        if (System.getProperty("lanes.warmUp") == null) System.setProperty("lanes.warmUp", "false");
        if (file == null) return Model.loadDefault();
        String bundled = Model.BUNDLED.contains(file.toString()) && !Files.exists(file) ? file.toString() : null;
        if (bundled != null && range != null) throw new Cli.UsageException("--input-range is for model files, not the bundled " + bundled);
        if (bundled != null) return Model.loadBundled(bundled);
        if (range == null && file.toString().toLowerCase(Locale.ROOT).endsWith(".lnw")) return Model.load(file);
        Weights w = ModelFiles.read(file, range, null);
        try {
            return Model.of(w, KernelsProvider.get());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the engine cannot run this network: " + e.getMessage(), e);
        }
    }

    /** How to give the tools more memory: the launchers pass LANES_JAVA_OPTS to the JVM. */
    private static final String RAISE_THE_HEAP = " (raise the heap, e.g. LANES_JAVA_OPTS=-Xmx1g)";

    /** True when the model's outputs are class probabilities: a softmax output. */
    static boolean probabilities(Model model) {
        return model.outputsProbabilities();
    }

    /** Indices of the k largest probabilities, largest first (ties: lower class first). */
    static int[] topK(float[] probs, int k) {
        int[] idx = new int[k];
        boolean[] taken = new boolean[probs.length];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int j = 0; j < probs.length; j++) if (!taken[j] && (best < 0 || probs[j] > probs[best])) best = j;
            idx[r] = best;
            taken[best] = true;
        }
        return idx;
    }

    static String text(String file, int label, float[] probs, int k) {
        StringBuilder s = new StringBuilder(file).append(": ");
        int[] top = topK(probs, k);
        top[0] = label; // argmax of the logits; equal to the top probability except on exact ties
        for (int r = 0; r < k; r++) {
            if (r > 0) s.append(", ");
            s.append(top[r]).append(String.format(Locale.ROOT, " (%.3f)", probs[top[r]]));
        }
        return s.toString();
    }

    /** {@code key} names the outputs: "probabilities" for a softmax model, "outputs" for any other. */
    static String json(String file, String key, int label, float[] probs, double micros, int k) {
        StringBuilder s = new StringBuilder("{\"file\": ").append(Json.string(file))
                .append(", \"label\": ").append(label).append(", ").append(Json.string(key)).append(": [");
        for (int j = 0; j < probs.length; j++) {
            if (j > 0) s.append(", ");
            s.append(Json.number(probs[j]));
        }
        s.append("], \"micros\": ").append(String.format(Locale.ROOT, "%.1f", micros));
        if (k > 1) {
            s.append(", \"top_k\": [");
            int[] top = topK(probs, k);
            for (int r = 0; r < k; r++) s.append(r > 0 ? ", " : "").append(top[r]);
            s.append(']');
        }
        return s.append('}').toString();
    }

    // ------------------------------------------------------------------------------------------------
    // --dump-input

    /** Creates the dump directory up front, so that a path that cannot be one fails before any prediction. */
    private static Path dumpDirectory(Path dir) throws IOException {
        try {
            return Cli.directory(dir);
        } catch (FileSystemException e) {
            Path failed = e.getFile() == null ? dir : Path.of(e.getFile());
            throw new IOException("cannot create " + failed + ": " + BadInputException.reason(e), e);
        }
    }

    /**
     * The dump file of each input, by position: {@code NAME.input.png}, NAME being the input's file name
     * with characters outside {@code [A-Za-z0-9._-]} made {@code _}; a later input whose name is taken
     * (ignoring case, for case-insensitive file systems) gets {@code NAME-2.input.png}, {@code -3} ..., so
     * no dump overwrites another one of the same run, and the names depend only on the arguments.
     */
    static List<Path> dumpTargets(Path dir, List<String> files) {
        Set<String> taken = new HashSet<>();
        List<Path> targets = new ArrayList<>(files.size());
        for (String file : files) {
            String stem = baseName(file).replaceAll("[^A-Za-z0-9._-]", "_");
            String name = stem + ".input.png";
            for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) name = stem + "-" + n + ".input.png";
            targets.add(dir.resolve(name));
        }
        return targets;
    }

    /** The last element of a path as given; never fails, whatever the string (it may not be a path at all). */
    private static String baseName(String file) {
        try {
            Path name = Path.of(file).getFileName();
            if (name != null) return name.toString();
        } catch (InvalidPathException e) {
            // not a path on this system: reading it fails too, and the dump is never written
        }
        return "input";
    }

    /**
     * Writes the upscaled input as a PNG to {@code target}, replacing a file there (deleted first, so a link
     * is replaced rather than written through) but never a directory. Encoded in memory and written with
     * java.nio, so a failure is one exception with the reason: ImageIO writing to a file prints a stack
     * trace of its own and says only "Can't create an ImageOutputStream!".
     */
    static void dump(Path target, float[] input) throws IOException {
        byte[] png = png(ImagePreprocessor.toImage(input, 10));
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) throw new IOException(
                "cannot write " + target + ": a directory of that name is in the way (only files are replaced)");
        try {
            Files.deleteIfExists(target);
            Files.write(target, png, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + target + ": " + BadInputException.reason(e), e);
        } catch (IOException e) { // a failed write(): "No space left on device", "File too large"
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) { // no cache file, unlike ImageIO.write
            writer.setOutput(out);
            writer.write(image);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
