package lanes.interchange;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import lanes.engine.InputRange;
import lanes.engine.WeightFile;
import lanes.engine.Weights;

/**
 * Any model file Lanes reads, by its extension: {@code .lnw} (Lanes' own), {@code .onnx}, {@code .keras}
 * and {@code .h5} (Keras); and the two it writes, {@code .lnw} and {@code .onnx}.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /**
     * Reads a model file.
     *
     * @param range  the range the model was trained on, replacing the file's own; null keeps the file's
     *               ([0, 1] for ONNX and Keras files Lanes did not write)
     * @param labels class names, one per output, replacing the file's; null keeps the file's
     * @throws lanes.engine.BadInputException (an {@link ImportException} or a
     *         {@link lanes.engine.WeightFileException}) naming the file and the problem
     */
    public static Weights read(Path file, InputRange range, List<String> labels) throws IOException {
        Weights w = switch (extension(file)) {
            case "lnw" -> WeightFile.read(file);
            case "onnx" -> OnnxImporter.read(file);
            case "keras", "h5" -> KerasImporter.read(file);
            default -> throw new ImportException(file.toString(), "unknown model file type; expected .lnw, .onnx, .keras or .h5");
        };
        if (range == null && labels == null) return w;
        List<String> l = labels == null ? w.labels() : labels;
        if (!l.isEmpty() && l.size() != w.outputSize()) throw new ImportException(file.toString(),
                l.size() + " labels given for a model with " + w.outputSize() + " outputs");
        try {
            return new Weights(w.inputShape(), w.layers(), w.metadata(), range == null ? w.inputRange() : range, l, w.provenance());
        } catch (IllegalArgumentException e) {
            throw new ImportException(file.toString(), e.getMessage());
        }
    }

    /** Writes {@code .lnw} or {@code .onnx}, atomically. */
    public static void write(Weights weights, Path file) throws IOException {
        switch (extension(file)) {
            case "lnw" -> WeightFile.write(file, weights);
            case "onnx" -> OnnxExporter.write(weights, file);
            default -> throw new IOException("cannot save to " + file + ": Lanes writes .lnw and .onnx files");
        }
    }

    /** Whether Lanes can read a file of this name. */
    public static boolean readable(Path file) {
        return List.of("lnw", "onnx", "keras", "h5").contains(extension(file));
    }

    static String extension(Path file) {
        Path name = file.getFileName();
        if (name == null) return "";
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        return dot < 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
