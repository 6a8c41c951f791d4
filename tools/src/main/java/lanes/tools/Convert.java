package lanes.tools;

import com.beust.jcommander.IStringConverter;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import lanes.engine.ActivationLayer;
import lanes.engine.BadInputException;
import lanes.engine.InputRange;
import lanes.engine.Layer;
import lanes.engine.Weights;
import lanes.interchange.ModelFiles;

/**
 * tools/convert: a model file from one format to another, or a conformance check of ONNX model directories.
 * <pre>
 * tools/convert [--input-range LO,HI] [--labels a,b,...] IN OUT     IN .onnx/.keras/.h5/.lnw, OUT .lnw/.onnx
 * tools/convert --check [--tolerance 1e-4] DIR...                   ONNX backend-test directories
 * </pre>
 * Exit 0 on success (every directory within the tolerance), 1 on a failure (a model that cannot be
 * read or run, or a difference above the tolerance), 2 on a usage error.
 */
public final class Convert {

    static final class RangeConverter implements IStringConverter<InputRange> {
        @Override
        public InputRange convert(String value) {
            String[] p = value.split(",", -1);
            try {
                if (p.length != 2) throw new IllegalArgumentException("expected LO,HI such as 0,255");
                return new InputRange(Float.parseFloat(p[0].strip()), Float.parseFloat(p[1].strip()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException("--input-range " + value + ": " + e.getMessage());
            }
        }
    }

    static final class Args extends Cli.HasHelp {
        @Parameter(description = "IN OUT  |  --check DIR...")
        List<String> files = new ArrayList<>();
        @Parameter(names = "--input-range", converter = RangeConverter.class,
                description = "LO,HI: the range the model was trained on, e.g. 0,255 for raw pixels (default: the file's own; [0,1] for ONNX and Keras)")
        InputRange inputRange;
        @Parameter(names = "--labels", description = "a,b,...: a class name per output, stored in the model")
        String labels;
        @Parameter(names = "--check", description = "Run ONNX backend-test directories (model.onnx, test_data_set_N/input_0.pb, output_0.pb)"
                + " through Lanes and print each one's max absolute difference")
        boolean check;
        @Parameter(names = "--tolerance", description = "With --check: the largest absolute difference that passes")
        double tolerance = 1e-4;

        @Override
        void check() {
            for (String f : files) {
                if (f.startsWith("--")) throw new Cli.UsageException("unknown option " + f + " (see --help)");
            }
            if (check) {
                if (files.isEmpty()) throw new Cli.UsageException("--check needs at least one directory");
                if (inputRange != null || labels != null) throw new Cli.UsageException("--check takes no --input-range or --labels");
                if (!(tolerance >= 0) || Double.isInfinite(tolerance)) throw new Cli.UsageException("--tolerance must be finite and >= 0, got " + tolerance);
                return;
            }
            if (files.size() != 2) throw new Cli.UsageException("expected IN OUT, got " + files.size() + " file"
                    + (files.size() == 1 ? "" : "s") + " (usage: tools/convert [options] IN OUT, or --check DIR...)");
            Path in = Path.of(files.get(0)), out = Path.of(files.get(1));
            if (!ModelFiles.readable(in)) throw new Cli.UsageException(in + ": expected a .onnx, .keras, .h5 or .lnw file");
            String o = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!o.endsWith(".lnw") && !o.endsWith(".onnx")) throw new Cli.UsageException(out + ": expected a .lnw or .onnx file to write");
            if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize()))
                throw new Cli.UsageException("IN and OUT are the same file");
            if (labels != null && labels.isEmpty()) throw new Cli.UsageException("--labels is empty");
        }
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = new Args();
        return Cli.run("tools/convert", a, argv, out, err, () -> a.check ? check(a, out, err) : convert(a, out));
    }

    private static int convert(Args a, PrintStream out) throws IOException {
        Path in = Path.of(a.files.get(0)), to = Path.of(a.files.get(1));
        List<String> labels = a.labels == null ? null : Arrays.asList(a.labels.split(",", -1));
        Weights w = ModelFiles.read(in, a.inputRange, labels);
        ModelFiles.write(w, to);
        out.println(to + ": " + summary(w));
        return Cli.OK;
    }

    /** One line about a network: its layers, parameters, input shape and range. */
    static String summary(Weights w) {
        StringBuilder s = new StringBuilder();
        for (Layer l : w.layers()) {
            String name = l instanceof ActivationLayer a ? a.activation().name().toLowerCase(Locale.ROOT)
                    : l.getClass().getSimpleName().replace("Weights", "");
            s.append(s.isEmpty() ? "" : " → ").append(name);
        }
        return s + String.format(Locale.ROOT, "; %,d parameters; input %s in %s; %d outputs%s", w.parameterCount(),
                w.inputShape(), w.inputRange(), w.outputSize(), w.labels().isEmpty() ? "" : " (" + String.join(", ", w.labels()) + ")");
    }

    private static int check(Args a, PrintStream out, PrintStream err) {
        int failed = 0;
        for (String d : a.files) {
            BackendCheck.Result r;
            try {
                r = BackendCheck.run(Path.of(d));
            } catch (BackendCheck.Unsupported e) {
                failed++;
                err.println(d + ": unsupported: " + e.getMessage());
                continue;
            } catch (BadInputException e) { // its message names the file inside the directory
                failed++;
                err.println(e.getMessage());
                continue;
            } catch (IOException | RuntimeException e) {
                failed++;
                err.println(d + ": " + Cli.describe(e));
                continue;
            }
            boolean ok = r.maxAbsDiff() <= a.tolerance;
            if (!ok) failed++;
            out.println(String.format(Locale.ROOT, "%s: max abs difference %.3g over %d data set%s, %d example%s: %s",
                    d, r.maxAbsDiff(), r.dataSets(), r.dataSets() == 1 ? "" : "s", r.examples(), r.examples() == 1 ? "" : "s",
                    ok ? "ok" : "FAILED (tolerance " + a.tolerance + ")"));
        }
        out.flush();
        return failed == 0 ? Cli.OK : Cli.FAILED;
    }
}
